import test from "ava";
import { Field, Int64, Null, RecordBatch, Schema, Struct, Table, makeData, makeVector } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues } from "./helpers/market-data.js";

const key = { symbol: "NULLS", year: "2024", month: "1" };

/** Rows `ts` with a Null-typed column `nothing`, as a batch of a schema declaring it nullable. */
function batchOf(ts: readonly number[]): RecordBatch {
  const fields = [new Field("ts", new Int64(), false), new Field("nothing", new Null(), true)];
  const children = [
    makeData({ type: new Int64(), length: ts.length, data: BigInt64Array.from(ts, BigInt) }),
    makeData({ type: new Null(), length: ts.length }),
  ];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ts.length, nullCount: 0, children }));
}

test(
  "a Null column is cut into row groups, merged and deduplicated, and reads back as nulls",
  daemonTest(async (t, { client }) => {
    // Row groups of 2 rows: the engine slices the column, which leaves apache-arrow's null count unknown (-1).
    await client.write(key, batchOf([1, 2, 3, 4, 5]), { orderedOn: "ts", rowGroupTarget: 2 });
    await client.write(key, batchOf([2, 3, 6]), { rowGroupTarget: 2, duplicatesOn: [] });
    const back = await client.read(key);
    t.deepEqual(Array.from(columnValues(back, "ts") as BigInt64Array, Number), [1, 2, 3, 4, 5, 6]);
    t.deepEqual([...back.getChild("nothing")!], [null, null, null, null, null, null]);
    const part = await client.read(key, { start: 2n, end: 5n, columns: ["nothing", "ts"] });
    t.is(part.numRows, 3);
  }),
);

test(
  "a Null column of a table built from vectors (apache-arrow declares it non-nullable) is accepted",
  daemonTest(async (t, { client }) => {
    const table = new Table({
      ts: makeVector(makeData({ type: new Int64(), length: 3, data: new BigInt64Array([1n, 2n, 3n]) })),
      nothing: makeVector(makeData({ type: new Null(), length: 3 })),
    });
    t.false(table.schema.fields[1]!.nullable);
    const result = await client.write(key, table, { orderedOn: "ts" });
    t.is(result.totalRows, 3);
    await client.write(key, table.slice(1), { duplicatesOn: ["nothing"] });
    t.is((await client.read(key)).numRows, 3);
  }),
);
