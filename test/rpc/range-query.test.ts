import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { tableFromArrays } from "apache-arrow";
import type { BoundValue, OupsClient, RangeQueryOptions } from "../../client/src/index.js";
import { columnValues, marketBatch, T0_MS } from "./helpers/market-data.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

const tsKey = { symbol: "TS", year: "2024", month: "1" };
const intKey = { symbol: "INT", year: "2024", month: "1" };
const strKey = { symbol: "STR", year: "2024", month: "1" };
const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");

/** One daemon for the whole file: the datasets are written once, and every test only reads. */
const fixture = useSharedDaemon(test);
let client: OupsClient;
test.serial.before(async () => {
  client = fixture().client;
  // 1000 rows, one every 10 ms, in row groups of 100 rows.
  await client.write(tsKey, marketBatch(0, 1000, { timestampMs: (i) => i * 10, price: (i) => i }), {
    orderedOn: "timestamp",
    rowGroupTarget: 100,
  });
  const n = BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i));
  await client.write(intKey, tableFromArrays({ n, v: Int32Array.from({ length: 100 }, (_, i) => i) }), { orderedOn: "n", rowGroupTarget: 16 });
  await client.write(strKey, tableFromArrays({ name: LETTERS, v: Int32Array.from(LETTERS, (_, i) => i) }), { orderedOn: "name", rowGroupTarget: 5 });
});

async function collect(key: Record<string, string>, options: RangeQueryOptions): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of client.rangeQuery(key, options)) batches.push(batch);
  return batches;
}

function ints(batches: readonly RecordBatch[], column: string): number[] {
  return batches.flatMap((b) => Array.from(columnValues(b, column), Number));
}

const at = (ms: number) => new Date(T0_MS + ms);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const timestampCases: { title: string; start?: BoundValue; end?: BoundValue; endInclusive?: boolean; rows: number[] }[] = [
  { title: "Date bounds select [start, end)", start: at(1000), end: at(2000), rows: range(100, 200) },
  { title: "endInclusive adds the row at end", start: at(1000), end: at(2000), endInclusive: true, rows: range(100, 201) },
  { title: "bounds between rows select the rows inside", start: at(1005), end: at(1025), rows: [101, 102] },
  { title: "an open start reads from the first row", end: at(30), rows: [0, 1, 2] },
  { title: "an open end reads to the last row", start: at(9970), rows: [997, 998, 999] },
  { title: "a bigint bound is a raw value in the column's unit (ms)", start: BigInt(T0_MS + 50), end: T0_MS + 80, rows: [5, 6, 7] },
  { title: "a range past the end is empty", start: at(100_000), rows: [] },
  { title: "an empty range (start = end) is empty", start: at(500), end: at(500), rows: [] },
  { title: "start = end with endInclusive is that row", start: at(500), end: at(500), endInclusive: true, rows: [50] },
];

for (const c of timestampCases) {
  test(`timestamp column: ${c.title}`, async (t) => {
    const options: RangeQueryOptions = { start: c.start, end: c.end, endInclusive: c.endInclusive ?? false };
    const table = await client.read(tsKey, options);
    t.deepEqual(Array.from(columnValues(table, "price") as Float64Array), c.rows);
    t.is(table.schema.fields.length, 4);
  });
}

test("projection returns the asked columns in the asked order, even when no row matches", async (t) => {
  const table = await client.read(tsKey, { start: at(0), end: at(50), columns: ["qty", "timestamp"] });
  t.deepEqual(table.schema.fields.map((f) => f.name), ["qty", "timestamp"]);
  t.deepEqual(Array.from(columnValues(table, "qty") as Int32Array), [0, 1, 2, 3, 4]);
  t.deepEqual(Array.from(columnValues(table, "timestamp") as BigInt64Array), [0, 10, 20, 30, 40].map((ms) => BigInt(T0_MS + ms)));
  const empty = await client.read(tsKey, { start: at(100_000), columns: ["price", "symbol"] });
  t.is(empty.numRows, 0);
  t.deepEqual(empty.schema.fields.map((f) => f.name), ["price", "symbol"]);
});

test("a projection without the ordered column still cuts row groups at the bounds", async (t) => {
  const table = await client.read(tsKey, { start: at(995), end: at(1015), columns: ["price"] });
  t.deepEqual(table.schema.fields.map((f) => f.name), ["price"]);
  t.deepEqual(Array.from(columnValues(table, "price") as Float64Array), [100, 101]);
});

test("maxRowsPerChunk caps every batch, and the batches hold every row in order", async (t) => {
  const batches = await collect(tsKey, { start: at(905), end: at(2005), maxRowsPerChunk: 7, columns: ["price"] });
  t.true(batches.length >= Math.ceil(110 / 7));
  t.true(batches.every((b) => b.numRows > 0 && b.numRows <= 7), batches.map((b) => b.numRows).join(","));
  t.deepEqual(ints(batches, "price"), range(91, 201));
});

test("without maxRowsPerChunk batches are at most 65536 rows", async (t) => {
  const batches = await collect(tsKey, {});
  t.true(batches.every((b) => b.numRows <= 65_536));
  t.deepEqual(ints(batches, "price"), range(0, 1000));
});

const intCases: { title: string; start?: BoundValue; end?: BoundValue; endInclusive?: boolean; rows: number[] }[] = [
  { title: "bigint bounds", start: 5n, end: 8n, rows: [5, 6, 7] },
  { title: "number bounds", start: 14, end: 17, endInclusive: true, rows: [14, 15, 16, 17] },
  { title: "a fractional start rounds up", start: 4.5, end: 7, rows: [5, 6] },
  { title: "a fractional inclusive end rounds down", start: 95, end: 97.5, endInclusive: true, rows: [95, 96, 97] },
  { title: "negative bounds", start: -10, end: 2n, rows: [0, 1] },
];

for (const c of intCases) {
  test(`int64 column: ${c.title}`, async (t) => {
    const table = await client.read(intKey, { start: c.start, end: c.end, endInclusive: c.endInclusive ?? false });
    t.deepEqual(Array.from(columnValues(table, "v") as Int32Array), c.rows);
  });
}

const stringCases: { title: string; start?: string; end?: string; endInclusive?: boolean; rows: string[] }[] = [
  { title: "string bounds", start: "c", end: "f", rows: ["c", "d", "e"] },
  { title: "inclusive end", start: "x", end: "z", endInclusive: true, rows: ["x", "y", "z"] },
  { title: "bounds between values", start: "bb", end: "dd", rows: ["c", "d"] },
  { title: "open start", end: "b", rows: ["a"] },
];

for (const c of stringCases) {
  test(`string column: ${c.title}`, async (t) => {
    const table = await client.read(strKey, { start: c.start, end: c.end, endInclusive: c.endInclusive ?? false, columns: ["name"] });
    t.deepEqual([...(columnValues(table, "name") as string[])], c.rows);
  });
}

test("describe reports row group bounds as Dates for timestamps, bigints for int64 and strings for text", async (t) => {
  const ts = await client.describe(tsKey);
  t.is(ts.rowGroups.length, 10);
  t.deepEqual(ts.rowGroups[0]!.min, at(0));
  t.deepEqual(ts.rowGroups[9]!.max, at(9990));
  const int = await client.describe(intKey);
  t.is(int.rowGroups[0]!.min, 0n);
  t.is(int.rowGroups.at(-1)!.max, 99n);
  const str = await client.describe(strKey);
  t.is(str.rowGroups[0]!.min, "a");
  t.is(str.rowGroups.at(-1)!.max, "z");
});

test("concurrent range queries over different datasets each get their own rows intact, chunk by chunk", async (t) => {
  // Small chunks, many of them, interleaved across calls: responses share the daemon's serialisation buffer.
  const runs = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      i % 2 === 0
        ? collect(tsKey, { maxRowsPerChunk: 7 + i }).then((b) => ({ key: "ts", values: ints(b, "price") }))
        : collect(intKey, { maxRowsPerChunk: 3 + i }).then((b) => ({ key: "int", values: ints(b, "v") })),
    ),
  );
  for (const run of runs) t.deepEqual(run.values, run.key === "ts" ? range(0, 1000) : range(0, 100));
});
