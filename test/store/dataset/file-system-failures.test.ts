import test from "ava";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Store } from "../../../server/src/store/store.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { engineIndex, engineTest, readAll, rows, span, tableOfRows, writeTable } from "../../helpers/engine.js";
import { mountTmpfs, remount, removeStoreDir, tmpfsUnavailable, unmount } from "../../helpers/tmpfs.js";
import { tempStoreDir } from "../../helpers/tmpfs.js";

const mountTest = tmpfsUnavailable === undefined ? test.serial : test.skip;

mountTest("declaring the index schema of a store on a read-only file system is STORE_READ_ONLY and leaves no file", async (t) => {
  const parent = await tempStoreDir();
  const storeDir = join(parent, "store");
  await mountTmpfs(storeDir, "1m");
  remount(storeDir, "ro");
  let store: Store | undefined;
  try {
    store = await Store.open(storeDir, { lock: false, parquetWorkers: 1 });
    const err = await t.throwsAsync(store.initIndexSchema(engineIndex), { instanceOf: OupsError });
    t.is(err?.code, "STORE_READ_ONLY");
    t.is(err?.message, "store is on a read-only file system (EROFS): cannot write the store descriptor oups-store.json");
    t.is(store.indexSchema, undefined);
    remount(storeDir, "rw");
    t.deepEqual(await readdir(storeDir), []);
    t.true((await store.initIndexSchema(engineIndex)).created);
  } finally {
    await store?.close();
    unmount(storeDir);
    await removeStoreDir(parent);
  }
});

test(
  "a manifest that cannot be read fails the dataset's calls only until it can be read again",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, fixture.key, tableOfRows(rows(span(0, 10))), { orderedOn: "ts" });
    const store = await fixture.reopen();
    const manifest = join(fixture.datasetDir(), "_manifest.json");
    const aside = join(fixture.datasetDir(), "manifest.aside");
    await rename(manifest, aside);
    // A directory in the manifest's place: reading it fails (EISDIR), and so does every call until it is put back.
    await mkdir(manifest);
    const err = await t.throwsAsync(store.describe(fixture.key), { instanceOf: OupsError });
    t.is(err?.message, "AAPL/_manifest.json is not a regular file");
    t.false(err?.message.includes(fixture.storeDir));
    await rm(manifest, { recursive: true });
    await rename(aside, manifest);
    t.is((await readAll(store, fixture.key)).numRows, 10);
  }),
);
