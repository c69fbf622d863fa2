import test from "ava";
import { tableToIPC } from "apache-arrow";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OupsErrorCode } from "../../../server/src/store/errors.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { fsError } from "../../../server/src/store/io/fs-error.js";
import { ParquetPool } from "../../../server/src/store/io/parquet-pool.js";
import { mountTmpfs, remount, removeStoreDir, tempStoreDir, tmpfsUnavailable, unmount } from "../../helpers/tmpfs.js";
import { seededRandom } from "../../helpers/seeded-random.js";
import { ticksTable } from "./arrow-fixtures.js";

/** A Node error as fs/promises rejects with, naming an absolute path. */
function nodeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, open '/srv/daemon/store/A-2024/1/rg-000000000001.parquet'`), { code });
}

const cases: { errno: string; code: OupsErrorCode; message: RegExp }[] = [
  { errno: "ENOSPC", code: "DISK_FULL", message: /^store disk is full \(ENOSPC\): cannot write A-2024\/1\/rg-000000000001\.parquet$/ },
  { errno: "EDQUOT", code: "DISK_FULL", message: /^store disk is full \(EDQUOT\): cannot write/ },
  { errno: "EROFS", code: "STORE_READ_ONLY", message: /^store is on a read-only file system \(EROFS\): cannot write A-2024/ },
  { errno: "EACCES", code: "PERMISSION_DENIED", message: /^permission denied \(EACCES\): the daemon cannot write A-2024/ },
  { errno: "EPERM", code: "PERMISSION_DENIED", message: /^permission denied \(EPERM\): the daemon cannot write A-2024/ },
  { errno: "EIO", code: "INTERNAL", message: /^cannot write A-2024\/1\/rg-000000000001\.parquet \(EIO\)$/ },
];

for (const c of cases) {
  test(`a file-system ${c.errno} becomes ${c.code}, named relative to the store, the Node error kept as cause`, (t) => {
    const cause = nodeError(c.errno);
    const err = fsError(cause, "write A-2024/1/rg-000000000001.parquet");
    t.is(err.code, c.code);
    t.regex(err.message, c.message);
    t.false(err.message.includes("/srv/daemon"));
    t.is(err.cause, cause);
  });
}

test("an OupsError passes through fsError unchanged", (t) => {
  const original = new OupsError("NOT_FOUND", "gone");
  t.is(fsError(original, "read x"), original);
});

const mountTest = tmpfsUnavailable === undefined ? test.serial : test.skip;

mountTest("a Parquet worker's write to a full disk is DISK_FULL across the worker boundary, errno kept, no partial file left", async (t) => {
  const storeDir = await tempStoreDir();
  const mount = join(storeDir, "S-2024");
  await mountTmpfs(mount, "64k");
  const pool = ParquetPool.create({ size: 1, root: storeDir });
  try {
    // Random prices do not compress: 20,000 rows are far more than 64 KiB.
    const random = seededRandom(7);
    const table = ticksTable(20_000);
    const prices = table.getChild("price")!.data[0]!.values as Float64Array;
    for (let i = 0; i < prices.length; i++) prices[i] = random();
    const path = join(mount, "rg-000000000000.parquet");
    const err = await t.throwsAsync(pool.writeRowGroupFile(path, tableToIPC(table, "stream")), { instanceOf: OupsError });
    t.is(err?.code, "DISK_FULL");
    t.is(err?.message, "store disk is full (ENOSPC): cannot write row group file S-2024/rg-000000000000.parquet");
    t.is((err?.cause as NodeJS.ErrnoException | undefined)?.code, "ENOSPC");
    t.deepEqual(await readdir(mount), []);
  } finally {
    await pool.close();
    unmount(mount);
    await removeStoreDir(storeDir);
  }
});

mountTest("a Parquet worker's write to a read-only file system is STORE_READ_ONLY, and its read of a stored file still works", async (t) => {
  const storeDir = await tempStoreDir();
  const mount = join(storeDir, "S-2024");
  await mountTmpfs(mount, "1m");
  const pool = ParquetPool.create({ size: 1, root: storeDir });
  try {
    await pool.writeRowGroupFile(join(mount, "rg-000000000000.parquet"), tableToIPC(ticksTable(10), "stream"));
    await writeFile(join(mount, "not-parquet.parquet"), "garbage");
    remount(mount, "ro");
    const err = await t.throwsAsync(pool.writeRowGroupFile(join(mount, "rg-000000000001.parquet"), tableToIPC(ticksTable(10), "stream")), {
      instanceOf: OupsError,
    });
    t.is(err?.code, "STORE_READ_ONLY");
    t.is(err?.message, "store is on a read-only file system (EROFS): cannot write row group file S-2024/rg-000000000001.parquet");
    t.is((err?.cause as NodeJS.ErrnoException | undefined)?.code, "EROFS");
    t.true((await pool.readRowGroupFile(join(mount, "rg-000000000000.parquet"))).byteLength > 0);
    const missing = await t.throwsAsync(pool.readRowGroupFile(join(mount, "rg-000000000009.parquet")), { instanceOf: OupsError });
    t.is(missing?.message, "row group file S-2024/rg-000000000009.parquet does not exist");
    const garbage = await t.throwsAsync(pool.readRowGroupFile(join(mount, "not-parquet.parquet")), { instanceOf: OupsError });
    t.regex(garbage?.message ?? "", /^cannot read row group file S-2024\/not-parquet\.parquet: /);
    t.false(garbage?.message.includes(storeDir) ?? true);
  } finally {
    await pool.close();
    unmount(mount);
    await removeStoreDir(storeDir);
  }
});
