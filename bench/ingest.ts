import { Table } from "apache-arrow";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFields } from "../client/src/index.js";
import { OupsClient } from "../client/src/index.js";
import { DEFAULT_ROW_GROUP_ROWS } from "../server/src/store/dataset/write-options.js";
import { writeParquetFile } from "./bare-parquet.js";
import type { BenchContext } from "./bench-context.js";
import { MAIN_KEY, startDaemon } from "./bench-context.js";
import type { MarketColumns } from "./data.js";
import { marketBatches } from "./data.js";
import { collectGarbage, progress, timed } from "./measure.js";

/**
 * Streams rows 0 to `rows - 1` of `columns` into `key` through the SDK, in `batchRows`-row batches, one Write per
 * `rowsPerWrite` rows, appending in order. Resolves to the dataset's row count after the last write.
 */
export async function ingestThroughSdk(
  client: OupsClient,
  key: KeyFields,
  columns: MarketColumns,
  rows: number,
  options: { batchRows: number; rowsPerWrite: number },
): Promise<number> {
  let totalRows = 0;
  for (let start = 0; start < rows; start += options.rowsPerWrite) {
    const end = Math.min(rows, start + options.rowsPerWrite);
    const result = await client.write(key, marketBatches(columns, start, end, options.batchRows), {
      orderedOn: "timestamp",
      rowGroupTarget: DEFAULT_ROW_GROUP_ROWS,
    });
    totalRows = result.totalRows;
  }
  return totalRows;
}

/**
 * Ingest: N ordered rows into one key through the SDK and a daemon child process, against the bare in-process
 * parquet-wasm write of the same rows to one file (the daemon's codec) (same row-group size), fsynced.
 */
export async function benchIngest(context: BenchContext): Promise<void> {
  const { config, columns } = context;
  const rows = config.rows;
  const storeDir = join(context.tempRoot, "main-store");
  const anchorDir = join(context.tempRoot, "bare-parquet");
  await mkdir(anchorDir, { recursive: true });
  const anchorFile = join(anchorDir, "dataset.parquet");

  progress(`ingest: ${rows.toLocaleString("en-US")} rows through the SDK`);
  const daemon = await startDaemon(context, storeDir, "ingest");
  let sdk: { value: number; ms: number };
  let peak: number;
  const client = new OupsClient(daemon.address);
  try {
    sdk = await timed(() => ingestThroughSdk(client, MAIN_KEY, columns, rows, config));
    peak = await daemon.peakRssBytes();
  } finally {
    client.close();
    await daemon.stop();
  }
  if (sdk.value !== rows) throw new Error(`ingest: the dataset holds ${sdk.value} rows, expected ${rows}`);
  collectGarbage();

  progress("ingest: the same rows with bare parquet-wasm, in process");
  const table = new Table([...marketBatches(columns, 0, rows, config.batchRows)]);
  const bare = await timed(() => writeParquetFile(anchorFile, table, DEFAULT_ROW_GROUP_ROWS, config.compression));
  collectGarbage();

  const oupsRate = rows / (sdk.ms / 1000);
  const anchorRate = rows / (bare.ms / 1000);
  context.rows.push({
    figure: `Ingest ${rows.toLocaleString("en-US")} rows (SDK, ${config.batchRows / 1024}K-row batches, one Write per ${(config.rowsPerWrite / 1e6).toFixed(0)}M rows)`,
    unit: "rows/s",
    oups: oupsRate,
    anchorName: "bare parquet-wasm, one file",
    anchor: anchorRate,
    ratio: oupsRate / anchorRate,
    ratioMeaning: "oups ÷ anchor",
    // Today's ratio before the read-speed work (bench/results/latest.json then): reads must not cost writes.
    target: "≥ 0.75× (0.75× before the read work)",
    aim: { atLeast: 0.75 },
    daemonPeakRssBytes: peak,
  });
  context.notes.push(
    `Ingest: SDK ${(sdk.ms / 1000).toFixed(1)} s; bare parquet-wasm ${(bare.ms / 1000).toFixed(1)} s ` +
      `(tableToIPC → Table.fromIPCStream → writeParquet with the daemon's writer settings: ${config.compression}, version 2 data pages of 64 KiB, ` +
      `dictionary on the text column only, ${DEFAULT_ROW_GROUP_ROWS}-row row groups; then write + fsync; one thread; ${(bare.value / 1e6).toFixed(0)} MB).`,
  );
  context.main = { storeDir, anchorFile, totalRows: rows };
  context.ingestRowsPerSecond = oupsRate;
}
