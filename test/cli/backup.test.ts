/**
 * `oups backup`: of a stopped store (under its lock) and through a running daemon while writers commit; the copy is
 * served by `oups serve --store` as it was, and `oups check --store` finds it clean.
 */
import test from "ava";
import type { ExecutionContext } from "ava";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsClient } from "../../client/src/index.js";
import type { KeyFields } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { parseIndexSpec } from "../../server/src/store/keys/index-schema.js";
import { keyToPath } from "../../server/src/store/keys/key.js";
import { MANIFEST_FILE, STORE_FILE } from "../../server/src/store/keys/layout.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { ServeProcess } from "../helpers/serve-process.js";
import { mountTmpfs, tmpfsUnavailable, unmount } from "../helpers/tmpfs.js";
import type { VersionSummary } from "../helpers/version-ledger.js";
import { formatSummary, summarizeDataset, VersionLedger } from "../helpers/version-ledger.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";
import { runCli } from "./run-cli.js";

const INDEX = "symbol,year:int/month:int";
const SCHEMA = parseIndexSpec(INDEX);
const KEYS: KeyFields[] = ["A", "B", "C"].map((symbol) => ({ symbol, year: "2024", month: "1" }));
const SEED = Number(process.env.OUPS_BACKUP_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Writes `writes` batches to each key through a daemon of its own over `storeDir`; returns each key's final summary. */
async function fillStore(storeDir: string, writes: number, random: () => number): Promise<Map<string, VersionSummary>> {
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: SCHEMA });
  const client = new OupsClient(daemon.address);
  const expected = new Map<string, VersionSummary>();
  try {
    for (const key of KEYS) {
      const ledger = new VersionLedger(key, random);
      let generation = 0;
      for (let i = 0; i < writes; i++) generation = await ledger.write(client);
      expected.set(key.symbol!, ledger.summaryOf(generation)!);
    }
  } finally {
    client.close();
    await daemon.stop(5_000);
  }
  return expected;
}

/** Serves `dir` with `oups serve` and summarizes each key's dataset. */
async function summarizeServed(dir: string): Promise<Map<string, VersionSummary>> {
  const serve = await ServeProcess.start(["--store", dir, "--listen", "127.0.0.1:0"], { OUPS_LOG_LEVEL: "info" });
  const client = new OupsClient(serve.address);
  try {
    const found = new Map<string, VersionSummary>();
    for (const key of await client.listKeys()) found.set(key.symbol as string, await summarizeDataset(client, key));
    return found;
  } finally {
    client.close();
    await serve.stop();
  }
}

async function assertCheckClean(t: ExecutionContext, dir: string): Promise<void> {
  const checked = await runCli(["check", "--store", dir]);
  t.is(checked.code, 0, `oups check --store on the backup: ${checked.stdout}${checked.stderr}`);
}

function same(t: ExecutionContext, actual: Map<string, VersionSummary>, expected: Map<string, VersionSummary>): void {
  t.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [symbol, summary] of expected) t.is(formatSummary(actual.get(symbol)!), formatSummary(summary), `dataset ${symbol}`);
}

test("oups backup --store copies a stopped store with hard links; the copy serves the same rows and checks clean", async (t) => {
  t.timeout(300_000, "a hang guard only");
  const dir = await makeTempDir("oups-backup-");
  try {
    const storeDir = join(dir, "store");
    const expected = await fillStore(storeDir, 6, seededRandom(SEED));
    const target = join(dir, "backup");
    const run = await runCli(["backup", "--store", storeDir, "--to", target, "--format", "json"]);
    t.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { datasets: number; linkedFiles: number; copiedFiles: number };
    t.is(report.datasets, KEYS.length);
    t.true(report.linkedFiles > 0);
    t.is(report.copiedFiles, 0);
    // Hard links: the backup's row-group files are the store's inodes.
    const path = keyToPath(SCHEMA, KEYS[0]!);
    const files = (await readdir(join(target, path))).filter((f) => f.endsWith(".parquet"));
    t.true(files.length > 0);
    for (const file of files) t.is((await stat(join(target, path, file))).ino, (await stat(join(storeDir, path, file))).ino);
    await stat(join(target, STORE_FILE));
    same(t, await summarizeServed(target), expected);
    await assertCheckClean(t, target);
    // The store itself is untouched and still serves.
    same(t, await summarizeServed(storeDir), expected);
  } finally {
    await removeTempDir(dir);
  }
});

test("oups backup refuses a non-empty target and, with --store, a store a daemon serves", async (t) => {
  t.timeout(300_000, "a hang guard only");
  const dir = await makeTempDir("oups-backup-");
  try {
    const storeDir = join(dir, "store");
    await fillStore(storeDir, 1, seededRandom(SEED));
    const full = join(dir, "full");
    const run1 = await runCli(["backup", "--store", storeDir, "--to", dir]);
    t.is(run1.code, 1);
    t.regex(run1.stderr, /is not empty/);
    await writeFile(join(dir, "marker"), "x");
    const run2 = await runCli(["backup", "--store", storeDir, "--to", full]);
    t.is(run2.code, 0, run2.stderr);
    const again = await runCli(["backup", "--store", storeDir, "--to", full]);
    t.is(again.code, 1);
    t.regex(again.stderr, /backup target .* is not empty/);
    const inside = await runCli(["backup", "--store", storeDir, "--to", join(storeDir, "copy")]);
    t.is(inside.code, 1);
    t.regex(inside.stderr, /inside the store/);
    const serve = await ServeProcess.start(["--store", storeDir, "--listen", "127.0.0.1:0"], { OUPS_LOG_LEVEL: "info" });
    try {
      const locked = await runCli(["backup", "--store", storeDir, "--to", join(dir, "while-served")]);
      t.is(locked.code, 1);
      t.regex(locked.stderr, /locked .*oups backup --address/);
      t.deepEqual(await readdir(dir).then((names) => names.includes("while-served")), false);
    } finally {
      await serve.stop();
    }
  } finally {
    await removeTempDir(dir);
  }
});

test("oups backup copies files it cannot hard-link (another file system), flushed, and the copy serves the same rows", async (t) => {
  t.timeout(300_000, "a hang guard only");
  if (tmpfsUnavailable) {
    t.log(tmpfsUnavailable);
    t.pass();
    return;
  }
  const dir = await makeTempDir("oups-backup-");
  const mount = join(dir, "other-fs");
  try {
    const storeDir = join(dir, "store");
    const expected = await fillStore(storeDir, 4, seededRandom(SEED));
    await mountTmpfs(mount, "64m");
    const target = join(mount, "backup");
    const run = await runCli(["backup", "--store", storeDir, "--to", target, "--format", "json"]);
    t.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { linkedFiles: number; copiedFiles: number };
    t.is(report.linkedFiles, 0);
    t.true(report.copiedFiles > 0);
    same(t, await summarizeServed(target), expected);
    await assertCheckClean(t, target);
  } finally {
    if (!tmpfsUnavailable) unmount(mount);
    await removeTempDir(dir);
  }
});

test("oups backup --address while writers commit: every dataset of the copy is exactly the version the backup's snapshot recorded", async (t) => {
  t.timeout(300_000, "a hang guard only");
  t.log(`OUPS_BACKUP_SEED=${SEED}`);
  const random = seededRandom(SEED);
  const dir = await makeTempDir("oups-backup-");
  const storeDir = join(dir, "store");
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: SCHEMA });
  const client = new OupsClient(daemon.address);
  const ledgers = KEYS.map((key) => new VersionLedger(key, random));
  try {
    for (const ledger of ledgers) await ledger.write(client);
    let backingUp = true;
    let writesDuring = 0;
    const writers = ledgers.map(async (ledger) => {
      // Keep committing until the backup is done, and at least a few times while it runs.
      while (backingUp || writesDuring < 3 * ledgers.length) {
        await ledger.write(client);
        writesDuring++;
      }
    });
    const target = join(dir, "backup");
    const run = await runCli(["backup", "--address", daemon.address, "--to", target, "--format", "json"]);
    backingUp = false;
    await Promise.all(writers);
    t.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { datasets: number; generations: Record<string, number>; snapshot: string };
    t.is(report.datasets, KEYS.length);
    const expected = new Map<string, VersionSummary>();
    for (const ledger of ledgers) {
      const generation = report.generations[keyToPath(SCHEMA, ledger.key)];
      t.not(generation, undefined, `the backup holds ${ledger.key.symbol}`);
      expected.set(ledger.key.symbol!, ledger.summaryOf(generation!)!);
    }
    // The temporary snapshot is gone.
    const snapshots = await client.rpc.listSnapshots({});
    t.deepEqual(snapshots.snapshots.map((s) => s.name), []);
    same(t, await summarizeServed(target), expected);
    await assertCheckClean(t, target);
    // Only the current manifest of each dataset: no version records, no snapshots.
    for (const key of KEYS) {
      const names = await readdir(join(target, keyToPath(SCHEMA, key)));
      t.true(names.includes(MANIFEST_FILE));
      t.false(names.some((n) => n.startsWith(".")), `no hidden entry in the copy of ${key.symbol}: ${names.join(", ")}`);
    }
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(dir);
  }
});

test("oups backup --address deletes its temporary snapshot when the backup fails", async (t) => {
  t.timeout(300_000, "a hang guard only");
  const dir = await makeTempDir("oups-backup-");
  const storeDir = join(dir, "store");
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: SCHEMA });
  const client = new OupsClient(daemon.address);
  try {
    await new VersionLedger(KEYS[0]!, seededRandom(SEED)).write(client);
    // A target inside the store is refused only once the store's directory is known: after the snapshot.
    const run = await runCli(["backup", "--address", daemon.address, "--to", join(storeDir, "inside")]);
    t.is(run.code, 1);
    t.regex(run.stderr, /inside the store/);
    t.deepEqual((await client.rpc.listSnapshots({})).snapshots.map((s) => s.name), []);
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(dir);
  }
});
