import { rm } from "node:fs/promises";
import { join } from "node:path";
import { OupsClient } from "../client/src/index.js";
import type { BenchContext } from "./bench-context.js";
import { MAIN_KEY, startDaemon } from "./bench-context.js";
import { ingestThroughSdk } from "./ingest.js";
import { collectGarbage, progress, timed } from "./measure.js";

const PEAK_TARGET = "≤ 600 MB";

/**
 * Memory: the daemon's peak RSS while ingesting `memoryRows` rows, then, in a fresh daemon process, while
 * scanning them all.
 */
export async function benchMemory(context: BenchContext): Promise<void> {
  const { config } = context;
  const rows = config.memoryRows;
  const rowsText = rows.toLocaleString("en-US");
  const storeDir = join(context.tempRoot, "memory-store");

  progress(`memory: ingesting ${rowsText} rows`);
  const ingestDaemon = await startDaemon(context, storeDir, "memory-ingest");
  let ingest: { value: number; ms: number };
  let ingestPeak: number;
  const writer = new OupsClient(ingestDaemon.address);
  try {
    ingest = await timed(() => ingestThroughSdk(writer, MAIN_KEY, context.columns, rows, config));
    ingestPeak = await ingestDaemon.peakRssBytes();
  } finally {
    writer.close();
    await ingestDaemon.stop();
  }
  if (ingest.value !== rows) throw new Error(`memory: the dataset holds ${ingest.value} rows, expected ${rows}`);
  collectGarbage();

  progress(`memory: scanning ${rowsText} rows`);
  const scanDaemon = await startDaemon(context, storeDir, "memory-scan");
  let scan: { value: number; ms: number };
  let scanPeak: number;
  const reader = new OupsClient(scanDaemon.address);
  try {
    scan = await timed(async () => {
      let seen = 0;
      for await (const batch of reader.rangeQuery(MAIN_KEY)) seen += batch.numRows;
      return seen;
    });
    scanPeak = await scanDaemon.peakRssBytes();
  } finally {
    reader.close();
    await scanDaemon.stop();
  }
  if (scan.value !== rows) throw new Error(`memory: the scan returned ${scan.value} rows, expected ${rows}`);
  await rm(storeDir, { recursive: true, force: true });
  collectGarbage();

  context.rows.push(
    { figure: `Daemon peak RSS ingesting ${rowsText} rows`, unit: "MB", oups: ingestPeak / 1e6, target: PEAK_TARGET, aim: { atMost: 600 }, daemonPeakRssBytes: ingestPeak },
    { figure: `Daemon peak RSS scanning ${rowsText} rows`, unit: "MB", oups: scanPeak / 1e6, target: PEAK_TARGET, aim: { atMost: 600 }, daemonPeakRssBytes: scanPeak },
  );
  context.notes.push(
    `Memory: one daemon process per half (VmHWM of /proc/PID/status, worker threads included). Ingest of ${rowsText} rows ` +
      `at ${(rows / ingest.ms / 1000).toFixed(2)} M rows/s (${(ingest.ms / 1000).toFixed(1)} s); full scan at ` +
      `${(rows / scan.ms / 1000).toFixed(2)} M rows/s (${(scan.ms / 1000).toFixed(1)} s).`,
  );
}
