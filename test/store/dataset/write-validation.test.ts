import test from "ava";
import { Data, DenseUnion, Field, Float64, Int64, RecordBatch, Schema, Struct, Utf8, makeData } from "apache-arrow";
import { OupsError } from "../../../server/src/store/errors.js";
import { batchesOf, readAll, rows, sharedStoreTest, snapshotFiles, span, tableOfRows, testRowsOf, writeTable } from "../../helpers/engine.js";

// Windows of two rows: batches before the malformed one are merged, and their files written, before it arrives.
const windowedTest = sharedStoreTest({ writeWindowRows: 2 });
const stored = rows(span(0, 10));

/** Batch of the standard columns for rows `ts`, whose `v` column claims its rows over only `held` values. */
function shortValuesBatch(ts: bigint[], held: number): RecordBatch {
  const good = batchesOf(tableOfRows(rows(ts)), ts.length)[0]!;
  const [tsData, , tagData] = good.data.children as Data[];
  const v = new Data(new Float64(), 0, ts.length, 0, [undefined, new Float64Array(held), undefined] as unknown as ConstructorParameters<typeof Data>[4]);
  return new RecordBatch(good.schema, makeData({ type: new Struct(good.schema.fields), length: ts.length, nullCount: 0, children: [tsData!, v, tagData!] }));
}

test(
  "a malformed batch late in a write fails it with INVALID_ARGUMENT naming the batch and column, and nothing is committed",
  windowedTest(async (t, { store, key, datasetDir }) => {
    await writeTable(store, key, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 4 });
    const generation = (await store.describe(key)).generation;
    const before = await snapshotFiles(datasetDir());
    const good = batchesOf(tableOfRows(rows(span(20, 26))), 2);
    const input = { schema: good[0]!.schema, batches: [...good, shortValuesBatch([30n, 31n, 32n], 1)] };
    const err = await t.throwsAsync(store.write(key, input, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.is(err?.message, 'batch 4, column "v": values buffer holds 1 of its 3 rows (a buffer past the message body, or a row count larger than the body?)');
    t.is((await store.describe(key)).generation, generation, "no commit");
    t.deepEqual(await snapshotFiles(datasetDir()), before, "no file created, changed or deleted");
    t.deepEqual(testRowsOf(await readAll(store, key)), stored);
  }),
);

test(
  "duplicate column names fail a write before any of its batches is read, and create no dataset",
  windowedTest(async (t, { store, key }) => {
    const fields = [new Field("ts", new Int64(), true), new Field("v", new Float64(), true), new Field("v", new Utf8(), true)];
    let pulled = 0;
    function* batches(): Generator<RecordBatch> {
      pulled++;
    }
    const err = await t.throwsAsync(store.write(key, { schema: new Schema(fields), batches: batches() }, { orderedOn: "ts" }), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", /duplicate column name "v"/);
    t.is(pulled, 0);
    await t.throwsAsync(store.describe(key), { instanceOf: OupsError, message: /no dataset/ });
  }),
);

test(
  "a column of a type the store does not keep fails the write at its schema",
  windowedTest(async (t, { store, key }) => {
    const fields = [new Field("ts", new Int64(), true), new Field("s", new DenseUnion([0], [new Field("a", new Int64(), true)]), true)];
    const err = await t.throwsAsync(store.write(key, { schema: new Schema(fields), batches: [] }, { orderedOn: "ts" }), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", /column "s" has unsupported type .*Parquet has no union type/);
  }),
);
