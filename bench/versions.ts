import { join } from "node:path";
import type { WriteOptions } from "../client/src/index.js";
import { OupsClient } from "../client/src/index.js";
import { DEFAULT_ROW_GROUP_ROWS } from "../server/src/store/dataset/write-options.js";
import type { BenchContext } from "./bench-context.js";
import { MAIN_KEY, startDaemon } from "./bench-context.js";
import { generateMarketColumns, marketBatches } from "./data.js";
import { ingestThroughSdk } from "./ingest.js";
import { collectGarbage, median, progress, timed } from "./measure.js";

const UPDATES = 5;

interface PolicyRun {
  ingestRate: number;
  updateMs: number;
  currentBytes: number;
  olderVersionsBytes: number;
  retained: number;
  peak: number;
}

/**
 * The cost of keeping versions: the same ingest (a tenth of the rows per Write, so that it makes ten commits) and
 * the same updates (over the last 1%, deduplicating), on a daemon keeping only the current generation
 * (`--retain-generations 0 --retain-for 0`) and on one with the default policy (10 generations, 24 h).
 */
export async function benchVersions(context: BenchContext): Promise<void> {
  const { config, columns } = context;
  const rows = Math.min(config.rows, columns.timestamp.length);
  const run = async (name: string, args: readonly string[]): Promise<PolicyRun> => {
    const storeDir = join(context.tempRoot, `versions-${name}`);
    progress(`versions: ${rows.toLocaleString("en-US")} rows, then ${UPDATES} updates, retention ${name}`);
    const daemon = await startDaemon(context, storeDir, "versions", { extraArgs: args });
    const client = new OupsClient(daemon.address);
    try {
      const ingest = await timed(() => ingestThroughSdk(client, MAIN_KEY, columns, rows, { batchRows: config.batchRows, rowsPerWrite: Math.ceil(rows / 10) }));
      const first = rows - Math.floor(rows / 100);
      const end = first + config.updateRows;
      const update = generateMarketColumns(first, config.updateRows, 0.5);
      const options: WriteOptions = { orderedOn: "timestamp", duplicatesOn: ["timestamp", "symbol"], rowGroupTarget: DEFAULT_ROW_GROUP_ROWS };
      const updateMs: number[] = [];
      for (let i = 0; i < UPDATES; i++) updateMs.push((await timed(() => client.write(MAIN_KEY, marketBatches(update, first, end, config.batchRows), options))).ms);
      const d = await client.describe(MAIN_KEY);
      return {
        ingestRate: rows / (ingest.ms / 1000),
        updateMs: median(updateMs),
        currentBytes: d.currentBytes,
        olderVersionsBytes: d.olderVersionsBytes,
        retained: d.retainedVersions,
        peak: await daemon.peakRssBytes(),
      };
    } finally {
      client.close();
      await daemon.stop();
      collectGarbage();
    }
  };
  const none = await run("0", ["--retain-generations", "0", "--retain-for", "0"]);
  const kept = await run("default", []);
  const rowsText = rows.toLocaleString("en-US");
  context.rows.push(
    {
      figure: `Ingest ${rowsText} rows in 10 Writes, default retention (10 generations, 24 h)`,
      unit: "rows/s",
      oups: kept.ingestRate,
      anchorName: "same, retention 0",
      anchor: none.ingestRate,
      ratio: kept.ingestRate / none.ingestRate,
      ratioMeaning: "oups ÷ anchor",
      target: "≈ 1×",
      daemonPeakRssBytes: kept.peak,
    },
    {
      figure: `Update ${config.updateRows.toLocaleString("en-US")} rows over the last 1% (median of ${UPDATES}), default retention`,
      unit: "ms",
      oups: kept.updateMs,
      anchorName: "same, retention 0",
      anchor: none.updateMs,
      ratio: kept.updateMs / none.updateMs,
      ratioMeaning: "oups ÷ anchor",
      target: "≈ 1×",
      daemonPeakRssBytes: kept.peak,
    },
  );
  const mb = (b: number) => (b / 1e6).toFixed(1);
  context.notes.push(
    `Versions: retention 0: ingest ${(none.ingestRate / 1e6).toFixed(2)} M rows/s, update ${none.updateMs.toFixed(0)} ms, ` +
      `${mb(none.currentBytes)} MB current, ${mb(none.olderVersionsBytes)} MB held by older generations (${none.retained} retained). ` +
      `Default policy: ingest ${(kept.ingestRate / 1e6).toFixed(2)} M rows/s, update ${kept.updateMs.toFixed(0)} ms, ` +
      `${mb(kept.currentBytes)} MB current, ${mb(kept.olderVersionsBytes)} MB held only by the ${kept.retained - 1} older generations kept ` +
      `(appends share their files; each update keeps the row groups it rewrote).`,
  );
}
