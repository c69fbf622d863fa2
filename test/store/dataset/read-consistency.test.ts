import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { Table } from "apache-arrow";
import type { RangeRead } from "../../../server/src/store/dataset/read-range.js";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import { OupsError } from "../../../server/src/store/errors.js";
import {
  engineTest,
  fileNames,
  listedFiles,
  readAll,
  rows,
  sharedStoreTest,
  span,
  tableOfRows,
  testKey,
  testRowsOf,
  writeTable,
} from "../../helpers/engine.js";

const sharedTest = sharedStoreTest();

const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 5 };
const stored = rows(span(0, 30));
/** Rewrites every row group but the first and the last. */
const update = rows(span(5, 25), (i) => 100 + i);

async function drain(read: RangeRead, into: RecordBatch[] = []): Promise<RecordBatch[]> {
  for await (const batch of read.batches()) into.push(batch);
  return into;
}

test(
  "a read opened before a write commits returns the rows of its own generation, and the files it reads outlive the commit",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), options);
    const oldFiles = await listedFiles(fixture.store);
    const read = await fixture.store.openRange(testKey, {});
    await writeTable(fixture.store, testKey, tableOfRows(update), { ...options, duplicatesOn: ["ts"] });
    const current = await listedFiles(fixture.store);
    const obsolete = oldFiles.filter((f) => !current.includes(f));
    t.is(obsolete.length, 4);
    const onDisk = await fileNames(fixture.datasetDir());
    t.deepEqual(obsolete.filter((f) => !onDisk.includes(f)), [], "obsolete files are still on disk while the read is open");

    t.deepEqual(testRowsOf(new Table(await drain(read))), stored, "the read sees its generation");
    t.deepEqual(testRowsOf(await readAll(fixture.store, testKey)), [...stored.slice(0, 5), ...update, ...stored.slice(25)], "a new read sees the commit");

    await fixture.reopen();
    const left = await fileNames(fixture.datasetDir());
    t.deepEqual(obsolete.filter((f) => left.includes(f)), [], "obsolete files are deleted once the read is done");
    t.deepEqual(left, ["_manifest.json", ...current].sort());
  }),
);

test(
  "a read partly consumed before a write commits finishes on its own generation",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, tableOfRows(stored), options);
    const read = await store.openRange(key, { maxRowsPerBatch: 3 });
    const batches: RecordBatch[] = [];
    for await (const batch of read.batches()) {
      batches.push(batch);
      if (batches.length === 2) await writeTable(store, key, tableOfRows(update), { ...options, duplicatesOn: ["ts"] });
    }
    t.deepEqual(testRowsOf(new Table(batches)), stored);
  }),
);

test(
  "closing a read that was never consumed releases its generation",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), options);
    const oldFiles = await listedFiles(fixture.store);
    const read = await fixture.store.openRange(testKey, {});
    await writeTable(fixture.store, testKey, tableOfRows(update), { ...options, duplicatesOn: ["ts"] });
    read.close();
    read.close();
    const current = await listedFiles(fixture.store);
    await fixture.reopen();
    const left = await fileNames(fixture.datasetDir());
    t.deepEqual(left, ["_manifest.json", ...current].sort());
    t.true(oldFiles.some((f) => !left.includes(f)));
  }),
);

test(
  "readers of two generations each keep their own files until they finish",
  engineTest(async (t, fixture) => {
    const store = fixture.store;
    await writeTable(store, testKey, tableOfRows(stored), options);
    const first = await store.openRange(testKey, {});
    await writeTable(store, testKey, tableOfRows(update), { ...options, duplicatesOn: ["ts"] });
    const secondRows = testRowsOf(await readAll(store, testKey));
    const second = await store.openRange(testKey, {});
    await writeTable(store, testKey, tableOfRows(rows(span(0, 30), (i) => 200 + i)), { ...options, duplicatesOn: ["ts"] });
    t.deepEqual(testRowsOf(new Table(await drain(first))), stored);
    t.deepEqual(testRowsOf(new Table(await drain(second))), secondRows);
    t.deepEqual(testRowsOf(await readAll(store, testKey)), rows(span(0, 30), (i) => 200 + i));
    const current = await listedFiles(store);
    await fixture.reopen();
    t.deepEqual(await fileNames(fixture.datasetDir()), ["_manifest.json", ...current].sort());
  }),
);

test(
  "a read opened before the dataset is removed still returns its rows, and the files go after it",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), options);
    const read = await fixture.store.openRange(testKey, { start: { kind: "int", value: 10n } });
    await fixture.store.remove(testKey);
    const err = await t.throwsAsync(fixture.store.openRange(testKey, {}), { instanceOf: OupsError });
    t.is(err?.code, "NOT_FOUND");
    t.deepEqual(testRowsOf(new Table(await drain(read))), stored.slice(10));
    await fixture.reopen();
    t.deepEqual(await fileNames(fixture.datasetDir()), []);
  }),
);
