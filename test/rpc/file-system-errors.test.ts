import type { ExecutionContext } from "ava";
import test from "ava";
import { status } from "@grpc/grpc-js";
import { join } from "node:path";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { digestTree } from "../helpers/tree-digest.js";
import { immutableUnavailable, mountTmpfs, remount, removeStoreDir, setImmutable, tempStoreDir, tmpfsUnavailable, unmount } from "../helpers/tmpfs.js";
import { withDaemon } from "../helpers/with-daemon.js";
import { testIndex } from "../helpers/with-daemon.js";
import { datasetDir } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";

// Each test mounts a small tmpfs as the first-level directory of its datasets (`FULL-2024`), so that the store's
// lock and its other datasets stay on the ordinary disk: the daemon must go on serving them.
const mountTest = tmpfsUnavailable === undefined ? test.serial : test.skip;
if (tmpfsUnavailable !== undefined) console.log(`file-system error tests skipped: ${tmpfsUnavailable}`);

interface Fixture {
  client: OupsClient;
  storeDir: string;
  /** The tmpfs mount point, a directory of the store. */
  mount: string;
}

async function withMountedStore(mountName: string, size: string, body: (f: Fixture) => Promise<void>): Promise<void> {
  const storeDir = await tempStoreDir();
  const mount = join(storeDir, mountName);
  await mountTmpfs(mount, size);
  let daemon: Daemon | undefined;
  let client: OupsClient | undefined;
  try {
    daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
    client = new OupsClient(daemon.address);
    await body({ client, storeDir, mount });
  } finally {
    client?.close();
    await daemon?.stop(5_000);
    unmount(mount);
    await removeStoreDir(storeDir);
  }
}

/** Asserts a failure's status, code and message, and that the message names no absolute path of the daemon. */
async function assertFails(t: ExecutionContext, f: { storeDir: string }, call: () => Promise<unknown>, grpcCode: status, code: string, message: RegExp) {
  const err = OupsClientError.from(await t.throwsAsync(call()));
  t.is(err.grpcCode, grpcCode, `${status[err.grpcCode]} ${err.code}: ${err.message}`);
  t.is(err.code, code);
  t.regex(err.message, message);
  t.false(err.message.includes(f.storeDir), `no absolute path in "${err.message}"`);
  return err;
}

/** Rows whose prices are random: they barely compress, so that a few writes fill a small disk. */
function incompressible(first: number, rows: number) {
  const random = seededRandom(first + 1);
  return marketBatch(first, rows, { price: () => random(), qty: () => Math.floor(random() * 2 ** 31) });
}

const full: KeyFields = { symbol: "FULL", year: "2024", month: "1" };
const ballast: KeyFields = { symbol: "FULL", year: "2024", month: "2" };
const elsewhere: KeyFields = { symbol: "DISK", year: "2024", month: "1" };

mountTest("a write to a full disk is RESOURCE_EXHAUSTED \"store disk is full\", commits nothing, and succeeds once space is freed", async (t) => {
  await withMountedStore("FULL-2024", "2m", async (f) => {
    const { client } = f;
    await client.write(ballast, incompressible(0, 20_000), { orderedOn: "timestamp" });
    await client.write(elsewhere, marketBatch(0, 100), { orderedOn: "timestamp" });
    let rows = 0;
    let failure: OupsClientError | undefined;
    let before: Record<string, string> = {};
    for (let i = 0; i < 100 && failure === undefined; i++) {
      before = await digestTree(f.storeDir);
      try {
        // One row group per write, none rewritten: no file deletion of an earlier write can run during the digest.
        const result = await client.write(full, incompressible(rows, 10_000), { orderedOn: "timestamp", rowGroupTarget: 10_000, maxNOffTargetRgs: 0 });
        t.is(result.rowGroupsRewritten, 0);
        rows += 10_000;
      } catch (err) {
        failure = OupsClientError.from(err);
      }
    }
    t.true(rows > 0, "some writes fitted before the disk filled");
    t.truthy(failure, "the disk filled");
    t.is(failure!.grpcCode, status.RESOURCE_EXHAUSTED, failure!.message);
    t.is(failure!.code, "DISK_FULL");
    t.regex(failure!.message, /^store disk is full \(ENOSPC\): cannot .*FULL-2024\/1/);
    t.false(failure!.message.includes(f.storeDir));
    t.deepEqual(await digestTree(f.storeDir), before, "the failed write left no file and changed none");

    // Still serving: reads of the full dataset, writes elsewhere, and more failures of the same kind.
    t.is((await client.read(full)).numRows, rows);
    t.is((await client.describe(full)).totalRows, rows);
    await client.write(elsewhere, marketBatch(100, 100));
    t.is((await client.read(elsewhere)).numRows, 200);
    const mounted = await digestTree(f.mount);
    await assertFails(t, f, () => client.write(full, incompressible(rows, 10_000), { maxNOffTargetRgs: 0 }), status.RESOURCE_EXHAUSTED, "DISK_FULL", /^store disk is full/);
    t.deepEqual(await digestTree(f.mount), mounted);

    await client.remove(ballast);
    await client.write(full, incompressible(rows, 10_000), { maxNOffTargetRgs: 0 });
    t.is((await client.read(full)).numRows, rows + 10_000);
  });
});

mountTest("on a read-only file system, changes are FAILED_PRECONDITION / STORE_READ_ONLY, reads still work, writes resume once writable", async (t) => {
  await withMountedStore("RO-2024", "4m", async (f) => {
    const { client } = f;
    const key: KeyFields = { symbol: "RO", year: "2024", month: "1" };
    await client.write(key, marketBatch(0, 1000), { orderedOn: "timestamp", rowGroupTarget: 500, metadata: { a: "1" } });
    const described = await client.describe(key);
    remount(f.mount, "ro");
    try {
      const before = await digestTree(f.storeDir);
      const readOnly = /^store is on a read-only file system \(EROFS\): cannot .*RO-2024\/[12]/;
      await assertFails(t, f, () => client.write(key, marketBatch(1000, 100)), status.FAILED_PRECONDITION, "STORE_READ_ONLY", readOnly);
      await assertFails(t, f, () => client.updateMetadata(key, { set: { b: "2" } }), status.FAILED_PRECONDITION, "STORE_READ_ONLY", readOnly);
      await assertFails(t, f, () => client.remove(key), status.FAILED_PRECONDITION, "STORE_READ_ONLY", readOnly);
      await assertFails(
        t,
        f,
        () => client.write({ ...key, month: "2" }, marketBatch(0, 10), { orderedOn: "timestamp" }),
        status.FAILED_PRECONDITION,
        "STORE_READ_ONLY",
        /cannot create directory RO-2024\/2/,
      );
      t.deepEqual(await digestTree(f.storeDir), before, "nothing changed");
      t.deepEqual(await client.describe(key), described);
      t.is((await client.read(key)).numRows, 1000);
      t.deepEqual(await client.getMetadata(key), { a: "1" });
    } finally {
      remount(f.mount, "rw");
    }
    await client.write(key, marketBatch(1000, 100));
    t.is((await client.read(key)).numRows, 1100);
  });
});

const immutableTest = immutableUnavailable === undefined ? test.serial : test.skip;
if (immutableUnavailable !== undefined) console.log(`permission tests skipped: ${immutableUnavailable}`);

immutableTest("a dataset directory the daemon may not change (EPERM) gives FAILED_PRECONDITION / PERMISSION_DENIED, reads still work", async (t) => {
  await withDaemon(async ({ client, storeDir }) => {
    const key: KeyFields = { symbol: "PERM", year: "2024", month: "1" };
    await client.write(key, marketBatch(0, 1000), { orderedOn: "timestamp", metadata: { a: "1" } });
    const dir = datasetDir(storeDir, key as { symbol: string; year: string; month: string });
    const f = { storeDir };
    // Immutable: no entry may be created, renamed or removed in it, whoever asks.
    setImmutable(dir, true);
    try {
      const before = await digestTree(storeDir);
      const denied = /^permission denied \(EPERM\): the daemon cannot .*PERM-2024\/1/;
      await assertFails(t, f, () => client.write(key, marketBatch(1000, 100)), status.FAILED_PRECONDITION, "PERMISSION_DENIED", denied);
      await assertFails(t, f, () => client.updateMetadata(key, { set: { b: "2" } }), status.FAILED_PRECONDITION, "PERMISSION_DENIED", denied);
      await assertFails(t, f, () => client.remove(key), status.FAILED_PRECONDITION, "PERMISSION_DENIED", denied);
      t.deepEqual(await digestTree(storeDir), before);
      t.is((await client.read(key)).numRows, 1000);
      t.deepEqual(await client.getMetadata(key), { a: "1" });
    } finally {
      setImmutable(dir, false);
    }
    await client.write(key, marketBatch(1000, 100));
    t.is((await client.read(key)).numRows, 1100);
  });
});
