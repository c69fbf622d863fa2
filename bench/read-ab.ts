/**
 * A/B of the read path: the range phase's reads (1% slices read for the first time, full scans) against daemons of
 * several builds, interleaved round by round (the machine is shared: interleaving spreads its load over every
 * build alike), with DuckDB reading the same files in each round. Not part of `npm run bench`.
 *
 *   node --expose-gc build/bench/read-ab.js --store DIR [--rows N] [--rounds R] [--build NAME=BUILD_DIR[:NODE_FLAG,...]]...
 *     [--cpu-prof DIR] [--scans first,repeat,full]
 *
 * The store is ingested once (with this build) when DIR holds none. Each build's daemon is a fresh process per
 * round, so that its row-group cache is empty and a slice's row groups are decoded from the files.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { OupsClient } from "../client/src/index.js";
import { keyToPath } from "../server/src/store/keys/key.js";
import { parseIndexSpec } from "../server/src/store/keys/index-schema.js";
import { INDEX_SPEC, MAIN_KEY } from "./bench-context.js";
import { formatCpuProfiles } from "./cpu-profile.js";
import { DaemonProcess } from "./daemon-process.js";
import { generateMarketColumns, timestampOfRow } from "./data.js";
import { ingestThroughSdk } from "./ingest.js";
import { collectGarbage, median, now } from "./measure.js";
import { processCpu } from "./proc-cpu.js";

interface Scan {
  firstBatchMs: number;
  totalMs: number;
  rows: number;
  /** CPU time of the scan, in ms: the daemon's main thread, the whole daemon, the client (0 for DuckDB). */
  cpu?: { daemonMain: number; daemon: number; client: number };
}

const { values } = parseArgs({
  options: {
    store: { type: "string" },
    rows: { type: "string", default: "10000000" },
    rounds: { type: "string", default: "3" },
    build: { type: "string", multiple: true },
    "cpu-prof": { type: "string" },
    scans: { type: "string", default: "first,repeat,full" },
    "no-duckdb": { type: "boolean" },
  },
});
if (values.store === undefined) throw new Error("--store DIR is required");
const storeDir = resolve(values.store);
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const scans = new Set(values.scans.split(","));
const builds = (values.build ?? [`this=${new URL("..", import.meta.url).pathname}`]).map((spec) => {
  // NAME=BUILD_DIR, or NAME=BUILD_DIR:FLAG,FLAG to run that daemon with node flags.
  const name = spec.slice(0, spec.indexOf("="));
  const rest = spec.slice(spec.indexOf("=") + 1);
  const dir = rest.split(":")[0]!;
  const flags = rest.includes(":") ? rest.slice(rest.indexOf(":") + 1) : undefined;
  return { name, main: join(resolve(dir), "server/src/main.js"), flags: flags === undefined ? [] : flags.split(",") };
});

if (!existsSync(join(storeDir, "oups-store.json"))) {
  const daemon = await DaemonProcess.start({ storeDir, index: INDEX_SPEC });
  const client = new OupsClient(daemon.address);
  try {
    await ingestThroughSdk(client, MAIN_KEY, generateMarketColumns(0, rows), rows, { batchRows: 64 * 1024, rowsPerWrite: 1_000_000 });
  } finally {
    client.close();
    await daemon.stop();
  }
}

const sliceAt = (fraction: number) => ({
  start: timestampOfRow(Math.floor(rows * fraction)),
  end: timestampOfRow(Math.floor(rows * (fraction + 0.01))),
});

async function scanOups(client: OupsClient, range: { start: number; end: number } | undefined): Promise<Scan> {
  const start = now();
  let firstBatchMs = Number.NaN;
  let n = 0;
  const options = range === undefined ? {} : { start: new Date(range.start), end: new Date(range.end) };
  for await (const batch of client.rangeQuery(MAIN_KEY, options)) {
    if (n === 0 && batch.numRows > 0) firstBatchMs = now() - start;
    n += batch.numRows;
  }
  return { firstBatchMs, totalMs: now() - start, rows: n };
}

const duckdb = await DuckDBInstance.create(":memory:");
const connection = await duckdb.connect();
await connection.run("SET parquet_metadata_cache = true");
const datasetDir = join(storeDir, keyToPath(parseIndexSpec(INDEX_SPEC), MAIN_KEY));
let files: string[] = [];

async function scanDuckDb(range: { start: number; end: number } | undefined): Promise<Scan> {
  const list = `[${files.map((f) => `'${f}'`).join(", ")}]`;
  const bound = (ms: number) => `CAST(epoch_ms(${ms}) AS TIMESTAMP_MS)`;
  const where = range === undefined ? "" : ` WHERE timestamp >= ${bound(range.start)} AND timestamp < ${bound(range.end)}`;
  const start = now();
  let firstBatchMs = Number.NaN;
  let n = 0;
  const result = await connection.stream(`SELECT * FROM read_parquet(${list})${where}`);
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    if (n === 0) firstBatchMs = now() - start;
    n += chunk.rowCount;
  }
  return { firstBatchMs, totalMs: now() - start, rows: n };
}

const results = new Map<string, { first: Scan[]; repeat: Scan[]; full: Scan[] }>();
const record = (name: string) => results.get(name) ?? results.set(name, { first: [], repeat: [], full: [] }).get(name)!;
// The slice the range phase repeats: after two untimed reads its row groups are in the daemon's cache.
const repeated = sliceAt(0.495);
const loads: number[] = [];
for (let round = 0; round < rounds; round++) {
  // Slices differ from round to round too: a daemon never finds them in its cache, the page cache holds them all.
  const slices = Array.from({ length: 5 }, (_, i) => sliceAt(0.1 + 0.15 * i + 0.01 * round));
  const order = round % 2 === 0 ? builds : [...builds].reverse();
  for (const build of [...order, ...(values["no-duckdb"] ? [] : [{ name: "duckdb", main: "", flags: [] }])]) {
    loads.push((await import("node:os")).loadavg()[0]!);
    if (build.name === "duckdb") {
      if (scans.has("first")) for (const s of slices) record("duckdb").first.push(await scanDuckDb(s));
      if (scans.has("repeat")) for (let i = 0; i < 7; i++) record("duckdb").repeat.push(await scanDuckDb(repeated));
      if (scans.has("full")) for (let i = 0; i < 2; i++) record("duckdb").full.push(await scanDuckDb(undefined));
      continue;
    }
    const daemon = await DaemonProcess.start({ storeDir, index: INDEX_SPEC, mainScript: build.main, nodeFlags: build.flags, cpuProfileDir: values["cpu-prof"] });
    const client = new OupsClient(daemon.address);
    try {
      if (files.length === 0) files = (await client.describe(MAIN_KEY)).rowGroups.map((g) => join(datasetDir, g.file));
      // One untimed read of a slice no round reads: the connection, the JITs and the workers warm.
      await scanOups(client, sliceAt(0.9));
      collectGarbage();
      const measured = async (range: { start: number; end: number } | undefined): Promise<Scan> => {
        const daemonBefore = await processCpu(daemon.pid);
        const clientBefore = process.cpuUsage();
        const scan = await scanOups(client, range);
        const clientCpu = process.cpuUsage(clientBefore);
        const daemonAfter = await processCpu(daemon.pid);
        collectGarbage();
        return {
          ...scan,
          cpu: {
            daemonMain: daemonAfter.mainMs - daemonBefore.mainMs,
            daemon: daemonAfter.totalMs - daemonBefore.totalMs,
            client: (clientCpu.user + clientCpu.system) / 1000,
          },
        };
      };
      if (scans.has("first")) for (const s of slices) record(build.name).first.push(await measured(s));
      if (scans.has("repeat")) {
        // The first read of a row group leaves it out of the cache, the second puts it in.
        await scanOups(client, repeated);
        await scanOups(client, repeated);
        for (let i = 0; i < 5; i++) record(build.name).repeat.push(await measured(repeated));
      }
      if (scans.has("full")) for (let i = 0; i < 2; i++) record(build.name).full.push(await measured(undefined));
    } finally {
      client.close();
      await daemon.stop();
    }
  }
}
connection.closeSync();
duckdb.closeSync();

const fmt = (x: number) => x.toFixed(1).padStart(8);
console.log(`load average (1 min) during the runs: ${loads.map((l) => l.toFixed(1)).join(" ")}`);
console.log("name       first batch ms, total ms, Mrows/s of: first-read slices | repeated slice | full scan");
for (const [name, r] of results) {
  const rate = (s: Scan[]) => median(s.map((x) => x.rows / x.totalMs / 1000));
  const line = (s: Scan[]) =>
    s.length === 0 ? "   -" : `${fmt(median(s.map((x) => x.firstBatchMs)))} ${fmt(median(s.map((x) => x.totalMs)))} ${fmt(rate(s))}`;
  console.log(`${name.padEnd(10)} ${line(r.first)} | ${line(r.repeat)} | ${line(r.full)}`);
}
console.log("CPU per scan, medians (ms): daemon main thread / whole daemon / client process");
for (const [name, r] of results) {
  if (name === "duckdb") continue;
  const cpu = (s: Scan[]) =>
    s.length === 0 ? "   -" : (["daemonMain", "daemon", "client"] as const).map((k) => fmt(median(s.map((x) => x.cpu![k])))).join(" ");
  console.log(`${name.padEnd(10)} first-read ${cpu(r.first)} | repeated ${cpu(r.repeat)} | full scan ${cpu(r.full)}`);
}
if (values["cpu-prof"] !== undefined) console.log(await formatCpuProfiles(values["cpu-prof"], 25));
