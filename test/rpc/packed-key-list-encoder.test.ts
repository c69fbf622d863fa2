import test from "ava";
import { fromBinary } from "@bufbuild/protobuf";
import { ListKeysResponseSchema } from "#gen/oups/v1/store_pb.js";
import { PackedKeyListEncoder } from "../../server/src/rpc/packed-key-list-encoder.js";
import { seededRandom } from "../helpers/seeded-random.js";

const names = ["symbol", "y", "a_rather_long_field_name_of_sixty_four_characters_xxxxxxxxxxxxxx"];

function randomText(random: () => number, length: number): string {
  const alphabet = ["A", "z", "0", "-", "é", "\u4e2d", "\u{1F600}", " "];
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join("");
}

test("the packed key list encoder writes a ListKeysResponse of the values, each followed by a newline, the field names and the token", (t) => {
  const random = seededRandom(16);
  for (let run = 0; run < 50; run++) {
    const keys = Array.from({ length: Math.floor(random() * 40) }, () => names.map(() => randomText(random, 1 + Math.floor(random() * 128))));
    const token = random() < 0.5 ? "" : randomText(random, Math.floor(random() * 300));
    // A small start forces the buffer to grow while writing.
    const encoder = new PackedKeyListEncoder(names, 16);
    for (const values of keys) t.true(encoder.add(values, Number.POSITIVE_INFINITY));
    const bound = encoder.byteLength;
    const bytes = encoder.finish(token);
    const message = fromBinary(ListKeysResponseSchema, bytes);
    t.deepEqual(message.packedFields, names);
    t.is(message.packedValues, keys.map((values) => values.map((v) => `${v}\n`).join("")).join(""));
    t.is(message.nextPageToken, token);
    t.is(message.keys.length, 0);
    t.is(encoder.count, keys.length);
    // What the page's size limit is checked against: the message without its token, at most.
    const tokenBytes = token === "" ? 0 : 1 + (Buffer.byteLength(token) < 128 ? 1 : 2) + Buffer.byteLength(token);
    t.true(bytes.byteLength - tokenBytes <= bound, "byteLength bounds the message");
  }
});

test("a packed page of no key still names its fields", (t) => {
  const message = fromBinary(ListKeysResponseSchema, new PackedKeyListEncoder(["a", "b"]).finish(""));
  t.deepEqual(message.packedFields, ["a", "b"]);
  t.is(message.packedValues, "");
});

test("the packed key list encoder refuses a key past the byte bound, keeps what it wrote, and writes the next key that fits", (t) => {
  const encoder = new PackedKeyListEncoder(["k"]);
  t.true(encoder.add(["abc"], 30));
  const written = encoder.byteLength;
  t.true(written <= 30);
  t.false(encoder.add(["abcdefghijklmnopqrstuvwxyz\u4e2d"], 30));
  t.is(encoder.byteLength, written);
  t.is(encoder.count, 1);
  t.true(encoder.add(["é"], 30));
  const message = fromBinary(ListKeysResponseSchema, encoder.finish(""));
  t.is(message.packedValues, "abc\né\n");
});
