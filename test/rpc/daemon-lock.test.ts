import test from "ava";
import { execFile } from "node:child_process";
import { mkdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { OupsClient } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { OupsError } from "../../server/src/store/errors.js";
import { LOCK_DIR } from "../../server/src/store/keys/layout.js";
import { daemonTest, makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";

const key = { symbol: "LCK", year: "2024", month: "1" };
const mainScript = fileURLToPath(new URL("../../server/src/main.js", import.meta.url));

test(
  "a second daemon on the same store directory is refused with STORE_LOCKED naming the directory",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
    const err = await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0" }), { instanceOf: OupsError });
    t.is(err?.code, "STORE_LOCKED");
    t.true(err?.message.includes(daemon.store.dir), err?.message);
    // The first daemon is untouched: it still serves, and still holds the lock.
    t.is(await client.checkHealth(), "SERVING");
    t.is((await client.write(key, marketBatch(10, 5))).totalRows, 15);
    t.true((await stat(join(storeDir, LOCK_DIR))).isDirectory());
  }),
);

test(
  "`oups serve` on a locked store exits non-zero with a one-line message",
  daemonTest(async (t, { storeDir }) => {
    const run = promisify(execFile)(process.execPath, [mainScript, "serve", "--store", storeDir, "--listen", "127.0.0.1:0"], {
      // A safety net only: the command fails at once.
      timeout: 60_000,
    });
    const err = await t.throwsAsync<Error & { code: number; stderr: string; stdout: string }>(run);
    t.not(err?.code, 0);
    t.is(typeof err?.code, "number");
    const lines = (err?.stderr ?? "").trimEnd().split("\n");
    t.is(lines.length, 1, err?.stderr);
    t.regex(lines[0]!, /^oups serve: .*locked/);
    t.true(lines[0]!.includes(storeDir), lines[0]);
  }),
);

test("a stale lock left by a crashed daemon is taken over", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  // What proper-lockfile leaves when its owner dies: the lock directory, no longer refreshed.
  const lockDir = join(storeDir, LOCK_DIR);
  await mkdir(lockDir);
  const old = new Date(Date.now() - 60_000);
  await utimes(lockDir, old, old);

  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  const client = new OupsClient(daemon.address);
  try {
    t.is(await client.checkHealth(), "SERVING");
    t.is((await client.write(key, marketBatch(0, 3), { orderedOn: "timestamp" })).totalRows, 3);
    t.true((await stat(lockDir)).mtimeMs > old.getTime() + 30_000, "the lock is now fresh, and ours");
  } finally {
    client.close();
    await daemon.stop(5_000);
  }
  await t.throwsAsync(stat(lockDir), { message: /ENOENT/ }, "a clean stop releases the lock");
});

test("a fresh lock held by someone else is not taken over", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  await mkdir(join(storeDir, LOCK_DIR));
  const err = await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0" }), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.true((await stat(join(storeDir, LOCK_DIR))).isDirectory());
});

test("a daemon that stops releases the store for the next one", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const first = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  const client = new OupsClient(first.address);
  await client.write(key, marketBatch(0, 4), { orderedOn: "timestamp" });
  client.close();
  await first.stop(5_000);
  const second = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  const again = new OupsClient(second.address);
  try {
    t.deepEqual(await again.getIndexSchema(), testIndex);
    t.is((await again.describe(key)).totalRows, 4);
  } finally {
    again.close();
    await second.stop(5_000);
  }
});
