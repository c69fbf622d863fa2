import type { ExecutionContext } from "ava";
import test from "ava";
import { spawn } from "node:child_process";
import { mkdir, rename, rmdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { createTypedClient, OupsClient, OupsClientError } from "../../client/src/index.js";
import { Health, HealthCheckResponse_ServingStatus } from "#gen/grpc/health/v1/health_pb.js";
import { Daemon } from "../../server/src/daemon.js";
import { LOCK_DIR } from "../../server/src/store/keys/layout.js";
import { lockDirId, writeOwnerRecord } from "../../server/src/store/lock/lock-owner.js";
import { Store } from "../../server/src/store/store.js";
import { MAIN } from "../cli/run-cli.js";
import { exited, waitForLine } from "../helpers/child-process.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";

const key = { symbol: "CMP", year: "2024", month: "1" };

/** A daemon refreshing its lock every second (the shortest proper-lockfile allows), retrying a lost one at once. */
async function startDaemon(t: ExecutionContext): Promise<{ daemon: Daemon; client: OupsClient; storeDir: string }> {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, lockUpdateMs: 1000, lockRetryMs: 20 });
  t.teardown(() => daemon.stop(5_000));
  const client = new OupsClient(daemon.address);
  t.teardown(() => client.close());
  return { daemon, client, storeDir };
}

/** The statuses a health Watch of the server reports, read one by one. */
function watchHealth(t: ExecutionContext, address: string): () => Promise<string> {
  const health = createTypedClient(Health, address);
  const controller = new AbortController();
  t.teardown(() => {
    controller.abort();
    health.close();
  });
  const responses = health.watch({ service: "" }, { signal: controller.signal })[Symbol.asyncIterator]();
  return async () => {
    const next = await responses.next();
    return next.done ? "ended" : (HealthCheckResponse_ServingStatus[next.value.status] ?? "?");
  };
}

/** Replaces the lock directory atomically by another one (rename over an empty directory), as another process could. */
async function replaceLockDir(storeDir: string): Promise<void> {
  const other = join(storeDir, ".other-lock");
  await mkdir(other);
  // Not the mtime the daemon set at its last refresh, and one that never turns stale however slow the test runs.
  const future = new Date(Date.now() + 3_600_000);
  await utimes(other, future, future);
  await rename(other, join(storeDir, LOCK_DIR));
}

test("lock directory removed under a running daemon: health NOT_SERVING, then the lock is taken again and writes work", async (t) => {
  const { daemon, client, storeDir } = await startDaemon(t);
  await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
  const nextHealth = watchHealth(t, daemon.address);
  t.is(await nextHealth(), "SERVING");
  const before = await lockDirId(storeDir);
  await rmdir(join(storeDir, LOCK_DIR));
  t.is(await nextHealth(), "NOT_SERVING");
  t.is(await nextHealth(), "SERVING");
  t.false(daemon.store.lockCompromised);
  t.not(await lockDirId(storeDir), before, "a new lock directory, the daemon's");
  t.is((await client.write(key, marketBatch(10, 5))).totalRows, 15);
});

test("while another holds the lock directory, writes fail with UNAVAILABLE and reads go on; once free, the daemon sees what was written meanwhile", async (t) => {
  const { daemon, client, storeDir } = await startDaemon(t);
  await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
  t.is((await client.read(key)).numRows, 10);
  const nextHealth = watchHealth(t, daemon.address);
  t.is(await nextHealth(), "SERVING");
  // A lock directory the daemon's record does not describe: held by someone unknown, so the daemon keeps trying.
  await replaceLockDir(storeDir);
  t.is(await nextHealth(), "NOT_SERVING");
  const err = await t.throwsAsync(client.write(key, marketBatch(10, 5)), { instanceOf: OupsClientError });
  t.is(err?.grpcCode, status.UNAVAILABLE);
  t.is(err?.code, "LOCK_COMPROMISED");
  t.is((await client.describe(key)).totalRows, 10, "reads go on");

  // The other process writes meanwhile: the daemon's manifest of the key is stale from now on.
  const other = await Store.open(storeDir, { lock: false, parquetWorkers: 1 });
  const batch = marketBatch(100, 7);
  await other.write(key, { schema: batch.schema, batches: [batch] }, { orderedOn: "timestamp" });
  await other.close();
  await rmdir(join(storeDir, LOCK_DIR));

  t.is(await nextHealth(), "SERVING");
  t.is((await client.describe(key)).totalRows, 17, "the other process's rows are seen");
  t.is((await client.read(key)).numRows, 17);
  t.is((await client.write(key, marketBatch(10, 5))).totalRows, 22);
});

test("another live process takes the store: `oups serve` stops and exits non-zero, naming it", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const child = spawn(process.execPath, [MAIN, "serve", "--store", storeDir, "--listen", "127.0.0.1:0", "--lock-update-ms", "1000", "--lock-retry-ms", "20"], {
    stdio: ["ignore", "ignore", "pipe"],
    // The start-up line is logged at info, which the test runner's environment turns off.
    env: { ...process.env, OUPS_LOG_LEVEL: "info" },
  });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitForLine(child.stderr!, / serving store .* on \S+:\d+/);
  // This test process takes the lock: a new lock directory, and its own owner record for it.
  await replaceLockDir(storeDir);
  await writeOwnerRecord(storeDir, (await lockDirId(storeDir))!);
  const { code } = await exited(child);
  t.is(code, 1, stderr);
  t.regex(stderr, new RegExp(`oups serve: lost the store lock to another process: .*held by pid ${process.pid} on host `));
  t.true((await stat(join(storeDir, LOCK_DIR))).isDirectory(), "the other process's lock is left alone");
});
