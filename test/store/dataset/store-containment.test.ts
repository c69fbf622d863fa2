import test from "ava";
import type { ExecutionContext } from "ava";
import { cp, readFile, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withOutsideDir } from "../../helpers/with-daemon.js";
import { rowGroupFileName } from "../../../server/src/store/dataset/row-group-files.js";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { IndexSchema } from "../../../server/src/store/keys/index-schema.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { Store } from "../../../server/src/store/store.js";
import type { EngineFixture } from "../../helpers/engine.js";
import { engineTest, fileNames, listedFiles, readAll, rows, span, tableOfRows, testKey, testRowsOf, writeTable } from "../../helpers/engine.js";
import { digestTree } from "../../helpers/tree-digest.js";
import { eventually } from "../../rpc/helpers/files.js";

const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 4 };
const stored = rows(span(0, 12));

/** Two levels, so that a key has a parent directory below the store root: `AAPL/1`. */
const twoLevelIndex: IndexSchema = {
  name: "TwoLevels",
  fieldSeparator: "-",
  levels: [[{ name: "symbol", type: "string" }], [{ name: "month", type: "int" }]],
};


/** Asserts that `call` fails as a corrupt dataset, with a message matching `message` and naming no absolute path. */
async function assertCorrupt(t: ExecutionContext, call: () => Promise<unknown>, message: RegExp, storeDir: string): Promise<void> {
  const err = await t.throwsAsync(call(), { instanceOf: OupsError });
  t.is(err?.code, "CORRUPT_DATASET", err?.message);
  t.regex(err?.message ?? "", message);
  t.false(err?.message.includes(storeDir), `the message names no absolute path: ${err?.message}`);
}

/** Every public operation on `key`, each of which must refuse the dataset. */
function everyOperation(store: Store, key: Key): [string, () => Promise<unknown>][] {
  return [
    ["describe", () => store.describe(key)],
    ["read", () => readAll(store, key)],
    ["getMetadata", () => store.getMetadata(key)],
    ["updateMetadata", () => store.updateMetadata(key, { a: "b" }, [])],
    ["append", () => writeTable(store, key, tableOfRows(rows([100, 101])), options)],
    ["merge", () => writeTable(store, key, tableOfRows(rows([1, 5])), options)],
    ["remove", () => store.remove(key)],
    ["intersections", () => store.openIntersections([key], {})],
  ];
}

async function assertEveryOperationRefused(t: ExecutionContext, f: EngineFixture, key: Key, message: RegExp): Promise<void> {
  for (const [name, call] of everyOperation(f.store, key)) {
    await t.notThrowsAsync(assertCorrupt(t, call, message, f.storeDir), name);
  }
}

/** Moves `dir` to `outside/moved` and puts a symbolic link to it in its place; returns the outside copy. */
async function replaceByLink(dir: string, outside: string): Promise<string> {
  const target = join(outside, "moved");
  await rename(dir, target);
  await symlink(target, dir);
  await writeFile(join(target, "sentinel.txt"), "must survive");
  return target;
}

for (const restart of [false, true]) {
  const when = restart ? "after a restart" : "while the dataset is loaded";

  test(
    `a dataset directory replaced by a symbolic link out of the store is refused by every operation (${when})`,
    engineTest(async (t, f) => {
      await writeTable(f.store, testKey, tableOfRows(stored), options);
      await withOutsideDir(async (outside) => {
        await replaceByLink(f.datasetDir(), outside);
        if (restart) await f.reopen();
        const before = await digestTree(outside);
        await assertEveryOperationRefused(t, f, testKey, /^AAPL is a symbolic link; refusing to follow it out of the store$/);
        // Closing waits for pending deletions.
        await f.reopen();
        t.deepEqual(await digestTree(outside), before, "nothing outside the store changed");
      });
    }),
  );

  test(
    `a parent key directory replaced by a symbolic link is refused, and no directory is created through it (${when})`,
    engineTest(
      async (t, f) => {
        const key = { symbol: "AAPL", month: "1" };
        await writeTable(f.store, key, tableOfRows(stored), options);
        await withOutsideDir(async (outside) => {
          await replaceByLink(join(f.storeDir, "AAPL"), outside);
          if (restart) await f.reopen();
          const before = await digestTree(outside);
          await assertEveryOperationRefused(t, f, key, /^AAPL is a symbolic link; refusing to follow it out of the store$/);
          // A key never written under the linked parent: its directory would be created outside the store.
          const other = { symbol: "AAPL", month: "2" };
          await assertCorrupt(t, () => writeTable(f.store, other, tableOfRows(stored), options), /^AAPL is a symbolic link/, f.storeDir);
          await f.reopen();
          t.deepEqual(await digestTree(outside), before, "nothing outside the store changed");
        });
      },
      { indexSchema: twoLevelIndex },
    ),
  );
}

test(
  "a manifest that is a symbolic link is refused",
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    await withOutsideDir(async (outside) => {
      const manifest = join(f.datasetDir(), "_manifest.json");
      await rename(manifest, join(outside, "_manifest.json"));
      await symlink(join(outside, "_manifest.json"), manifest);
      await f.reopen();
      const before = await digestTree(outside);
      const beforeStore = await digestTree(f.storeDir);
      await assertCorrupt(t, () => f.store.describe(testKey), /^AAPL\/_manifest\.json is a symbolic link; refusing/, f.storeDir);
      await assertCorrupt(t, () => writeTable(f.store, testKey, tableOfRows(rows([100])), options), /symbolic link/, f.storeDir);
      await assertCorrupt(t, () => f.store.remove(testKey), /symbolic link/, f.storeDir);
      await f.reopen();
      t.deepEqual(await digestTree(outside), before);
      t.deepEqual(await digestTree(f.storeDir), beforeStore, "the store is unchanged");
    });
  }),
);

test(
  "a row-group file replaced by a symbolic link is refused on read, and its target is left as it was",
  // Without the decoded cache, which serves the row groups a write produced from memory, without opening their files.
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    const [first] = await listedFiles(f.store);
    await withOutsideDir(async (outside) => {
      // The link points at a valid copy of the file: following it would read fine, so only a refusal fails.
      const target = join(outside, "copy.parquet");
      await rename(join(f.datasetDir(), first!), target);
      await symlink(target, join(f.datasetDir(), first!));
      const before = await digestTree(outside);
      // Loaded already: the Parquet worker's open refuses the link.
      await assertCorrupt(t, () => readAll(f.store, testKey), /is a symbolic link; refusing to follow it out of the store/, outside);
      await assertCorrupt(t, () => writeTable(f.store, testKey, tableOfRows(rows([1, 2])), options), /symbolic link/, outside);
      // After a restart, the load refuses it, naming the file in the store.
      await f.reopen();
      await assertCorrupt(t, () => f.store.describe(testKey), new RegExp(`^AAPL/${first} is a symbolic link; refusing`), f.storeDir);
      await assertCorrupt(t, () => readAll(f.store, testKey), /symbolic link/, f.storeDir);
      await assertCorrupt(t, () => f.store.remove(testKey), /symbolic link/, f.storeDir);
      await f.reopen();
      t.deepEqual(await digestTree(outside), before);
    });
  }, { rowGroupCacheBytes: 0 }),
);

test(
  "leftover cleanup leaves a symbolic link with a row-group name, and the file it points at",
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    await withOutsideDir(async (outside) => {
      const target = join(outside, "precious.parquet");
      await writeFile(target, "not the store's");
      const link = rowGroupFileName(99);
      await symlink(target, join(f.datasetDir(), link));
      // A plain leftover next to it is still cleaned up.
      const leftover = rowGroupFileName(98);
      await writeFile(join(f.datasetDir(), leftover), "PAR1 truncated");
      const before = await digestTree(outside);
      const store = await f.reopen();
      t.deepEqual(testRowsOf(await readAll(store, testKey)), stored);
      await f.reopen();
      t.deepEqual(await digestTree(outside), before);
      const names = await fileNames(f.datasetDir());
      t.false(names.includes(leftover));
      t.true(names.includes(link));
    });
  }),
);

test(
  "garbage collection of a rewrite does not delete through the dataset directory once it is a symbolic link",
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    const [first] = await listedFiles(f.store);
    await withOutsideDir(async (outside) => {
      // A reader pins the generation, so that the rewritten row group's file waits for it to be deleted.
      const read = await f.store.openRange(testKey, {});
      await writeTable(f.store, testKey, tableOfRows(rows([1])), options);
      t.false((await listedFiles(f.store)).includes(first!));
      const target = join(outside, "moved");
      await cp(f.datasetDir(), target, { recursive: true });
      await rm(f.datasetDir(), { recursive: true });
      await symlink(target, f.datasetDir());
      const before = await digestTree(outside);
      t.truthy(before[`moved/${first}`]);
      read.close();
      await f.reopen();
      t.deepEqual(await digestTree(outside), before);
    });
  }),
);

test(
  "a failed write whose dataset directory became a symbolic link deletes none of its files through it",
  engineTest(
    async (t, f) => {
      await writeTable(f.store, testKey, tableOfRows(stored), options);
      const committed = await listedFiles(f.store);
      await withOutsideDir(async (outside) => {
        const target = join(outside, "moved");
        let seen: string[] = [];
        async function* input() {
          yield* tableOfRows(rows(span(100, 120))).batches;
          // The write has started files of its own (windows of 4 rows): wait until they are there, then swap.
          await eventually(async () => (await fileNames(f.datasetDir())).length > committed.length + 1);
          await rename(f.datasetDir(), target);
          await symlink(target, f.datasetDir());
          seen = await fileNames(target);
          yield* tableOfRows(rows([0])).batches;
        }
        const err = await t.throwsAsync(f.store.write(testKey, { schema: tableOfRows(stored).schema, batches: input() }, options), {
          instanceOf: OupsError,
        });
        t.is(err?.code, "UNORDERED_INPUT", err?.message);
        t.true(seen.length > committed.length + 1, "the write had files of its own when the directory was swapped");
        await f.reopen();
        const left = await fileNames(target);
        t.deepEqual(
          seen.filter((name) => !left.includes(name)),
          [],
          "no file was deleted through the link",
        );
      });
    },
    { writeWindowRows: 4 },
  ),
);

test(
  "a removal pinned by a reader does not delete through the dataset directory once it is a symbolic link",
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    await withOutsideDir(async (outside) => {
      const read = await f.store.openRange(testKey, {});
      // The manifest goes at once; the files wait for the reader.
      await f.store.remove(testKey);
      t.false((await fileNames(f.datasetDir())).includes("_manifest.json"));
      const target = join(outside, "moved");
      await cp(f.datasetDir(), target, { recursive: true });
      await rm(f.datasetDir(), { recursive: true });
      await symlink(target, f.datasetDir());
      const before = await digestTree(outside);
      read.close();
      await f.reopen();
      t.deepEqual(await digestTree(outside), before);
    });
  }),
);

test(
  "an operation after the link is replaced by the real directory again sees the dataset (a refusal is not kept)",
  engineTest(async (t, f) => {
    await writeTable(f.store, testKey, tableOfRows(stored), options);
    await withOutsideDir(async (outside) => {
      const target = await replaceByLink(f.datasetDir(), outside);
      const store = await f.reopen();
      await assertCorrupt(t, () => store.describe(testKey), /symbolic link/, f.storeDir);
      await unlink(f.datasetDir());
      await rm(join(target, "sentinel.txt"));
      await rename(target, f.datasetDir());
      t.deepEqual(testRowsOf(await readAll(store, testKey)), stored);
    });
  }),
);

test(
  "a file where a key's directory belongs is refused as not a directory",
  engineTest(async (t, f) => {
    await writeFile(join(f.storeDir, "AAPL"), "a file");
    await assertCorrupt(t, () => writeTable(f.store, testKey, tableOfRows(stored), options), /^AAPL is not a directory$/, f.storeDir);
    t.is(await readFile(join(f.storeDir, "AAPL"), "utf8"), "a file");
  }),
);
