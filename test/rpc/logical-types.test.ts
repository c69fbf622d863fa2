import test from "ava";
import { Buffer } from "node:buffer";
import { status } from "@grpc/grpc-js";
import type { Data, Table } from "apache-arrow";
import { Field, Int64, RecordBatch, Schema, Struct, TimeUnit, Timestamp, Utf8View, makeData } from "apache-arrow";
import { OupsClientError } from "../../client/src/index.js";
import { binaryEncodings, stringEncodings, viewColumn } from "../helpers/text-columns.js";
import type { TextEncoding } from "../helpers/text-columns.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

const daemon = useSharedDaemon(test);

let nextMonth = 0;
const freshKey = (symbol: string) => ({ symbol, year: "2024", month: String(++nextMonth) });

/** A batch of an Int64 `n` column and one more column `name` holding `data`. */
function batchOf(n: readonly number[], name: string, data: Data): RecordBatch {
  const schema = new Schema([new Field("n", new Int64(), false), new Field(name, data.type, true)]);
  const ns = makeData({ type: new Int64(), length: n.length, data: BigInt64Array.from(n, BigInt) });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n.length, nullCount: 0, children: [ns, data] }));
}

/** The type of column `name` in every batch of `table`, one string per batch (and the schema's). */
function typesOf(table: Table, name: string): string[] {
  return [String(table.schema.fields.find((f) => f.name === name)?.type), ...table.batches.map((b) => String(b.getChild(name)?.type))];
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : Buffer.from(value as Uint8Array).toString("utf8");
}

const FIRST = ["a", "a value of more than twelve bytes", null, "héllo ✓ — more than twelve bytes", ""];
const SECOND = ["b, long enough to sit outside the view", null];

/** The Arrow type a dataset first written with an encoding returns on every read. */
const readType: Record<string, string> = {
  Utf8: "Utf8",
  LargeUtf8: "LargeUtf8",
  Utf8View: "Utf8",
  "Dictionary<Int32, Utf8>": "Dictionary<Int32, Utf8>",
  "Dictionary<Int8, Utf8>": "Dictionary<Int8, Utf8>",
  "Dictionary<Int64, Utf8>": "Dictionary<Int32, Utf8>",
  "Dictionary<Int32, LargeUtf8>": "Dictionary<Int32, LargeUtf8>",
  Binary: "Binary",
  LargeBinary: "LargeBinary",
  BinaryView: "Binary",
  "Dictionary<Int32, Binary>": "Binary",
};

function crossWrites(family: string, encodings: readonly TextEncoding[]): void {
  for (const stored of encodings) {
    for (const incoming of encodings) {
      test(`a ${family} dataset first written as ${stored.name} takes rows written as ${incoming.name}, and reads back as ${readType[stored.name]}`, async (t) => {
        const { client } = daemon();
        const key = freshKey("TEXT");
        await client.write(key, batchOf([10, 20, 30, 40, 50], "s", stored.column(FIRST)), { orderedOn: "n" });
        // 25 lands inside the stored row group (rewritten with rows of both encodings), 60 after it.
        await client.write(key, batchOf([25, 60], "s", incoming.column(SECOND)), { orderedOn: "n" });
        const back = await client.read(key);
        t.deepEqual(new Set(typesOf(back, "s")), new Set([readType[stored.name]]));
        t.deepEqual([...back.getChild("s")!].map(textOf), [FIRST[0], FIRST[1], SECOND[0], FIRST[2], FIRST[3], FIRST[4], SECOND[1]]);
        t.deepEqual(String((await client.describe(key)).schema?.fields[1]?.type), readType[stored.name]);
      });
    }
  }
}

crossWrites("string", stringEncodings);
crossWrites("binary", binaryEncodings);

test("text written to a binary column, or bytes to a text column, is a SCHEMA_MISMATCH naming the column and both types", async (t) => {
  const { client } = daemon();
  const text = freshKey("TEXT");
  await client.write(text, batchOf([1], "s", stringEncodings[0]!.column(["a"])), { orderedOn: "n" });
  const bytes = freshKey("TEXT");
  await client.write(bytes, batchOf([1], "s", binaryEncodings[0]!.column(["a"])), { orderedOn: "n" });
  for (const [key, data] of [
    [text, binaryEncodings[2]!.column(["b"])],
    [bytes, stringEncodings[2]!.column(["b"])],
  ] as const) {
    const err = await t.throwsAsync(client.write(key, batchOf([2], "s", data)), { instanceOf: OupsClientError });
    t.is(err?.code, "SCHEMA_MISMATCH");
    t.regex(err?.message ?? "", /column "s": expected (Utf8|Binary), got (BinaryView|Utf8View)/);
    t.is((await client.read(key)).numRows, 1);
  }
});

test("a view column whose view points past its data buffer is INVALID_ARGUMENT naming the column and row, and creates nothing", async (t) => {
  const { client } = daemon();
  const key = freshKey("TEXT");
  const data = viewColumn(new Utf8View(), ["short", "a value of more than twelve bytes"]);
  // Row 2's offset into its data buffer, moved far past the buffer's end.
  new DataView((data.values as Uint8Array).buffer, (data.values as Uint8Array).byteOffset).setInt32(16 + 12, 1000, true);
  const err = await t.throwsAsync(client.write(key, batchOf([1, 2], "s", data), { orderedOn: "n" }), { instanceOf: OupsClientError });
  t.is(err?.grpcCode, status.INVALID_ARGUMENT);
  t.regex(err?.message ?? "", /column "s": view of row 2 spans bytes 1000 to 1033 of data buffer 1/);
  t.deepEqual(await client.listKeys(key), []);
});

const UNITS = [TimeUnit.SECOND, TimeUnit.MILLISECOND, TimeUnit.MICROSECOND, TimeUnit.NANOSECOND] as const;
const UNIT_NAMES = ["s", "ms", "us", "ns"];

function timestamps(unit: TimeUnit, zone: string | null, raw: readonly bigint[]): Data {
  return makeData({ type: new Timestamp(unit, zone), length: raw.length, data: BigInt64Array.from(raw) as unknown as Int32Array });
}

function timestampBatch(unit: TimeUnit, zone: string | null, raw: readonly bigint[]): RecordBatch {
  return batchOf(raw.map((_, i) => i), "ts", timestamps(unit, zone, raw));
}

for (const stored of UNITS) {
  for (const incoming of UNITS) {
    const lossless = incoming <= stored;
    test(`timestamps in ${UNIT_NAMES[incoming]} written to a ${UNIT_NAMES[stored]} column are ${lossless ? "converted" : "refused: they would lose precision"}`, async (t) => {
      const { client } = daemon();
      const key = freshKey("TIME");
      await client.write(key, batchOf([0], "ts", timestamps(stored, null, [7n])), { orderedOn: "n" });
      const write = client.write(key, batchOf([1, 2], "ts", timestamps(incoming, null, [5n, -3n])));
      if (lossless) {
        await write;
        const back = await client.read(key);
        const factor = 1000n ** BigInt(stored - incoming);
        t.deepEqual(new Set(typesOf(back, "ts")), new Set([String(new Timestamp(stored))]));
        t.deepEqual([...(back.getChild("ts")!.data.flatMap((d) => [...(d.values as unknown as BigInt64Array)]))], [7n, 5n * factor, -3n * factor]);
      } else {
        const err = await t.throwsAsync(write, { instanceOf: OupsClientError });
        t.is(err?.grpcCode, status.INVALID_ARGUMENT);
        t.regex(err?.message ?? "", new RegExp(`column "ts": the dataset keeps ${String(new Timestamp(stored))}.*would lose precision \\(${UNIT_NAMES[incoming]} into ${UNIT_NAMES[stored]}\\)`));
        t.is((await client.read(key)).numRows, 1);
      }
    });
  }
}

test("a timestamp that overflows 64 bits in the dataset's finer unit is INVALID_ARGUMENT naming the column and row", async (t) => {
  const { client } = daemon();
  const key = freshKey("TIME");
  await client.write(key, timestampBatch(TimeUnit.NANOSECOND, null, [0n]), { orderedOn: "n" });
  // 10^10 s is 10^19 ns, past 2^63 - 1 (about 9.2 × 10^18).
  const err = await t.throwsAsync(client.write(key, batchOf([1, 2], "ts", timestamps(TimeUnit.SECOND, null, [1n, 10_000_000_000n]))), { instanceOf: OupsClientError });
  t.is(err?.grpcCode, status.INVALID_ARGUMENT);
  t.regex(err?.message ?? "", /column "ts", row 2: 10000000000 in Timestamp<SECOND> does not fit the dataset's Timestamp<NANOSECOND>/);
  t.is((await client.read(key)).numRows, 1);
});

const zoneCases: readonly { stored: string | null; incoming: string | null; fixes: RegExp[] }[] = [
  {
    stored: "UTC",
    incoming: null,
    fixes: [/new TimestampMillisecond\("UTC"\)/, /oups write --timestamp-tz UTC/, /pa\.timestamp\('ms', tz='UTC'\)/, /\.cast\(pa\.timestamp\('ms', tz='UTC'\)\)/],
  },
  { stored: null, incoming: "UTC", fixes: [/new TimestampMillisecond\(\)/, /--timestamp-tz none/, /pa\.timestamp\('ms'\)/] },
  { stored: "UTC", incoming: "Europe/Paris", fixes: [/--timestamp-tz UTC/] },
];

for (const { stored, incoming, fixes } of zoneCases) {
  test(`timestamps with ${incoming ? `time zone ${incoming}` : "no time zone"} written to a column ${stored ? `in ${stored}` : "without one"} are a SCHEMA_MISMATCH saying how to fix it`, async (t) => {
    const { client } = daemon();
    const key = freshKey("ZONE");
    await client.write(key, timestampBatch(TimeUnit.MILLISECOND, stored, [1n]), { orderedOn: "n" });
    const err = await t.throwsAsync(client.write(key, batchOf([1], "ts", timestamps(TimeUnit.MILLISECOND, incoming, [2n]))), { instanceOf: OupsClientError });
    t.is(err?.code, "SCHEMA_MISMATCH");
    t.regex(err?.message ?? "", /column "ts": the dataset's timestamps have/);
    for (const fix of fixes) t.regex(err?.message ?? "", fix);
    t.is((await client.read(key)).numRows, 1);
  });
}

