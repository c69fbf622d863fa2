import { Table } from "apache-arrow";
import type { KeyFields, WriteOptions } from "../client/src/index.js";
import { OupsClient } from "../client/src/index.js";
import { dropDuplicatesKeepLast } from "../server/src/store/arrow/dedupe.js";
import { mergeSorted } from "../server/src/store/arrow/merge-sorted.js";
import { DEFAULT_ROW_GROUP_ROWS } from "../server/src/store/dataset/write-options.js";
import type { Compression } from "../server/src/store/io/compression.js";
import { readParquetFile, replaceParquetFile } from "./bare-parquet.js";
import type { BenchContext } from "./bench-context.js";
import { MAIN_KEY, startDaemon } from "./bench-context.js";
import type { MarketColumns } from "./data.js";
import { generateMarketColumns, marketBatch, marketBatches } from "./data.js";
import { collectGarbage, median, progress, timed } from "./measure.js";

const REPEATS = 3;
const DUPLICATES_ON = ["timestamp", "symbol"] as const;

/**
 * Update: rows overlapping the last 1% of the main dataset, written with dedup through the SDK, against the
 * traditional rewrite of the whole file (read, merge, dedupe, write back) in process, and against writing the same
 * rows to an empty key.
 */
export async function benchUpdate(context: BenchContext): Promise<void> {
  const main = context.main;
  if (main === undefined) throw new Error("update needs the dataset that ingest writes");
  const { config } = context;
  const first = main.totalRows - Math.floor(main.totalRows / 100);
  const end = first + config.updateRows;
  // Same timestamps and symbols as the rows they replace, new prices: every overlapping row is a duplicate.
  const update = generateMarketColumns(first, config.updateRows, 0.5);
  const expectedRows = Math.max(main.totalRows, end);
  const options: WriteOptions = { orderedOn: "timestamp", duplicatesOn: DUPLICATES_ON, rowGroupTarget: DEFAULT_ROW_GROUP_ROWS };
  const rowsText = config.updateRows.toLocaleString("en-US");

  progress(`update: ${rowsText} rows over the last 1% of ${main.totalRows.toLocaleString("en-US")}, through the SDK`);
  const daemon = await startDaemon(context, main.storeDir, "update");
  const client = new OupsClient(daemon.address);
  const updateMs: number[] = [];
  const aloneMs: number[] = [];
  let peak: number;
  try {
    // One untimed update first, as the range phase does: a long-running daemon has its kernels compiled and its
    // files in the page cache; otherwise the first timed update alone pays for that (the empty-key writes after
    // it never do).
    await client.write(MAIN_KEY, marketBatches(update, first, end, config.batchRows), options);
    for (let run = 0; run < REPEATS; run++) {
      const written = await timed(() => client.write(MAIN_KEY, marketBatches(update, first, end, config.batchRows), options));
      if (written.value.totalRows !== expectedRows) {
        throw new Error(`update: the dataset holds ${written.value.totalRows} rows, expected ${expectedRows}`);
      }
      updateMs.push(written.ms);
      const alone: KeyFields = { symbol: `ALONE${run}`, day: "20240102" };
      aloneMs.push((await timed(() => client.write(alone, marketBatches(update, first, end, config.batchRows), options))).ms);
    }
    peak = await daemon.peakRssBytes();
  } finally {
    client.close();
    await daemon.stop();
  }
  main.totalRows = expectedRows;
  collectGarbage();

  progress("update: the traditional rewrite of the whole file with apache-arrow + parquet-wasm, in process");
  const traditional = await timed(() => rewriteWholeFile(main.anchorFile, update, first, end, config.compression));
  if (traditional.value !== expectedRows) {
    throw new Error(`traditional update: the file holds ${traditional.value} rows, expected ${expectedRows}`);
  }
  collectGarbage();

  const oupsMs = median(updateMs);
  const alone = median(aloneMs);
  const figure = `Update: ${rowsText} rows over the last 1% of ${main.totalRows.toLocaleString("en-US")}, dedup on (timestamp, symbol)`;
  context.rows.push(
    {
      figure,
      unit: "ms",
      oups: oupsMs,
      anchorName: "traditional whole-file rewrite",
      anchor: traditional.ms,
      ratio: traditional.ms / oupsMs,
      ratioMeaning: "anchor ÷ oups (faster)",
      target: "≥ 37.5× (37.5× before the read work)",
      aim: { atLeast: 37.5 },
      daemonPeakRssBytes: peak,
    },
    {
      figure: `Update vs the same ${rowsText} rows written to an empty key`,
      unit: "ms",
      oups: oupsMs,
      anchorName: "SDK write to an empty key",
      anchor: alone,
      ratio: oupsMs / alone,
      ratioMeaning: "oups ÷ anchor",
      target: "≤ 3×",
      aim: { atMost: 3 },
      daemonPeakRssBytes: peak,
    },
  );
  context.notes.push(
    `Update: median of ${REPEATS} SDK writes each, after one untimed update (update runs ${updateMs.map((ms) => ms.toFixed(0)).join(", ")} ms; ` +
      `empty-key runs ${aloneMs.map((ms) => ms.toFixed(0)).join(", ")} ms). The traditional approach (one run) reads the whole ` +
      `file with parquet-wasm, merges and dedupes with the engine's own Arrow kernels (mergeSorted, dropDuplicatesKeepLast from ` +
      `server/src/store/arrow/: the fastest JS kernels available), then writes it all back (${config.compression}, fsync, atomic rename).`,
  );
}

/** The traditional update: read the whole file, merge the new rows in, drop duplicates, write it all back. */
async function rewriteWholeFile(path: string, update: MarketColumns, first: number, end: number, compression: Compression): Promise<number> {
  const existing = await readParquetFile(path, DEFAULT_ROW_GROUP_ROWS);
  const merged = mergeSorted(existing, marketBatch(update, first, end), "timestamp");
  const deduped = dropDuplicatesKeepLast(merged, DUPLICATES_ON, "timestamp");
  await replaceParquetFile(path, new Table([deduped]), DEFAULT_ROW_GROUP_ROWS, compression);
  return deduped.numRows;
}
