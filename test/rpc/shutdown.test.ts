import type { ExecutionContext } from "ava";
import test from "ava";
import { status } from "@grpc/grpc-js";
import type { RecordBatch } from "apache-arrow";
import { createTypedClient, OupsClient, OupsClientError, StoreService } from "../../client/src/index.js";
import { Health, HealthCheckResponse_ServingStatus } from "#gen/grpc/health/v1/health_pb.js";
import { Daemon } from "../../server/src/daemon.js";
import { makeTempDir, removeTempDir, slowReaderClient, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";
import { tapWrites } from "./helpers/write-tap.js";

const key = { symbol: "SHUT", year: "2024", month: "1" };

/** A daemon on a fresh store, stopped by the test itself; the directory is removed afterwards. */
async function startDaemon(t: ExecutionContext): Promise<{ daemon: Daemon; client: OupsClient; storeDir: string }> {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  // A slow reader, so that a range query the test stops reading is still being sent when the daemon stops.
  const client = new OupsClient(daemon.address, slowReaderClient.clientOptions);
  t.teardown(() => client.close());
  return { daemon, client, storeDir };
}

/** The statuses a health Watch of `service` reports, as an iterator the test reads one by one. */
function watchHealth(t: ExecutionContext, address: string, service: string): AsyncIterator<string> {
  const health = createTypedClient(Health, address);
  t.teardown(() => health.close());
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const responses = health.watch({ service }, { signal: controller.signal })[Symbol.asyncIterator]();
  return {
    next: async () => {
      const next = await responses.next();
      return next.done ? next : { done: false, value: HealthCheckResponse_ServingStatus[next.value.status] ?? "?" };
    },
  };
}

test("stopping flips health to NOT_SERVING, for the server and the StoreService, and ends an open range query", async (t) => {
  const { daemon, client, storeDir } = await startDaemon(t);
  await client.write(key, marketBatch(0, 100_000), { orderedOn: "timestamp", rowGroupTarget: 20_000 });
  t.is(await client.checkHealth(), "SERVING");
  const watches = ["", StoreService.typeName].map((service) => watchHealth(t, daemon.address, service));
  for (const watch of watches) t.deepEqual(await watch.next(), { done: false, value: "SERVING" });

  // A range query the consumer stops reading: the daemon cannot finish it by itself.
  const batches = client.rangeQuery(key, { maxRowsPerChunk: 1_000 })[Symbol.asyncIterator]();
  t.false((await batches.next()).done);

  const stopping = daemon.stop(200);
  for (const watch of watches) t.deepEqual(await watch.next(), { done: false, value: "NOT_SERVING" });
  await stopping;

  const err = await t.throwsAsync(
    (async () => {
      for (let next = await batches.next(); !next.done; next = await batches.next());
    })(),
    { instanceOf: OupsClientError },
  );
  t.true(err?.grpcCode === status.CANCELLED || err?.grpcCode === status.UNAVAILABLE, `${err?.code}: ${err?.message}`);
  // The store was closed cleanly: its lock is free, and its data intact.
  const next = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  const again = new OupsClient(next.address);
  try {
    t.is((await again.describe(key)).totalRows, 100_000);
  } finally {
    again.close();
    await next.stop(5_000);
  }
});

test("stopping lets a write in flight finish and commit", async (t) => {
  const { daemon, client, storeDir } = await startDaemon(t);
  const tap = tapWrites(daemon.store);
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  t.teardown(() => release());
  async function* slow(): AsyncGenerator<RecordBatch> {
    yield marketBatch(0, 100);
    yield marketBatch(100, 100);
    await released;
    yield marketBatch(200, 100);
  }
  const writing = client.write(key, slow(), { orderedOn: "timestamp" });
  await (await tap.next()).pulled(1);

  const stopping = daemon.stop(60_000);
  // New calls are refused from now on (a fresh connection finds no server).
  const late = new OupsClient(daemon.address);
  t.teardown(() => late.close());
  await t.throwsAsync(late.describe(key), { instanceOf: OupsClientError });

  release();
  const result = await writing;
  t.is(result.totalRows, 300);
  await stopping;

  const next = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  const again = new OupsClient(next.address);
  try {
    t.is((await again.describe(key)).totalRows, 300);
  } finally {
    again.close();
    await next.stop(5_000);
  }
});
