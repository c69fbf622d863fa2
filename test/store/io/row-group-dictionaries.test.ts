import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { Dictionary, Field, Float64, Int32, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableFromIPC, tableToIPC, vectorFromArray } from "apache-arrow";
import { ParquetPool } from "../../../server/src/store/io/parquet-pool.js";

const pool = ParquetPool.create({ size: 1 });
test.after.always(() => pool.close());

const symbol = new Dictionary(new Utf8(), new Int32());
const schema = new Schema([new Field("sym", symbol, false), new Field("px", new Float64(), false)]);

/** A batch whose `sym` column has a dictionary of its own holding `words`, as an IPC decoder gives each batch. */
function batch(words: readonly string[], indices: readonly number[]): RecordBatch {
  const px = Float64Array.from(indices, (_, i) => i / 4);
  const children = [
    makeData({ type: symbol, length: indices.length, nullCount: 0, data: Int32Array.from(indices), dictionary: vectorFromArray([...words], new Utf8()) }),
    makeData({ type: new Float64(), length: px.length, nullCount: 0, data: px }),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: indices.length, nullCount: 0, children }));
}

test("a row-group file written from batches that each carry their own dictionary reads back row for row", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "oups-dictionaries-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Equal dictionaries in objects of their own, then other values: the stream holds replacement dictionaries.
  const table = new Table(schema, [
    batch(["a", "b", "c"], [0, 1, 2, 2]),
    batch(["a", "b", "c"], [2, 0]),
    batch(["z", "a"], [0, 1, 0]),
    batch(["a", "b", "c"], [1]),
  ]).slice(1);
  const path = join(dir, "dictionaries.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(table, "stream"), { dictionaryColumns: ["sym"] });
  const back = tableFromIPC(await pool.readRowGroupFile(path));
  t.deepEqual([...back.getChild("sym")!], [...table.getChild("sym")!]);
  t.deepEqual([...back.getChild("px")!], [...table.getChild("px")!]);
  t.is(String(back.schema.fields[0]!.type), String(symbol));
});
