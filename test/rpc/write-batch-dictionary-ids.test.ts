import test from "ava";
import { Dictionary, Field, Int32, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues } from "./helpers/market-data.js";

const key = { symbol: "IDS", year: "2024", month: "1" };

/** A batch built on its own, as a producer emits them: its dictionary type is new, so its dictionary id too. */
function batchOf(first: number, words: readonly string[]): RecordBatch {
  const wordType = new Dictionary(new Utf8(), new Int32());
  const fields = [new Field("n", new Int64(), false), new Field("word", wordType, true)];
  const dictionary = [...new Set(words)];
  const children = [
    makeData({ type: new Int64(), length: words.length, data: BigInt64Array.from(words, (_, i) => BigInt(first + i)) }),
    makeData({ type: wordType, length: words.length, data: Int32Array.from(words, (w) => dictionary.indexOf(w)), dictionary: vectorFromArray(dictionary, new Utf8()) }),
  ];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: words.length, nullCount: 0, children }));
}

test(
  "one write of batches whose dictionary types (and ids) differ stores every batch with its own words",
  daemonTest(async (t, { client }) => {
    const batches = [batchOf(0, ["a", "b"]), batchOf(2, ["c"]), batchOf(3, ["d", "a"])];
    t.not(batches[0]!.schema.fields[1]!.type.id, batches[1]!.schema.fields[1]!.type.id);
    const result = await client.write(key, batches, { orderedOn: "n" });
    t.is(result.totalRows, 5);
    t.deepEqual([...(columnValues(await client.read(key, { columns: ["n", "word"] }), "word") as string[])], ["a", "b", "c", "d", "a"]);
  }),
);
