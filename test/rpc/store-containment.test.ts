import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import { cp, readFile, rename, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import type { DaemonFixture } from "../helpers/with-daemon.js";
import { daemonTest, withOutsideDir } from "../helpers/with-daemon.js";
import { digestTree } from "../helpers/tree-digest.js";
import { datasetDir, filesIn } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";

const seeded = { symbol: "AAPL", year: "2023", month: "1" };
/** A key the daemon has not touched before the test tampers with its directory. */
const planted = { symbol: "AAPL", year: "2023", month: "2" };


async function seed(c: DaemonFixture): Promise<void> {
  await c.client.write(seeded, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
}

/** Every RPC on `key`, each of which must refuse a dataset that leads out of the store. */
function everyCall(c: DaemonFixture, key: KeyFields): [string, () => Promise<unknown>][] {
  return [
    ["Describe", () => c.client.describe(key)],
    ["RangeQuery", () => c.client.read(key)],
    ["QueryIntersections", async () => {
      for await (const _ of c.client.queryIntersections([key])) {
        // Draining: the refusal comes as the stream's status.
      }
    }],
    ["GetMetadata", () => c.client.getMetadata(key)],
    ["UpdateMetadata", () => c.client.updateMetadata(key, { set: { a: "b" } })],
    ["Write (append)", () => c.client.write(key, marketBatch(1_000, 10), { orderedOn: "timestamp" })],
    ["Write (merge)", () => c.client.write(key, marketBatch(10, 10), { orderedOn: "timestamp" })],
    ["Remove", () => c.client.remove(key)],
  ];
}

/** Asserts that every RPC on `key` fails with DATA_LOSS and `message`, naming no absolute path. */
async function assertEveryCallRefused(t: ExecutionContext, c: DaemonFixture, key: KeyFields, message: RegExp): Promise<void> {
  for (const [name, call] of everyCall(c, key)) {
    const err = OupsClientError.from(await t.throwsAsync(call(), undefined, name));
    t.is(err.grpcCode, status.DATA_LOSS, `${name}: ${status[err.grpcCode]} ${err.message}`);
    t.is(err.code, "CORRUPT_DATASET", name);
    t.regex(err.message, message, name);
    t.false(err.message.includes(c.storeDir), `${name} names no absolute path: ${err.message}`);
  }
}

/** The daemon still serves its other datasets. */
async function assertStillServing(t: ExecutionContext, c: DaemonFixture): Promise<void> {
  t.is((await c.client.describe(seeded)).totalRows, 100);
  t.is((await c.client.read(seeded)).numRows, 100);
}

test(
  "a dataset directory that is a symbolic link out of the store is DATA_LOSS for every RPC, and nothing outside changes",
  daemonTest(async (t, c) => {
    await seed(c);
    await withOutsideDir(async (outside) => {
      // The outside directory holds a valid dataset: following the link would work, only a refusal fails.
      await cp(datasetDir(c.storeDir, seeded), join(outside, "dataset"), { recursive: true });
      await writeFile(join(outside, "dataset", "sentinel.txt"), "must survive");
      await symlink(join(outside, "dataset"), datasetDir(c.storeDir, planted));
      const before = await digestTree(outside);
      await assertEveryCallRefused(t, c, planted, /^AAPL-2023\/2 is a symbolic link; refusing to follow it out of the store$/);
      await assertStillServing(t, c);
      t.deepEqual(await digestTree(outside), before);
    });
  }),
);

test(
  "a loaded dataset whose directory is then replaced by a symbolic link is DATA_LOSS for every RPC",
  daemonTest(async (t, c) => {
    await seed(c);
    await withOutsideDir(async (outside) => {
      await rename(datasetDir(c.storeDir, seeded), join(outside, "dataset"));
      await writeFile(join(outside, "dataset", "sentinel.txt"), "must survive");
      await symlink(join(outside, "dataset"), datasetDir(c.storeDir, seeded));
      const before = await digestTree(outside);
      await assertEveryCallRefused(t, c, seeded, /^AAPL-2023\/1 is a symbolic link; refusing to follow it out of the store$/);
      t.deepEqual(await digestTree(outside), before);
    });
  }),
);

test(
  "a parent key directory that is a symbolic link is DATA_LOSS, and a write creates nothing through it",
  daemonTest(async (t, c) => {
    await seed(c);
    await withOutsideDir(async (outside) => {
      await rename(join(c.storeDir, "AAPL-2023"), join(outside, "parent"));
      await symlink(join(outside, "parent"), join(c.storeDir, "AAPL-2023"));
      const before = await digestTree(outside);
      await assertEveryCallRefused(t, c, seeded, /^AAPL-2023 is a symbolic link; refusing to follow it out of the store$/);
      // A key never written: its directory would be created outside the store.
      await assertEveryCallRefused(t, c, planted, /^AAPL-2023 is a symbolic link; refusing to follow it out of the store$/);
      t.deepEqual(await digestTree(outside), before);
      // A sibling key under a real parent is untouched by the refusal.
      const other = { symbol: "MSFT", year: "2023", month: "1" };
      await c.client.write(other, marketBatch(0, 10), { orderedOn: "timestamp" });
      t.is((await c.client.describe(other)).totalRows, 10);
    });
  }),
);

/** Copies the seeded dataset to the planted key, its manifest's first row-group file renamed by `file`. */
async function plantManifestNaming(c: DaemonFixture, file: (dir: string) => string): Promise<void> {
  const dir = datasetDir(c.storeDir, planted);
  await cp(datasetDir(c.storeDir, seeded), dir, { recursive: true });
  const manifestPath = join(dir, "_manifest.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { rowGroups: { file: string }[] };
  manifest.rowGroups[0]!.file = file(dir);
  await writeFile(manifestPath, JSON.stringify(manifest));
}

for (const [what, file] of [
  ["../../x.parquet (in the store, out of the dataset's directory)", () => "../../x.parquet"],
  ["a relative path out of the store", (dir: string, outside: string) => relative(dir, join(outside, "x.parquet"))],
  ["an absolute path out of the store", (_dir: string, outside: string) => join(outside, "x.parquet")],
  ["/etc/passwd", () => "/etc/passwd"],
  ["a/b.parquet", () => "a/b.parquet"],
  ["rg-1.parquet (off the row-group pattern)", () => "rg-1.parquet"],
] as [string, (dir: string, outside: string) => string][]) {
  test(
    `a manifest naming ${what} is DATA_LOSS for every RPC, and no file it names is read or deleted`,
    daemonTest(async (t, c) => {
      await seed(c);
      await withOutsideDir(async (outside) => {
        const rowGroup = (await filesIn(datasetDir(c.storeDir, seeded))).find((n) => n.startsWith("rg-"))!;
        // Valid row-group files where the names lead: reading them would work, deleting them would be seen.
        await cp(join(datasetDir(c.storeDir, seeded), rowGroup), join(outside, "x.parquet"));
        await cp(join(datasetDir(c.storeDir, seeded), rowGroup), join(c.storeDir, "x.parquet"));
        await plantManifestNaming(c, (dir) => file(dir, outside));
        const before = { outside: await digestTree(outside), store: await digestTree(c.storeDir) };
        await assertEveryCallRefused(t, c, planted, /^manifest of AAPL-2023\/2 is invalid: row group 0 names file .+, not a row-group file of the dataset's directory$/);
        await assertStillServing(t, c);
        t.deepEqual({ outside: await digestTree(outside), store: await digestTree(c.storeDir) }, before);
      });
    }),
  );
}

test(
  "a row-group file that is a symbolic link is DATA_LOSS, and the file it points at is left as it was",
  daemonTest(async (t, c) => {
    await seed(c);
    await withOutsideDir(async (outside) => {
      const dir = datasetDir(c.storeDir, planted);
      await cp(datasetDir(c.storeDir, seeded), dir, { recursive: true });
      const rowGroup = (await filesIn(dir)).find((n) => n.startsWith("rg-"))!;
      await rename(join(dir, rowGroup), join(outside, "x.parquet"));
      await symlink(join(outside, "x.parquet"), join(dir, rowGroup));
      const before = await digestTree(outside);
      await assertEveryCallRefused(t, c, planted, new RegExp(`^AAPL-2023/2/${rowGroup} is a symbolic link; refusing to follow it out of the store$`));
      t.deepEqual(await digestTree(outside), before);
    });
  }),
);
