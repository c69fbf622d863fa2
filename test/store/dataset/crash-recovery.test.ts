import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { Int32, Table, Utf8, vectorFromArray } from "apache-arrow";
import { readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rowGroupFileName } from "../../../server/src/store/dataset/row-group-files.js";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Row } from "../../helpers/engine.js";
import {
  batchesOf,
  engineTest,
  fileNames,
  listedFiles,
  readAll,
  rows,
  rowsOf,
  snapshotFiles,
  sharedStoreTest,
  span,
  tableOfRows,
  testKey,
  testRowsOf,
  writeTable,
} from "../../helpers/engine.js";

// Windows of four rows: failed writes have written (and must discard) files well before they fail.
const windowedTest = sharedStoreTest({ writeWindowRows: 4 });

const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 4 };
const stored = rows(span(0, 20, 2));

test(
  "leftover row-group files and a temporary manifest of a crashed write are cleaned up on the next open",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), options);
    const dir = fixture.datasetDir();
    const { nextFileId, generation } = JSON.parse(await readFile(join(dir, "_manifest.json"), "utf8")) as { nextFileId: number; generation: number };
    const listed = await listedFiles(fixture.store);
    // A restarted daemon, before it first touches the dataset, finds what a write that crashed before its commit
    // left: the row groups it had written (one of them half-written) and its temporary manifest.
    const store = await fixture.reopen();
    const leftovers = [rowGroupFileName(nextFileId), rowGroupFileName(nextFileId + 1), `._manifest.json.tmp-${generation + 1}`];
    await writeFile(join(dir, leftovers[0]!), await readFile(join(dir, listed[0]!)));
    await writeFile(join(dir, leftovers[1]!), "PAR1 truncated");
    await writeFile(join(dir, leftovers[2]!), '{"format":1,"generation":');
    await writeFile(join(dir, "notes.txt"), "not the engine's");

    t.deepEqual(testRowsOf(await readAll(store, testKey)), stored);
    t.deepEqual(await fileNames(dir), ["_manifest.json", "notes.txt", ...listed].sort());
    // The next write reuses the ids the crashed one had taken.
    await writeTable(store, testKey, tableOfRows(rows([100, 102])), options);
    t.deepEqual(testRowsOf(await readAll(store, testKey)), [...stored, ...rows([100, 102])]);
    t.true((await listedFiles(store)).includes(leftovers[0]!));
  }),
);

test(
  "a dataset directory holding only leftovers of a crashed first write is no dataset, and a new write cleans it",
  windowedTest(async (t, { store, key, datasetDir }) => {
    const dir = datasetDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, rowGroupFileName(0)), "PAR1 truncated");
    await writeFile(join(dir, "._manifest.json.tmp-1"), "{");
    const err = await t.throwsAsync(store.describe(key), { instanceOf: OupsError });
    t.is(err?.code, "NOT_FOUND");
    t.false((await store.listKeys()).some((listed) => listed.symbol === key.symbol));
    await writeTable(store, key, tableOfRows(stored), options);
    t.deepEqual(testRowsOf(await readAll(store, key)), stored);
    t.deepEqual(await fileNames(dir), ["_manifest.json", ...(await listedFiles(store, key))].sort());
  }),
);

/** Yields `batches`, calling `between(i)` before batch `i` (which may throw or abort). */
async function* stream(batches: readonly RecordBatch[], between: (i: number) => void): AsyncGenerator<RecordBatch> {
  for (const [i, batch] of batches.entries()) {
    between(i);
    yield batch;
  }
  between(batches.length);
}

interface FailedWriteCase {
  title: string;
  /** Whether the dataset holds rows before the failed write. */
  existing: boolean;
  incoming: Row[];
  /** Fails the write before incoming batch `i` (`batches.length`: after the last one). */
  failAt: (batchCount: number) => number;
  how: "throw" | "abort";
}

const failedWrites: FailedWriteCase[] = [
  { title: "a first write whose input stream throws midway commits nothing and leaves no file", existing: false, incoming: rows(span(0, 40)), failAt: (n) => n >> 1, how: "throw" },
  { title: "an overlapping write whose input stream throws midway commits nothing and leaves no new file", existing: true, incoming: rows(span(1, 19)), failAt: (n) => n - 1, how: "throw" },
  { title: "an appending write whose input stream throws after its last batch commits nothing", existing: true, incoming: rows(span(20, 60)), failAt: (n) => n, how: "throw" },
  { title: "a first write aborted midway is CANCELLED and commits nothing", existing: false, incoming: rows(span(0, 40)), failAt: (n) => n >> 1, how: "abort" },
  { title: "an overlapping write aborted midway is CANCELLED and commits nothing", existing: true, incoming: rows(span(1, 19)), failAt: (n) => n - 1, how: "abort" },
  { title: "a write aborted after its last batch is CANCELLED and commits nothing", existing: true, incoming: rows(span(20, 60)), failAt: (n) => n, how: "abort" },
  { title: "a write whose signal is aborted before it starts is CANCELLED", existing: true, incoming: rows(span(20, 30)), failAt: () => -1, how: "abort" },
];

for (const c of failedWrites) {
  test(
    c.title,
    windowedTest(
      async (t, { store, key, datasetDir }) => {
        if (c.existing) await writeTable(store, key, tableOfRows(stored), options);
        const generation = c.existing ? (await store.describe(key)).generation : undefined;
        const before = await snapshotFiles(datasetDir());
        const table = tableOfRows(c.incoming);
        const batches = batchesOf(table, 3);
        const failAt = c.failAt(batches.length);
        const controller = new AbortController();
        if (failAt < 0) controller.abort();
        let newFilesAtFailure = 0;
        const input = stream(batches, (i) => {
          if (i !== failAt) return;
          newFilesAtFailure = readdirSync(datasetDir()).filter((name) => !before.has(name)).length;
          if (c.how === "throw") throw new Error("input broke");
          controller.abort();
        });
        const err = await t.throwsAsync(store.write(key, { schema: table.schema, batches: input }, { ...options, duplicatesOn: ["ts"], signal: controller.signal }));
        if (c.how === "throw") t.is(err?.message, "input broke");
        else {
          t.true(err instanceof OupsError);
          t.is((err as OupsError).code, "CANCELLED");
        }
        if (failAt > 1) t.true(newFilesAtFailure > 0, "the write had written files before failing");
        t.deepEqual(await snapshotFiles(datasetDir()), before, "no file created, changed or deleted");
        if (c.existing) {
          t.is((await store.describe(key)).generation, generation as number);
          t.deepEqual(testRowsOf(await readAll(store, key)), stored);
        } else {
          const notFound = await t.throwsAsync(store.describe(key), { instanceOf: OupsError });
          t.is(notFound?.code, "NOT_FOUND");
        }
        // The key is usable afterwards.
        await writeTable(store, key, tableOfRows(rows([100])), options);
        t.is((await store.describe(key)).totalRows, (c.existing ? stored.length : 0) + 1);
      },
    ),
  );
}

test(
  "a removed dataset can be written again under the same key, and its old files are gone",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), options);
    await fixture.store.updateMetadata(testKey, { a: "1" }, []);
    const oldFiles = await listedFiles(fixture.store);
    await fixture.store.remove(testKey);
    const err = await t.throwsAsync(fixture.store.describe(testKey), { instanceOf: OupsError });
    t.is(err?.code, "NOT_FOUND");
    t.deepEqual(await fixture.store.listKeys(), []);
    const again = await t.throwsAsync(fixture.store.remove(testKey), { instanceOf: OupsError });
    t.is(again?.code, "NOT_FOUND");

    // Another schema and ordered column: the new dataset owes nothing to the removed one.
    const table = new Table({ seq: vectorFromArray([1, 2, 3], new Int32()), label: vectorFromArray(["a", "b", "c"], new Utf8()) });
    await writeTable(fixture.store, testKey, table, { orderedOn: "seq", rowGroupTarget: 2 });
    t.deepEqual(rowsOf(await readAll(fixture.store, testKey)), rowsOf(table));
    t.like(await fixture.store.describe(testKey), { orderedOn: "seq", metadata: {} });
    const newFiles = await listedFiles(fixture.store);
    t.deepEqual(newFiles.filter((f) => oldFiles.includes(f)), [], "no file name of the removed dataset is reused");

    const store = await fixture.reopen();
    t.deepEqual(await fileNames(fixture.datasetDir()), ["_manifest.json", ...newFiles].sort());
    t.deepEqual(rowsOf(await readAll(store, testKey)), rowsOf(table));
  }),
);

test(
  "a write right after a remove of the same key never loses its directory to the removal's pruning",
  windowedTest(async (t, { store, key }) => {
    for (let round = 0; round < 25; round++) {
      await writeTable(store, key, tableOfRows(rows([round, round + 1])), options);
      await store.remove(key);
    }
    await writeTable(store, key, tableOfRows(rows([7])), options);
    t.deepEqual(testRowsOf(await readAll(store, key)), rows([7]));
  }),
);
