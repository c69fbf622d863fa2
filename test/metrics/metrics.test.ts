import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import type { OupsClientOptions } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { OupsError } from "../../server/src/store/errors.js";
import type { Family } from "../helpers/prometheus-text.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheus-text.js";
import { makeTempDir, removeTempDir, slowReaderClient, testIndex } from "../helpers/with-daemon.js";
import { datasetDir, eventually, filesIn } from "../rpc/helpers/files.js";
import { T0_MS, marketBatch } from "../rpc/helpers/market-data.js";

interface MetricsFixture {
  daemon: Daemon;
  client: OupsClient;
  storeDir: string;
  scrape(): Promise<Map<string, Family>>;
}

/** Runs `body` against a daemon serving metrics on a free port of 127.0.0.1, over a fresh temporary store. */
async function withMetricsDaemon(body: (fixture: MetricsFixture) => Promise<void>, clientOptions?: OupsClientOptions): Promise<void> {
  const storeDir = await makeTempDir();
  // Retention 0: the files on disk are then exactly the committed generations' that the gauge counts.
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, metricsListen: "127.0.0.1:0", versions: { retainGenerations: 0, retainForMs: 0 } });
  const client = new OupsClient(daemon.address, clientOptions);
  const scrape = async () => {
    const response = await fetch(`http://${daemon.metricsAddress}/metrics`);
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
    return parsePrometheusText(await response.text());
  };
  try {
    await body({ daemon, client, storeDir, scrape });
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
  }
}

const key = { symbol: "MET", year: "2024", month: "1" };
const otherKey = { symbol: "MET", year: "2024", month: "2" };

/** The families the daemon exposes, with their types. */
const OUPS_FAMILIES: Record<string, Family["type"]> = {
  oups_build_info: "gauge",
  oups_rpc_calls_total: "counter",
  oups_rpc_duration_seconds: "histogram",
  oups_rpc_open_streams: "gauge",
  oups_write_rows_total: "counter",
  oups_read_rows_total: "counter",
  oups_write_bytes_total: "counter",
  oups_read_bytes_total: "counter",
  oups_commit_duration_seconds: "histogram",
  oups_key_queue_tasks: "gauge",
  oups_key_queue_keys: "gauge",
  oups_key_queue_max_depth: "gauge",
  oups_row_group_cache_hits_total: "counter",
  oups_row_group_cache_misses_total: "counter",
  oups_row_group_cache_bytes: "gauge",
  oups_row_group_cache_row_groups: "gauge",
  oups_row_group_cache_max_bytes: "gauge",
  oups_pinned_generations: "gauge",
  oups_pinning_reads: "gauge",
  oups_store_datasets: "gauge",
  oups_store_bytes: "gauge",
  // prom-client's default process metrics, a few of them.
  process_cpu_seconds_total: "counter",
  process_resident_memory_bytes: "gauge",
  nodejs_heap_size_used_bytes: "gauge",
  nodejs_eventloop_lag_seconds: "gauge",
};

test("/metrics serves strict Prometheus text with every metric family of the daemon", async (t) => {
  await withMetricsDaemon(async ({ daemon, client }) => {
    await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
    const response = await fetch(`http://${daemon.metricsAddress}/metrics`);
    t.is(response.status, 200);
    t.regex(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await response.text());
    for (const [name, type] of Object.entries(OUPS_FAMILIES)) {
      t.is(families.get(name)?.type, type, name);
      t.truthy(families.get(name)?.help, `${name} has a HELP line`);
    }
    t.is(sampleValue(families, "oups_build_info", { version: (await import("../../server/src/version.js")).VERSION }), 1);
  });
});

test("the strict parser of the tests refuses what is not Prometheus text", (t) => {
  t.throws(() => parsePrometheusText("a 1\n"), { message: /outside its family/ });
  t.throws(() => parsePrometheusText("# TYPE a counter\na{b=c} 1\n"), { message: /not a sample line/ });
  t.throws(() => parsePrometheusText("# TYPE a gauge\na 1"), { message: /line feed/ });
  t.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), {
    message: /cumulative/,
  });
  t.is(sampleValue(parsePrometheusText('# TYPE a counter\na{m="x\\"y"} 2.5e0\n'), "a", { m: 'x"y' }), 2.5);
});

test("/metrics counts calls by method and status", async (t) => {
  await withMetricsDaemon(async ({ client, scrape }) => {
    await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
    for (let i = 0; i < 3; i++) await client.describe(key);
    await t.throwsAsync(client.describe(otherKey), { instanceOf: OupsClientError, message: /no dataset/ });
    const families = await scrape();
    t.is(sampleValue(families, "oups_rpc_calls_total", { method: "Describe", status: "OK" }), 3);
    t.is(sampleValue(families, "oups_rpc_calls_total", { method: "Describe", status: "NOT_FOUND" }), 1);
    t.is(sampleValue(families, "oups_rpc_calls_total", { method: "Write", status: "OK" }), 1);
    t.is(sampleValue(families, "oups_rpc_duration_seconds_count", { method: "Describe", status: "OK" }), 3);
    t.is(sampleValue(families, "oups_rpc_open_streams", { method: "Describe" }), 0);
  });
});

test("two daemons in one process count their own calls", async (t) => {
  await withMetricsDaemon(async (first) => {
    await withMetricsDaemon(async (second) => {
      await first.client.listKeys();
      await first.client.listKeys();
      await second.client.listKeys();
      t.is(sampleValue(await first.scrape(), "oups_rpc_calls_total", { method: "ListKeys", status: "OK" }), 2);
      t.is(sampleValue(await second.scrape(), "oups_rpc_calls_total", { method: "ListKeys", status: "OK" }), 1);
    });
  });
});

test("rows and bytes written and read, commits and bytes on disk match what was written and read", async (t) => {
  await withMetricsDaemon(async ({ client, scrape, storeDir }) => {
    await client.write(key, marketBatch(0, 3_000), { orderedOn: "timestamp", rowGroupTarget: 1_000 });
    await client.write(key, marketBatch(3_000, 500));
    await client.updateMetadata(key, { set: { source: "test" } });
    let rowsRead = 0;
    for await (const batch of client.rangeQuery(key)) rowsRead += batch.numRows;
    rowsRead += (await client.read(key, { start: new Date(T0_MS + 1_000), end: new Date(T0_MS + 1_500) })).numRows;
    t.is(rowsRead, 3_500 + 500);
    const rows = await collectIntersections(client);
    const families = await scrape();
    t.is(sampleValue(families, "oups_write_rows_total"), 3_500);
    t.is(sampleValue(families, "oups_read_rows_total"), rowsRead + rows);
    t.true(sampleValue(families, "oups_write_bytes_total")! > 3_500 * 8);
    t.true(sampleValue(families, "oups_read_bytes_total")! > rowsRead * 8);
    t.is(sampleValue(families, "oups_commit_duration_seconds_count"), 3, "two writes and a metadata update");
    t.is(sampleValue(families, "oups_store_datasets"), 1);
    // Bytes on disk: the committed row-group files and the manifest, as they are on disk.
    const dir = datasetDir(storeDir, key);
    const files = (await filesIn(dir)).filter((f) => !f.startsWith("."));
    const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
    t.true(await eventually(async () => sampleValue(await scrape(), "oups_store_bytes") === sizes.reduce((a, b) => a + b, 0)), files.join(", "));
  });
});

async function collectIntersections(client: OupsClient): Promise<number> {
  let rows = 0;
  for await (const part of client.queryIntersections([key])) rows += part.table.numRows;
  return rows;
}

test("the row-group cache's hits and misses are counted", async (t) => {
  await withMetricsDaemon(async ({ client, scrape }) => {
    await client.write(key, marketBatch(0, 100), { orderedOn: "timestamp" });
    // The write put its row group in the cache (write-through): it holds it before any read.
    const written = await scrape();
    t.is(sampleValue(written, "oups_row_group_cache_row_groups"), 1);
    t.true(sampleValue(written, "oups_row_group_cache_bytes")! > 0);
    await client.read(key);
    const first = await scrape();
    t.is(sampleValue(first, "oups_row_group_cache_misses_total"), 0);
    t.is(sampleValue(first, "oups_row_group_cache_hits_total"), 1);
    await client.read(key);
    const second = await scrape();
    t.is(sampleValue(second, "oups_row_group_cache_misses_total"), 0);
    t.is(sampleValue(second, "oups_row_group_cache_hits_total"), 2);
    t.is(sampleValue(second, "oups_row_group_cache_row_groups"), 1);
  });
});

test("a read in progress shows as an open stream pinning a generation, until the client stops reading", async (t) => {
  await withMetricsDaemon(async ({ client, scrape }) => {
    await client.write(key, marketBatch(0, 100_000), { orderedOn: "timestamp" });
    for await (const batch of client.rangeQuery(key, { maxRowsPerChunk: 1_000 })) {
      t.is(batch.numRows, 1_000);
      const during = await scrape();
      t.is(sampleValue(during, "oups_rpc_open_streams", { method: "RangeQuery" }), 1);
      t.is(sampleValue(during, "oups_pinned_generations"), 1);
      t.is(sampleValue(during, "oups_pinning_reads"), 1);
      break;
    }
    t.true(await eventually(async () => sampleValue(await scrape(), "oups_rpc_calls_total", { method: "RangeQuery", status: "CANCELLED" }) === 1));
    const after = await scrape();
    t.is(sampleValue(after, "oups_rpc_open_streams", { method: "RangeQuery" }), 0);
    t.is(sampleValue(after, "oups_pinned_generations"), 0);
  }, slowReaderClient.clientOptions);
});

test("writes waiting for their key's turn show in the queue depth", async (t) => {
  await withMetricsDaemon(async ({ client, scrape }) => {
    await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* slowRows(): AsyncGenerator<RecordBatch> {
      yield marketBatch(10, 10);
      await held;
      yield marketBatch(20, 10);
    }
    const first = client.write(key, slowRows());
    const second = client.write(key, marketBatch(30, 10));
    // Settled below, or after a failed assertion by the daemon's stop: not an unhandled rejection either way.
    first.catch(() => undefined);
    second.catch(() => undefined);
    const queueIs = (tasks: number, maxDepth: number) => async () => {
      const families = await scrape();
      return sampleValue(families, "oups_key_queue_tasks") === tasks && sampleValue(families, "oups_key_queue_max_depth") === maxDepth;
    };
    try {
      t.true(await eventually(queueIs(2, 2)), "the second write waits behind the first, which holds the key");
      t.is(sampleValue(await scrape(), "oups_key_queue_keys"), 1);
    } finally {
      release();
    }
    t.is((await first).totalRows, 30);
    t.is((await second).totalRows, 40);
    t.true(await eventually(queueIs(0, 0)));
  });
});

test("other paths than /metrics answer 404", async (t) => {
  await withMetricsDaemon(async ({ daemon }) => {
    for (const path of ["/", "/metric", "/metrics/x", "/favicon.ico"]) {
      t.is((await fetch(`http://${daemon.metricsAddress}${path}`)).status, 404, path);
    }
    t.is((await fetch(`http://${daemon.metricsAddress}/metrics?x=1`)).status, 200);
  });
});

test("a daemon serves no metrics unless told where", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  t.is(daemon.metricsAddress, undefined);
  await daemon.stop();
});

test("a metrics address in use stops the daemon from starting, before it takes the store", async (t) => {
  await withMetricsDaemon(async ({ daemon }) => {
    const storeDir = await makeTempDir();
    t.teardown(() => removeTempDir(storeDir));
    await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0", metricsListen: daemon.metricsAddress! }), {
      message: `${daemon.metricsAddress} is already in use`,
    });
    const other = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
    await other.stop();
  });
});

test("a bad metrics address is refused naming the accepted forms", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const err = await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0", metricsListen: "localhost" }), { instanceOf: OupsError });
  t.regex(err?.message ?? "", /no port/);
});

test("calls refused for lack of a token are counted under UNAUTHENTICATED and FORBIDDEN, though no handler ran", async (t) => {
  const storeDir = await makeTempDir();
  const tokenFile = join(storeDir, "..", `${storeDir.split("/").pop()}-tokens`);
  await writeFile(tokenFile, "reader-token read\nwriter-token write\n");
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, metricsListen: "127.0.0.1:0", authTokenFile: tokenFile });
  const anonymous = new OupsClient(daemon.address);
  const reader = new OupsClient(daemon.address, { token: "reader-token" });
  t.teardown(async () => {
    anonymous.close();
    reader.close();
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
    await rm(tokenFile, { force: true });
  });
  for (let i = 0; i < 2; i++) await t.throwsAsync(anonymous.describe(key), { instanceOf: OupsClientError });
  await t.throwsAsync(reader.remove(key), { instanceOf: OupsClientError });
  const families = parsePrometheusText(await (await fetch(`http://${daemon.metricsAddress}/metrics`)).text());
  t.is(sampleValue(families, "oups_rpc_calls_total", { method: "Describe", status: "UNAUTHENTICATED" }), 2);
  t.is(sampleValue(families, "oups_rpc_calls_total", { method: "Remove", status: "PERMISSION_DENIED" }), 1);
  t.is(sampleValue(families, "oups_rpc_open_streams", { method: "Describe" }) ?? 0, 0);
});
