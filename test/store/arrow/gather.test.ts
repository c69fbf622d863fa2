import test from "ava";
import { Bool, Dictionary, Field, Float64, Int8, Int32, List, Schema, Table, Utf8, vectorFromArray } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { OupsError } from "../../../server/src/store/errors.js";
import { concatBatches, gather } from "../../../server/src/store/arrow/gather.js";
import { type Cell, type ColumnSpec, batchOf, cells, sampleColumns } from "./arrow-fixtures.js";

/** The sample columns reversed, with a dictionary value the forward samples do not have. */
const reversedColumns: readonly ColumnSpec[] = sampleColumns.map((column) => {
  const values = [...column.values].reverse();
  if (column.type instanceof Dictionary) values[1] = "NEW";
  return { ...column, values };
});

const forward = batchOf(sampleColumns);
const reversed = batchOf(reversedColumns);

function picksOf(pairs: readonly (readonly [number, number])[]) {
  return { source: Uint8Array.from(pairs, ([s]) => s), row: Uint32Array.from(pairs, ([, r]) => r) };
}

function expectedCells(sources: readonly (readonly ColumnSpec[])[], name: string, pairs: readonly (readonly [number, number])[]): Cell[] {
  return pairs.map(([s, r]) => sources[s].find((c) => c.name === name)!.values[r]);
}

const pairs = [[1, 5], [0, 0], [0, 3], [1, 2], [1, 0], [0, 5], [0, 2], [1, 1], [0, 4], [1, 3], [0, 1], [1, 4]] as const;

for (const column of sampleColumns) {
  test(`gather copies picked rows of a ${String(column.type)} column from two sources, nulls included`, (t) => {
    const out = gather([forward, reversed], picksOf(pairs), forward.schema);
    t.is(out.numRows, pairs.length);
    t.is(out.getChild(column.name)!.data.length, 1);
    t.deepEqual(cells(out, column.name), expectedCells([sampleColumns, reversedColumns], column.name, pairs));
  });
}

test("gather copies long runs of picks whole, for every supported type", (t) => {
  const first = concatBatches([forward, reversed, forward, forward.slice(2)], forward.schema);
  const second = concatBatches([reversed, forward, reversed], forward.schema);
  const specsOf = (parts: readonly (readonly ColumnSpec[])[], name: string) =>
    parts.flatMap((specs) => specs.find((c) => c.name === name)!.values);
  const runs = [[0, 3, 12], [1, 0, 10], [0, 15, 7], [1, 10, 8], [0, 0, 3]] as const;
  const picks = picksOf(runs.flatMap(([s, from, count]) => Array.from({ length: count }, (_, i) => [s, from + i] as const)));
  const out = gather([first, new Table([second.slice(0, 7), second.slice(7)])], picks, forward.schema);
  for (const column of sampleColumns) {
    const values = [
      specsOf([sampleColumns, reversedColumns, sampleColumns, sampleColumns.map((c) => ({ ...c, values: c.values.slice(2) }))], column.name),
      specsOf([reversedColumns, sampleColumns, reversedColumns], column.name),
    ];
    t.deepEqual(cells(out, column.name), runs.flatMap(([s, from, count]) => values[s].slice(from, from + count)), column.name);
  }
});

test("gather gives the batch the fields of the schema it is given", (t) => {
  const out = gather([forward, reversed], picksOf(pairs), forward.schema);
  t.deepEqual(out.schema.fields, forward.schema.fields);
});

test("gather reads tables of several sliced batches", (t) => {
  const table = new Table([forward.slice(0, 1), forward.slice(1, 4), forward.slice(4, 4), forward.slice(4)]);
  const twice = [[0, 5], [1, 1], [0, 0], [0, 4], [1, 3], [0, 3], [0, 1], [0, 2], [1, 0], [0, 1]] as const;
  const out = gather([table, reversed], picksOf(twice), forward.schema);
  for (const column of sampleColumns) {
    t.deepEqual(cells(out, column.name), expectedCells([sampleColumns, reversedColumns], column.name, twice), column.name);
  }
});

test("gather reads batches sliced at bit offsets that are not byte aligned", (t) => {
  const flags = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? null : i % 3 === 0));
  const source = batchOf([{ name: "b", type: new Bool(), values: flags }]);
  const slice = source.slice(5, 37);
  const rows = Array.from({ length: 32 }, (_, i) => (i * 13) % 32);
  const out = gather([slice], { source: new Uint8Array(32), row: Uint32Array.from(rows) }, source.schema);
  t.deepEqual(cells(out, "b"), rows.map((r) => flags[5 + r]));
});

test("gather unifies differing dictionaries, keeping only the values in use", (t) => {
  const out = gather([forward, reversed], picksOf([[1, 1], [0, 4], [0, 2]]), forward.schema);
  const dict = out.getChild("dict8")!.data[0].dictionary!;
  t.deepEqual(dict.toArray(), ["NEW", "GOOG"]);
  t.deepEqual(cells(out, "dict8"), ["NEW", "GOOG", null]);
});

test("gather keeps a dictionary shared by every chunk", (t) => {
  const table = new Table([forward.slice(0, 3), forward.slice(3)]);
  const out = gather([table], picksOf([[0, 5], [0, 0]]), forward.schema);
  t.is(out.getChild("dict16")!.data[0].dictionary, forward.getChild("dict16")!.data[0].dictionary);
  t.deepEqual(cells(out, "dict16"), ["a", null]);
});

test("gather writes dictionary indices of the schema's index type", (t) => {
  const narrow = new Schema([new Field("dict32", new Dictionary(new Utf8(), new Int8()), true)]);
  const out = gather([forward, reversed], picksOf(pairs), narrow);
  const data = out.getChild("dict32")!.data[0];
  t.true(data.values instanceof Int8Array);
  t.deepEqual(cells(out, "dict32"), expectedCells([sampleColumns, reversedColumns], "dict32", pairs));
});

test("gather rejects more dictionary values than the index type holds", (t) => {
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const source = batchOf([{ name: "d", type: new Dictionary(new Utf8(), new Int32()), values: words }]);
  const narrow = new Schema([new Field("d", new Dictionary(new Utf8(), new Int8()), true)]);
  const other = batchOf([{ name: "d", type: new Dictionary(new Utf8(), new Int32()), values: ["x"] }]);
  const row = Uint32Array.from(words.keys());
  const error = t.throws(() => gather([source, other], { source: new Uint8Array(200), row }, narrow), {
    instanceOf: OupsError,
  });
  t.is(error?.code, "INVALID_ARGUMENT");
  t.regex(error?.message ?? "", /column "d": 200 dictionary values do not fit Int8 indices/);
});

test("gather with no picks gives an empty batch of the schema", (t) => {
  const out = gather([forward], picksOf([]), forward.schema);
  t.is(out.numRows, 0);
  t.deepEqual(out.schema.fields, forward.schema.fields);
  t.deepEqual(cells(out, "utf8"), []);
});

const badPicks = [
  { title: "more source numbers than row numbers", picks: { source: new Uint8Array(2), row: new Uint32Array(1) }, message: /picks have 2 source numbers but 1 row numbers/ },
  { title: "a row beyond the source", picks: picksOf([[0, 0], [1, 6]]), message: /pick 1: row 6 is out of range for source 1 of 6 rows/ },
  { title: "an unknown source", picks: picksOf([[2, 0]]), message: /pick 0: no source 2 among 2/ },
];
for (const { title, picks, message } of badPicks) {
  test(`gather rejects picks with ${title}`, (t) => {
    const error = t.throws(() => gather([forward, reversed], picks, forward.schema), { instanceOf: OupsError });
    t.is(error?.code, "INVALID_ARGUMENT");
    t.regex(error?.message ?? "", message);
  });
}

test("gather rejects picks out of range in a table of several batches", (t) => {
  const table = new Table([forward.slice(0, 2), forward.slice(2)]);
  const error = t.throws(() => gather([table], picksOf([[0, 6]]), forward.schema), { instanceOf: OupsError });
  t.is(error?.code, "INVALID_ARGUMENT");
});

test("gather rejects a source missing a column of the schema", (t) => {
  const partial = batchOf([{ name: "i8", type: new Int8(), values: [1] }]);
  const error = t.throws(() => gather([forward, partial], picksOf([[1, 0]]), forward.schema), { instanceOf: OupsError });
  t.is(error?.code, "SCHEMA_MISMATCH");
  t.regex(error?.message ?? "", /column "i16" is missing from source 1/);
});

test("gather rejects a source whose column has another type", (t) => {
  const schema = new Schema([new Field("x", new Float64(), true)]);
  const other = batchOf([{ name: "x", type: new Int32(), values: [1] }]);
  const error = t.throws(() => gather([other], picksOf([[0, 0]]), schema), { instanceOf: OupsError });
  t.is(error?.code, "SCHEMA_MISMATCH");
  t.is(error?.message, 'column "x": expected Float64, got Int32 in source 0');
});

test("gather rejects a column type it does not handle, naming column and type", (t) => {
  const lists = vectorFromArray([[1], [2, 3]], new List(new Field("item", new Int32(), true)));
  const schema = new Schema([new Field("l", lists.type, true)]);
  const table = new Table(schema, [new Table({ l: lists }).batches[0]]);
  const error = t.throws(() => gather([table], picksOf([[0, 1]]), schema), { instanceOf: OupsError });
  t.is(error?.code, "INVALID_ARGUMENT");
  t.is(error?.message, 'column "l" has unsupported type List<Int32>');
});

function concatExpectation(parts: readonly { specs: readonly ColumnSpec[]; from: number; to: number }[], name: string): Cell[] {
  return parts.flatMap(({ specs, from, to }) => specs.find((c) => c.name === name)!.values.slice(from, to));
}

test("concatBatches joins batches of every supported type into one contiguous batch", (t) => {
  const parts: RecordBatch[] = [forward.slice(1, 4), reversed, forward.slice(3), forward];
  const out = concatBatches(parts, forward.schema);
  const expected = [
    { specs: sampleColumns, from: 1, to: 4 },
    { specs: reversedColumns, from: 0, to: 6 },
    { specs: sampleColumns, from: 3, to: 6 },
    { specs: sampleColumns, from: 0, to: 6 },
  ];
  t.is(out.numRows, 18);
  for (const column of sampleColumns) {
    t.is(out.getChild(column.name)!.data.length, 1);
    t.deepEqual(cells(out, column.name), concatExpectation(expected, column.name), column.name);
  }
});

test("concatBatches copies bits of batches sliced at unaligned offsets", (t) => {
  const values = Array.from({ length: 100 }, (_, i) => (i % 11 === 5 ? null : (i * 7) % 3 === 1));
  const source = batchOf([
    { name: "b", type: new Bool(), values },
    { name: "n", type: new Int32(), values: values.map((v, i) => (v === null ? null : i)) },
  ]);
  const slices = [[3, 50], [50, 97], [11, 100], [0, 5], [9, 10]] as const;
  const out = concatBatches(slices.map(([from, to]) => source.slice(from, to)), source.schema);
  t.deepEqual(cells(out, "b"), slices.flatMap(([from, to]) => values.slice(from, to)));
  t.deepEqual(cells(out, "n"), slices.flatMap(([from, to]) => values.slice(from, to).map((v, i) => (v === null ? null : from + i))));
});

test("concatBatches of one batch reuses its buffers", (t) => {
  const out = concatBatches([forward], forward.schema);
  t.is(out.getChild("f64")!.data[0].values, forward.getChild("f64")!.data[0].values);
  t.deepEqual(cells(out, "utf8"), cells(forward, "utf8"));
});

test("concatBatches matches columns by name", (t) => {
  const ab = batchOf([
    { name: "a", type: new Int32(), values: [1, 2] },
    { name: "b", type: new Utf8(), values: ["x", null] },
  ]);
  const ba = batchOf([
    { name: "b", type: new Utf8(), values: ["y"] },
    { name: "a", type: new Int32(), values: [3] },
  ]);
  const out = concatBatches([ab, ba], ab.schema);
  t.deepEqual(cells(out, "a"), [1, 2, 3]);
  t.deepEqual(cells(out, "b"), ["x", null, "y"]);
});

test("concatBatches of no batches gives an empty batch", (t) => {
  const out = concatBatches([], forward.schema);
  t.is(out.numRows, 0);
  t.deepEqual(cells(out, "dict8"), []);
});
