import test from "ava";
import { create, toBinary } from "@bufbuild/protobuf";
import { ListKeysResponseSchema } from "#gen/oups/v1/store_pb.js";
import { KeyListEncoder } from "../../server/src/rpc/key-list-encoder.js";
import { decodePageToken, encodePageToken } from "../../server/src/rpc/page-token.js";
import { OupsError } from "../../server/src/store/errors.js";
import { parseIndexSpec } from "../../server/src/store/keys/index-schema.js";
import { seededRandom } from "../helpers/seeded-random.js";

const names = ["symbol", "y", "a_rather_long_field_name_of_sixty_four_characters_xxxxxxxxxxxxxx"];

function randomText(random: () => number, length: number): string {
  const alphabet = ["A", "z", "0", "-", "é", "\u4e2d", "\u{1F600}", " "];
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join("");
}

test("the key list encoder writes the bytes toBinary writes for the same keys and token", (t) => {
  const random = seededRandom(15);
  for (let run = 0; run < 50; run++) {
    const keys = Array.from({ length: Math.floor(random() * 40) }, () => names.map(() => randomText(random, 1 + Math.floor(random() * 128))));
    const token = random() < 0.5 ? "" : randomText(random, Math.floor(random() * 300));
    // A small start forces the buffer to grow while writing.
    const encoder = new KeyListEncoder(names, 16);
    for (const values of keys) t.true(encoder.add(values, Number.POSITIVE_INFINITY));
    const expected = toBinary(
      ListKeysResponseSchema,
      create(ListKeysResponseSchema, { keys: keys.map((values) => ({ fields: Object.fromEntries(names.map((n, i) => [n, values[i]!])) })), nextPageToken: token }),
    );
    t.deepEqual(new Uint8Array(encoder.finish(token)), expected);
    t.is(encoder.count, keys.length);
  }
});

test("the key list encoder refuses a key past the byte bound and keeps what it wrote", (t) => {
  const encoder = new KeyListEncoder(["k"]);
  t.true(encoder.add(["abc"], 20));
  const written = encoder.byteLength;
  t.false(encoder.add(["abcdefghijkl"], 20));
  t.is(encoder.byteLength, written);
  t.is(encoder.count, 1);
});

const schema = parseIndexSpec("symbol,year:int/month:int");

test("a page token names the key it resumes after", (t) => {
  const key = { symbol: "\u{1F600}x", year: "3", month: "12" };
  t.deepEqual(decodePageToken(schema, encodePageToken(schema, key)), key);
});

test("a page token the daemon did not make is INVALID_ARGUMENT", (t) => {
  const good = encodePageToken(schema, { symbol: "A", year: "2024", month: "1" });
  const bad = ["x", "k", "k!!!!", `${good}=`, `${good}A`, good.slice(1), `k${Buffer.from("A-2024").toString("base64url")}`, `k${Buffer.from("A-02024/1").toString("base64url")}`, `k${Buffer.from("A-2024/1/2").toString("base64url")}`];
  for (const token of bad) {
    const err = t.throws(() => decodePageToken(schema, token), { instanceOf: OupsError }, token);
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", /page_token/);
  }
});
