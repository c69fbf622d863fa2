import test from "ava";
import { Dictionary, Field, Int8, Int32, LargeUtf8, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from "apache-arrow";
import type { DataType, Vector } from "apache-arrow";
import { concatBatches, gather } from "../../../server/src/store/arrow/gather.js";
import { cells } from "./arrow-fixtures.js";

const symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "META", "NVDA", "TSLA", "NFLX"];

/** A batch of one dictionary column `s` of `type` over its own copy of `words`, rows pointing at `indices`. */
function dictionaryBatch(type: Dictionary, dictionary: Vector, indices: readonly number[], nulls: readonly number[] = []): RecordBatch {
  const IndexArray = type.indices.ArrayType as new (values: readonly number[]) => Int32Array;
  const nullBitmap = new Uint8Array(8).fill(0xff);
  for (const row of nulls) nullBitmap[row >> 3] &= ~(1 << (row & 7));
  const column = makeData({
    type,
    length: indices.length,
    nullCount: nulls.length,
    nullBitmap: nulls.length > 0 ? nullBitmap : null,
    data: new IndexArray(indices),
    dictionary,
  });
  const fields = [new Field("s", type, true)];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: indices.length, nullCount: 0, children: [column] }));
}

/** A dictionary vector of its own holding `words`, as an IPC decoder builds one per batch. */
function ownDictionary(words: readonly (string | null)[], valueType: DataType = new Utf8()): Vector {
  return vectorFromArray([...words], valueType as Utf8);
}

function dictionaryOf(batch: RecordBatch): Vector | undefined {
  return batch.data.children[0]!.dictionary;
}

const int32 = () => new Dictionary(new Utf8(), new Int32());

/**
 * Two-batch inputs (the first batch's dictionary holds `symbols` unless `first` says otherwise) and whether the
 * output must keep the first batch's dictionary rather than unify the two.
 */
const cases: { title: string; second: () => Vector; shared: boolean; type?: () => Dictionary; first?: () => Vector }[] = [
  { title: "the same values in a dictionary of their own", second: () => ownDictionary(symbols), shared: true },
  {
    title: "the same values in a dictionary sliced from a larger one",
    second: () => ownDictionary(["ZZZZ", ...symbols, "QQ"]).slice(1, 1 + symbols.length),
    shared: true,
  },
  { title: "the same values as LargeUtf8", second: () => ownDictionary(symbols, new LargeUtf8()), shared: true, type: () => new Dictionary(new LargeUtf8(), new Int32()) },
  { title: "other values", second: () => ownDictionary([...symbols].reverse()), shared: false },
  { title: "one value more", second: () => ownDictionary([...symbols, "IBM"]), shared: false },
  { title: "values of the same bytes cut elsewhere", second: () => ownDictionary(["AAPLM", "SFT", ...symbols.slice(2)]), shared: false },
  {
    // Compared by identity only, so that a row pointing at the null is still reported by the unifier.
    title: "the same values with a null",
    first: () => ownDictionary([...symbols.slice(0, 7), null]),
    second: () => ownDictionary([...symbols.slice(0, 7), null]),
    shared: false,
  },
];

const firstRows = [0, 1, 2, 3, 4, 5, 6, 0, 0, 3];
const secondRows = [6, 5, 4, 1, 1, 0];

for (const { title, second, shared, type = int32, first: firstDictionary = () => ownDictionary(symbols, type().dictionary) } of cases) {
  test(`concatBatches of batches whose dictionaries hold ${title} ${shared ? "keeps the first dictionary" : "unifies them"}`, (t) => {
    const first = dictionaryBatch(type(), firstDictionary(), firstRows);
    const other = dictionaryBatch(type(), second(), secondRows);
    const out = concatBatches([first, other], first.schema);
    const secondWords = [...(dictionaryOf(other) as Vector)] as string[];
    t.deepEqual(cells(out, "s"), [...firstRows.map((i) => symbols[i]), ...secondRows.map((i) => secondWords[i])]);
    t.is(dictionaryOf(out) === dictionaryOf(first), shared);
  });

  test(`gather of rows of batches whose dictionaries hold ${title} ${shared ? "keeps the first dictionary" : "unifies them"}`, (t) => {
    const first = dictionaryBatch(type(), firstDictionary(), firstRows);
    const other = dictionaryBatch(type(), second(), secondRows);
    // Interleaved single rows: the row-by-row kernel, not the run copier.
    const picks = { source: Uint8Array.of(1, 0, 1, 0, 0, 1), row: Uint32Array.of(0, 9, 3, 1, 2, 5) };
    const out = gather([first, other], picks, first.schema);
    const words = [symbols, [...(dictionaryOf(other) as Vector)] as string[]];
    const rows = [firstRows, secondRows];
    t.deepEqual(cells(out, "s"), Array.from(picks.row, (row, k) => words[picks.source[k]!]![rows[picks.source[k]!]![row]!]));
    t.is(dictionaryOf(out) === dictionaryOf(first), shared);
  });
}

test("concatBatches keeps a dictionary shared by value across batches of other index types, rewriting the indices", (t) => {
  const narrow = new Dictionary(new Utf8(), new Int8());
  const first = dictionaryBatch(int32(), ownDictionary(symbols), firstRows);
  const other = dictionaryBatch(narrow, ownDictionary(symbols), secondRows, [2]);
  const out = concatBatches([first, other], first.schema);
  t.deepEqual(cells(out, "s"), [...firstRows.map((i) => symbols[i]), ...secondRows.map((i, k) => (k === 2 ? null : symbols[i]))]);
  t.is(dictionaryOf(out), dictionaryOf(first));
  t.true(out.data.children[0]!.values instanceof Int32Array);
});

test("concatBatches copies the indices of batches sharing a dictionary by value as they are", (t) => {
  const batches = Array.from({ length: 5 }, (_, b) =>
    dictionaryBatch(int32(), ownDictionary(symbols), Array.from({ length: 1000 }, (_, i) => (i * (b + 3)) & 7)),
  );
  const out = concatBatches(batches, batches[0]!.schema);
  const expected = Int32Array.from(batches.flatMap((batch) => [...(batch.data.children[0]!.values as Int32Array)]));
  t.deepEqual(out.data.children[0]!.values, expected);
  t.is(dictionaryOf(out), dictionaryOf(batches[0]!));
});
