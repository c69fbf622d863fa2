import test from "ava";
import { Dictionary, Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues } from "./helpers/market-data.js";

const key = { symbol: "DICT", year: "2024", month: "1" };
const wordType = new Dictionary(new Utf8(), new Int32(), 0);
const schema = new Schema([new Field("n", new Int64(), true), new Field("word", wordType, true)]);

/** Rows `n = first, first + 1, …` with these words, dictionary-encoded with a dictionary of this batch's own. */
function batchOf(first: number, words: readonly string[]): RecordBatch {
  const dictionary = [...new Set(words)];
  const children = [
    makeData({ type: new Int64(), length: words.length, data: BigInt64Array.from(words, (_, i) => BigInt(first + i)) }),
    makeData({ type: wordType, length: words.length, data: Int32Array.from(words, (w) => dictionary.indexOf(w)), dictionary: vectorFromArray(dictionary, new Utf8()) }),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: words.length, nullCount: 0, children }));
}

test(
  "batches of one write with different dictionaries, and later writes with others, read back with their own words",
  daemonTest(async (t, { client }) => {
    // Each batch replaces the IPC stream's dictionary: the daemon must decode every batch with its own.
    await client.write(key, [batchOf(0, ["a", "b", "a"]), batchOf(3, ["x", "y", "z", "x"])], { orderedOn: "n" });
    t.deepEqual([...(columnValues(await client.read(key), "word") as string[])], ["a", "b", "a", "x", "y", "z", "x"]);
    // Rows merged into the existing row groups, with words of yet other dictionaries.
    await client.write(key, [batchOf(1, ["q"]), batchOf(5, ["r", "s"])]);
    const back = await client.read(key);
    t.deepEqual(Array.from(columnValues(back, "n") as BigInt64Array, Number), [0, 1, 1, 2, 3, 4, 5, 5, 6, 6]);
    t.deepEqual([...(columnValues(back, "word") as string[])], ["a", "b", "q", "a", "x", "y", "z", "r", "x", "s"]);
  }),
);
