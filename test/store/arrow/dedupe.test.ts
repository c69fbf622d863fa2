import test from "ava";
import { Dictionary, Field, Float64, Int8, Int64, RecordBatch, Schema, Struct, Utf8, Vector, makeData } from "apache-arrow";
import { OupsError } from "../../../server/src/store/errors.js";
import { dropDuplicatesKeepLast } from "../../../server/src/store/arrow/dedupe.js";
import { type Cell, batchOf, cells, rowsOf, sampleColumns } from "./arrow-fixtures.js";

const trades = batchOf([
  { name: "ts", type: new Int64(), values: [1n, 1n, 1n, 2n, 2n, 3n, 4n, 4n] },
  { name: "sym", type: new Utf8(), values: ["a", "b", "a", "a", "a", "b", null, null] },
  { name: "px", type: new Float64(), values: [10, 11, 12, 13, 13, 14, Number.NaN, Number.NaN] },
  { name: "id", type: new Int8(), values: [0, 1, 2, 3, 4, 5, 6, 7] },
]);

const cases = [
  { title: "on the listed columns", columns: ["sym"], kept: [1, 2, 4, 5, 7] },
  { title: "on the ordered column alone", columns: [], kept: [2, 4, 5, 7] },
  { title: "on the ordered column listed explicitly", columns: ["ts"], kept: [2, 4, 5, 7] },
  { title: "on several columns, NaN equal to NaN", columns: ["sym", "px"], kept: [0, 1, 2, 4, 5, 7] },
  { title: "on a column listed twice", columns: ["px", "px"], kept: [0, 1, 2, 4, 5, 7] },
];
for (const { title, columns, kept } of cases) {
  test(`dropDuplicatesKeepLast keeps the last duplicate ${title}`, (t) => {
    const out = dropDuplicatesKeepLast(trades, columns, "ts");
    t.deepEqual(cells(out, "id"), kept);
  });
}

test('dropDuplicatesKeepLast with "all" compares every column', (t) => {
  const rows = batchOf([
    { name: "ts", type: new Int64(), values: [1n, 1n, 1n, 2n] },
    { name: "sym", type: new Utf8(), values: ["a", "a", "a", "a"] },
    { name: "qty", type: new Int8(), values: [1, 2, 1, 1] },
  ]);
  t.deepEqual(rowsOf(dropDuplicatesKeepLast(rows, "all", "ts")), [[1n, "a", 2], [1n, "a", 1], [2n, "a", 1]]);
});

test("dropDuplicatesKeepLast returns the batch itself when nothing is dropped", (t) => {
  t.is(dropDuplicatesKeepLast(trades, ["id"], "ts"), trades);
  const empty = trades.slice(0, 0);
  t.is(dropDuplicatesKeepLast(empty, "all", "ts"), empty);
});

test("dropDuplicatesKeepLast rejects an unknown key column", (t) => {
  const error = t.throws(() => dropDuplicatesKeepLast(trades, ["venue"], "ts"), { instanceOf: OupsError });
  t.is(error?.code, "INVALID_ARGUMENT");
  t.is(error?.message, 'duplicate key column "venue" not found');
});

test("dropDuplicatesKeepLast compares dictionary values, not indices", (t) => {
  const type = new Dictionary(new Utf8(), new Int8());
  const dictionary = new Vector([makeData({ type: new Utf8(), length: 2, valueOffsets: Int32Array.of(0, 1, 2), data: Uint8Array.of(97, 97) })]);
  const sym = makeData({ type, length: 3, data: Int8Array.of(0, 1, 0), dictionary });
  const ts = makeData({ type: new Int64(), length: 3, data: BigInt64Array.of(1n, 1n, 2n) });
  const fields = [new Field("ts", ts.type, false), new Field("sym", type, true)];
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: [ts, sym] }));
  t.deepEqual(rowsOf(dropDuplicatesKeepLast(batch, ["sym"], "ts")), [[1n, "a"], [2n, "a"]]);
});

test("dropDuplicatesKeepLast takes a row pointing to a null dictionary entry for a null", (t) => {
  const type = new Dictionary(new Utf8(), new Int8());
  const values = makeData({ type: new Utf8(), length: 2, nullCount: 1, nullBitmap: Uint8Array.of(0b10), valueOffsets: Int32Array.of(0, 0, 1), data: Uint8Array.of(97) });
  const sym = makeData({ type, length: 4, nullCount: 1, nullBitmap: Uint8Array.of(0b1011), data: Int8Array.of(0, 1, 0, 0), dictionary: new Vector([values]) });
  const ts = makeData({ type: new Int64(), length: 4, data: BigInt64Array.of(1n, 1n, 1n, 1n) });
  const fields = [new Field("ts", ts.type, false), new Field("sym", type, true)];
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 4, nullCount: 0, children: [ts, sym] }));
  const out = dropDuplicatesKeepLast(batch, ["sym"], "ts");
  t.is(out.numRows, 2);
  t.deepEqual(cells(out, "sym"), ["a", null]);
});

/** A key for the reference: equal as pandas compares (null = null, NaN = NaN, -0 = 0, bytes by content). */
function referenceKey(value: Cell): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return `bytes:${value.join(",")}`;
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : `n:${value === 0 ? 0 : value}`;
  return `${typeof value}:${String(value)}`;
}

const keyValues = new Map<string, Cell[]>([
  ["i8", [1, 1, null, null, 2]],
  ["i64", [2n ** 62n, 2n ** 62n, null, 5n, null]],
  ["u64", [2n ** 64n - 1n, 2n ** 64n - 1n, 0n, null, 0n]],
  ["f64", [Number.NaN, Number.NaN, -0, 0, null]],
  ["bool", [true, false, true, null, null]],
  ["utf8", ["a|b", "a", "a|b", "", ""]],
  ["bin", [Uint8Array.of(1, 2), Uint8Array.of(1), Uint8Array.of(1, 2), null, Uint8Array.of()]],
  ["ts_ns", [3n, 3n, 4n, null, 4n]],
  ["d32", [1, 2, 1, 2, null]],
  ["dict16", ["x", null, "x", "y", null]],
]);
// Runs up to 16 rows are compared pairwise, longer ones by key: both ways must agree with the reference.
for (const repeat of [1, 4]) {
  for (const column of sampleColumns) {
    const base = keyValues.get(column.name) ?? [column.values[0], column.values[1], column.values[0], column.values[2], column.values[2]];
    const values = Array.from({ length: repeat }, () => base).flat();
    test(`dropDuplicatesKeepLast compares ${String(column.type)} values as pandas does in a run of ${values.length}`, (t) => {
      const batch = batchOf([
        { name: "ts", type: new Int64(), values: values.map(() => 7n) },
        { name: "k", type: column.type, values },
        { name: "row", type: new Int8(), values: values.map((_, i) => i) },
      ]);
      const keys = values.map(referenceKey);
      const expected = values.map((_, i) => i).filter((i) => keys.lastIndexOf(keys[i]) === i);
      t.deepEqual(cells(dropDuplicatesKeepLast(batch, ["k"], "ts"), "row"), expected);
    });
  }
}
