import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDBInstance, version as duckDbVersion } from "@duckdb/node-api";
import { join } from "node:path";
import type { KeyFields } from "../client/src/index.js";
import { OupsClient } from "../client/src/index.js";
import { DEFAULT_CHANNEL_OPTIONS } from "../client/src/oups-client.js";
import { keyToPath } from "../server/src/store/keys/key.js";
import { parseIndexSpec } from "../server/src/store/keys/index-schema.js";
import type { BenchContext } from "./bench-context.js";
import { INDEX_SPEC, MAIN_KEY, startDaemon } from "./bench-context.js";
import { timestampOfRow } from "./data.js";
import { collectGarbage, median, now, progress } from "./measure.js";

/** A range of timestamps, in ms: [start, end). */
interface MsRange {
  start: number;
  end: number;
}

/** One read of a range: when its first rows arrived, when it ended, and how many rows it returned. */
interface Scan {
  firstBatchMs: number;
  totalMs: number;
  rows: number;
}

const SLICE_REPEATS = 5;
const FULL_REPEATS = 3;
const WARM_UP_RUNS = 3;

/**
 * Range query: a 1% slice (by timestamp) and a full scan of the main dataset through the SDK, consuming the
 * record batches, against DuckDB in process reading the same row-group files, consuming its streamed chunks.
 */
export async function benchRangeQuery(context: BenchContext): Promise<void> {
  const main = context.main;
  if (main === undefined) throw new Error("range query needs the dataset that ingest writes");
  const rows = main.totalRows;
  const sliceAt = (fraction: number): MsRange => ({
    start: timestampOfRow(Math.floor(rows * fraction)),
    end: timestampOfRow(Math.floor(rows * (fraction + 0.01))),
  });
  // A 1% slice from the middle of the dataset, read again and again; and 1% slices elsewhere, each read once (their
  // row groups decoded for the first time by this daemon).
  const slice = sliceAt(0.495);
  const firstReads = Array.from({ length: SLICE_REPEATS }, (_, i) => sliceAt(0.1 + 0.15 * i));

  progress(`range query: a 1% slice and a full scan of ${rows.toLocaleString("en-US")} rows, SDK vs DuckDB`);
  const daemon = await startDaemon(context, main.storeDir, "range");
  const client = new OupsClient(daemon.address);
  const duckdb = await DuckDBInstance.create(":memory:");
  const connection = await duckdb.connect();
  // Per scope: the SDK with its default channel options, DuckDB.
  const noScans = () => ({ sdk: [] as Scan[], duck: [] as Scan[] });
  const runs = { first: noScans(), slice: noScans(), full: noScans() };
  let peak: number;
  let files: string[];
  try {
    const description = await client.describe(MAIN_KEY);
    const datasetDir = join(main.storeDir, keyToPath(parseIndexSpec(INDEX_SPEC), MAIN_KEY));
    files = description.rowGroups.map((group) => join(datasetDir, group.file));
    // Repeated queries over immutable files: DuckDB's own advice is to cache their footers.
    await connection.run("SET parquet_metadata_cache = true");
    const timestampType = await columnType(connection, files, "timestamp");
    const measure = async (scope: keyof typeof runs, ranges: readonly (MsRange | undefined)[]) => {
      for (const range of ranges) {
        runs[scope].sdk.push(await scanOups(client, MAIN_KEY, range));
        collectGarbage();
        runs[scope].duck.push(await scanDuckDb(connection, files, timestampType, range));
        collectGarbage();
      }
    };
    // Untimed runs warm the page cache, the JITs and DuckDB's metadata cache alike (and the daemon's row-group
    // cache with the middle slice's row groups, which the first reads do not touch).
    await measure("slice", Array.from({ length: WARM_UP_RUNS }, () => slice));
    runs.slice = noScans();
    await measure("first", firstReads);
    await measure("slice", Array.from({ length: SLICE_REPEATS }, () => slice));
    await measure("full", Array.from({ length: FULL_REPEATS }, () => undefined));
    peak = await daemon.peakRssBytes();
  } finally {
    connection.closeSync();
    duckdb.closeSync();
    client.close();
    await daemon.stop();
  }
  checkSameRows("1% slice", runs.slice);
  checkSameRows("1% slices read once", runs.first);
  checkSameRows("full scan", runs.full);
  if (runs.full.sdk[0]!.rows !== rows) throw new Error(`full scan returned ${runs.full.sdk[0]!.rows} rows, expected ${rows}`);

  const rateOf = (scans: readonly Scan[]) => median(scans.map((s) => s.rows / (s.totalMs / 1000)));
  const firstOf = (scans: readonly Scan[]) => median(scans.map((s) => s.firstBatchMs));
  const sliceRows = runs.slice.sdk[0]!.rows.toLocaleString("en-US");
  // Targets of the read-speed work: throughput against DuckDB's, and time to first batch within a factor of DuckDB's
  // (a ratio anchor ÷ oups of at least 1 / factor).
  const targets = {
    first: { rate: "> 1× (faster than DuckDB)", rateAim: { above: 1 }, within: 1.5 },
    slice: { rate: "≥ 1.5×", rateAim: { atLeast: 1.5 }, within: undefined },
    full: { rate: "≥ 1× (DuckDB's rows/s)", rateAim: { atLeast: 1 }, within: 2 },
  } as const;
  for (const [scope, what] of [
    ["first", `1% slice (${sliceRows} rows), its row groups read for the first time`],
    ["slice", `1% slice (${sliceRows} rows), repeated (decoded row-group cache)`],
    ["full", `Full scan (${rows.toLocaleString("en-US")} rows)`],
  ] as const) {
    const target = targets[scope];
    const { sdk, duck } = runs[scope];
    const duckRate = rateOf(duck);
    context.rows.push(
      {
        figure: `${what}: time to first batch`,
        unit: "ms",
        oups: firstOf(sdk),
        anchorName: "DuckDB",
        anchor: firstOf(duck),
        ratio: firstOf(duck) / firstOf(sdk),
        ratioMeaning: "anchor ÷ oups (faster)",
        ...(target.within === undefined
          ? {}
          : { target: `≥ ${(1 / target.within).toFixed(2)}× (within ${target.within}× of DuckDB's)`, aim: { atLeast: 1 / target.within } }),
        daemonPeakRssBytes: peak,
      },
      {
        figure: `${what}: throughput`,
        unit: "rows/s",
        oups: rateOf(sdk),
        anchorName: "DuckDB",
        anchor: duckRate,
        ratio: rateOf(sdk) / duckRate,
        ratioMeaning: "oups ÷ anchor",
        target: target.rate,
        aim: target.rateAim,
        daemonPeakRssBytes: peak,
      },
    );
  }
  context.fullScan = { rows, rowsPerSecond: rateOf(runs.full.sdk) };
  context.notes.push(
    `Range query: ${files.length} row-group files (${context.config.compression}, the daemon's codec); medians of ${SLICE_REPEATS} runs (oups and DuckDB interleaved) of each slice figure and ` +
      `${FULL_REPEATS} of the full scan, after ${WARM_UP_RUNS} untimed slices. "Read for the first time": ${SLICE_REPEATS} different 1% slices (from 10% to ` +
      `70% of the dataset), each read once, so the daemon decodes their row groups from the files (both readers find the files in the OS page ` +
      `cache). "Repeated": the same middle slice each time, served by the daemon's decoded row-group cache. SDK: \`rangeQuery\` consumed batch by batch (Arrow JS record batches), with the SDK's default channel ` +
      `options (${DEFAULT_CHANNEL_OPTIONS["grpc-node.flow_control_window"] / 2 ** 20} MiB HTTP/2 flow-control window). DuckDB ${duckDbVersion()} ` +
      `(@duckdb/node-api, in process, default threads, parquet_metadata_cache on): \`SELECT * FROM read_parquet([files]) WHERE timestamp >= … ` +
      `AND timestamp < …\` through \`connection.stream\`, consuming \`fetchChunk\` chunks (DuckDB vectors, not converted to JS values).`,
  );
}

/** Reads `range` of `key` through the SDK, counting rows as the batches arrive. */
async function scanOups(client: OupsClient, key: KeyFields, range: MsRange | undefined): Promise<Scan> {
  const start = now();
  let firstBatchMs = Number.NaN;
  let rows = 0;
  const options = range === undefined ? {} : { start: new Date(range.start), end: new Date(range.end) };
  for await (const batch of client.rangeQuery(key, options)) {
    if (rows === 0 && batch.numRows > 0) firstBatchMs = now() - start;
    rows += batch.numRows;
  }
  return { firstBatchMs, totalMs: now() - start, rows };
}

/** Reads `range` of the Parquet `files` with DuckDB, streaming the result chunk by chunk. */
async function scanDuckDb(
  connection: DuckDBConnection,
  files: readonly string[],
  timestampType: string,
  range: MsRange | undefined,
): Promise<Scan> {
  const bound = (ms: number) => `CAST(epoch_ms(${ms}) AS ${timestampType})`;
  const where = range === undefined ? "" : ` WHERE timestamp >= ${bound(range.start)} AND timestamp < ${bound(range.end)}`;
  const sql = `SELECT * FROM read_parquet(${fileList(files)})${where}`;
  const start = now();
  let firstBatchMs = Number.NaN;
  let rows = 0;
  const result = await connection.stream(sql);
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    if (rows === 0) firstBatchMs = now() - start;
    rows += chunk.rowCount;
  }
  return { firstBatchMs, totalMs: now() - start, rows };
}

/** The SQL type DuckDB reads `column` of the files as (e.g. TIMESTAMP_MS). */
async function columnType(connection: DuckDBConnection, files: readonly string[], column: string): Promise<string> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${fileList(files)})`);
  const row = reader.getRowObjects().find((r) => r.column_name === column);
  if (row === undefined) throw new Error(`DuckDB sees no column "${column}" in the dataset's files`);
  return String(row.column_type);
}

function fileList(files: readonly string[]): string {
  return `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ")}]`;
}

/** Checks that oups and DuckDB returned as many rows as each other, query by query. */
function checkSameRows(what: string, runs: { sdk: readonly Scan[]; duck: readonly Scan[] }): void {
  runs.sdk.forEach((scan, i) => {
    const duck = runs.duck[i]!.rows;
    if (scan.rows !== duck) throw new Error(`${what}, query ${i + 1}: oups returned ${scan.rows} rows, DuckDB ${duck}`);
  });
}
