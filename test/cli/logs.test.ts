import test from "ava";
import type { ExecutionContext } from "ava";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer } from "node:net";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { slowReaderClient } from "../helpers/with-daemon.js";
import { datasetDir } from "../rpc/helpers/files.js";
import { marketBatch } from "../rpc/helpers/market-data.js";
import { runCli, tempDir } from "./run-cli.js";
import type { LogLine } from "../helpers/serve-process.js";
import { ServeProcess } from "../helpers/serve-process.js";

const INDEX = "symbol,year:int/month:int";
const key = { symbol: "LOG", year: "2024", month: "1" };
const missing = { symbol: "LOG", year: "2024", month: "2" };
/** The key as people write it: its path in the store. */
const KEY_TEXT = "LOG-2024/1";

const packageVersion = async () =>
  (JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** `oups serve` on a fresh store and a free port, logging JSON; stopped when the test ends. */
async function serveJson(t: ExecutionContext, ...args: string[]): Promise<{ daemon: ServeProcess; start: LogLine }> {
  const store = await tempDir(t);
  const daemon = new ServeProcess(["--store", store, "--listen", "127.0.0.1:0", "--index", INDEX, "--log-format", "json", ...args]);
  t.teardown(() => daemon.stop());
  const start = await daemon.waitForLine((l) => l.msg.includes(" serving store "));
  return { daemon, start };
}

const call = (method: string, status: string) => (l: LogLine) => l.method === method && l.status === status;

test("oups serve --log-format json logs a start-up line, then one line per call with method, key, rows, bytes, duration, status and peer", async (t) => {
  const { daemon, start } = await serveJson(t);
  t.is(start.level, "info");
  t.is(start.version, await packageVersion());
  t.regex(String(start.address), /^127\.0\.0\.1:\d+$/);
  t.is(start.tls, false);
  t.is(start.auth, false);
  t.true(start.msg.includes(await packageVersion()) && start.msg.includes(String(start.address)), start.msg);
  t.regex(start.msg, /TLS off, auth off/);

  const client = new OupsClient(String(start.address));
  t.teardown(() => client.close());
  await client.write(key, marketBatch(0, 1_000), { orderedOn: "timestamp" });
  await client.describe(key);
  await t.throwsAsync(client.describe(missing), { instanceOf: OupsClientError });
  t.is((await client.read(key)).numRows, 1_000);

  const write = await daemon.waitForLine(call("Write", "OK"));
  t.like(write, { level: "info", msg: "Write OK", key: KEY_TEXT, rows: 1_000 });
  t.true((write.bytes as number) > 1_000 * 8, "the Arrow IPC bytes received");
  t.is(typeof write.durationMs, "number");
  t.regex(String(write.peer), /127\.0\.0\.1/);
  t.like(await daemon.waitForLine(call("Describe", "OK")), { level: "info", key: KEY_TEXT });
  const notFound = await daemon.waitForLine(call("Describe", "NOT_FOUND"));
  t.like(notFound, { level: "info", key: "LOG-2024/2" });
  t.regex(String(notFound.error), /no dataset/);
  t.is(notFound.err, undefined, "a client's mistake has no stack trace");
  const read = await daemon.waitForLine(call("RangeQuery", "OK"));
  t.like(read, { level: "info", key: KEY_TEXT, rows: 1_000 });
  t.true((read.bytes as number) > 1_000 * 8, "the Arrow IPC bytes sent");
  t.is(await daemon.stop(), 0);
  t.true(daemon.lines.some((l) => l.msg === "oups stopped"));
});

test("a RangeQuery the client cancels is logged at info as CANCELLED, without a stack trace", async (t) => {
  const { daemon, start } = await serveJson(t);
  const client = new OupsClient(String(start.address), slowReaderClient.clientOptions);
  t.teardown(() => client.close());
  await client.write(key, marketBatch(0, 100_000), { orderedOn: "timestamp" });
  for await (const batch of client.rangeQuery(key, { maxRowsPerChunk: 1_000 })) {
    t.is(batch.numRows, 1_000);
    break;
  }
  const line = await daemon.waitForLine((l) => l.method === "RangeQuery");
  t.like(line, { level: "info", status: "CANCELLED", key: KEY_TEXT });
  t.true((line.rows as number) < 100_000, "the rows sent before the cancellation");
  t.is(line.err, undefined);
  t.false(daemon.stderr.includes("stack"), daemon.stderr);
  t.false(daemon.lines.some((l) => l.level === "error" || l.level === "warn"), daemon.stderr);
});

test("a call failing on the daemon's side is logged at error with the failure's stack", async (t) => {
  const store = await tempDir(t);
  const first = new ServeProcess(["--store", store, "--listen", "127.0.0.1:0", "--index", INDEX, "--log-format", "json"]);
  const started = await first.waitForLine((l) => l.msg.includes(" serving store "));
  const writer = new OupsClient(String(started.address));
  await writer.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
  writer.close();
  t.is(await first.stop(), 0);
  await writeFile(join(datasetDir(store, key), "_manifest.json"), "{ not json");

  const daemon = new ServeProcess(["--store", store, "--listen", "127.0.0.1:0", "--log-format", "json"]);
  t.teardown(() => daemon.stop());
  const start = await daemon.waitForLine((l) => l.msg.includes(" serving store "));
  const client = new OupsClient(String(start.address));
  t.teardown(() => client.close());
  await t.throwsAsync(client.describe(key), { instanceOf: OupsClientError });
  const line = await daemon.waitForLine((l) => l.method === "Describe");
  t.like(line, { level: "error", status: "DATA_LOSS", key: KEY_TEXT });
  const err = line.err as { message: string; stack: string };
  t.regex(err.stack, /^OupsError: .*\n\s+at /);
});

test("oups serve --log-level warn logs no info lines", async (t) => {
  const store = await tempDir(t);
  const port = await freePort();
  const daemon = new ServeProcess(["--store", store, "--listen", `127.0.0.1:${port}`, "--index", INDEX, "--log-level", "warn"], {
    OUPS_LOG_FORMAT: "json",
  });
  t.teardown(() => daemon.stop());
  const client = new OupsClient(`127.0.0.1:${port}`);
  t.teardown(() => client.close());
  await untilServing(client);
  await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp" });
  await t.throwsAsync(client.describe(missing), { instanceOf: OupsClientError });
  t.is(await daemon.stop(), 0);
  t.is(daemon.stderr, "", "neither the start-up line nor the calls nor the stop");
});

test("OUPS_LOG_LEVEL=debug and --log-format text give lines for people, the start-up line first", async (t) => {
  const store = await tempDir(t);
  const daemon = new ServeProcess(["--store", store, "--listen", "127.0.0.1:0", "--index", INDEX, "--log-format", "text"], { OUPS_LOG_LEVEL: "debug" });
  t.teardown(() => daemon.stop());
  const text = await daemon.waitForText((s) => s.includes(" serving store "));
  const [first] = text.split("\n");
  t.regex(first!, /INFO.*: oups \S+ serving store .* on 127\.0\.0\.1:\d+ \(TLS off, auth off\)/);
  t.true(first!.includes(await packageVersion()));
  t.false(first!.startsWith("{"), "not JSON");
  const address = /on (127\.0\.0\.1:\d+)/.exec(first!)![1]!;
  const client = new OupsClient(address);
  t.teardown(() => client.close());
  await client.listKeys();
  const after = await daemon.waitForText((s) => s.includes("ListKeys OK"));
  t.regex(after, /INFO.*: ListKeys OK .*"status":"OK"/);
});

test("oups serve refuses an unknown log level or format, naming it", async (t) => {
  const store = await tempDir(t);
  const level = await runCli(["serve", "--store", store, "--listen", "127.0.0.1:0", "--log-level", "loud"]);
  t.is(level.code, 1);
  t.regex(level.stderr, /--log-level \(OUPS_LOG_LEVEL\) must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/);
  const format = await runCli(["serve", "--store", store, "--listen", "127.0.0.1:0"], { OUPS_LOG_FORMAT: "xml" });
  t.is(format.code, 1);
  t.regex(format.stderr, /--log-format \(OUPS_LOG_FORMAT\) must be one of json, text, got "xml"/);
});

test("oups --version and oups -V print the version of package.json", async (t) => {
  const version = await packageVersion();
  for (const flag of ["--version", "-V"]) {
    const run = await runCli([flag]);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout, `oups ${version}\n`);
  }
});

test("oups serve --metrics-listen names the metrics address in its start-up line, and serves it", async (t) => {
  const { start } = await serveJson(t, "--metrics-listen", "127.0.0.1:0");
  t.regex(String(start.metricsAddress), /^127\.0\.0\.1:\d+$/);
  t.true(start.msg.includes(`http://${start.metricsAddress}/metrics`), start.msg);
  const response = await fetch(`http://${start.metricsAddress}/metrics`);
  t.is(response.status, 200);
  t.regex(await response.text(), /^# HELP oups_/m);
});

/** A port free a moment ago (for a daemon whose start-up line is not logged). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the daemon answers health checks (it starts in the background); a hang guard of a minute. */
async function untilServing(client: OupsClient): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if ((await client.checkHealth({ timeoutMs: 1_000 }).catch(() => undefined)) === "SERVING") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the daemon never served");
}
