import type { KeyFields } from "../client/src/index.js";
import type { BenchConfig } from "./bench-config.js";
import { DaemonProcess } from "./daemon-process.js";
import type { MarketColumns } from "./data.js";
import type { ResultRow } from "./report.js";

/** Index of the benchmark stores: one level, `symbol-day`. */
export const INDEX_SPEC = "symbol,day";

/** The key of the main dataset. */
export const MAIN_KEY: KeyFields = { symbol: "MKT", day: "20240102" };

/** A daemon whose peak memory is reported: a phase of the suite, or one half of the memory phase. */
export type DaemonRole = BenchConfig["cpuProfile"] & string;

/** What the phases share: the configuration, the generated rows, the results, and what earlier phases left. */
export interface BenchContext {
  readonly config: BenchConfig;
  /** Rows 0 to max(rows, memoryRows) - 1 of the synthetic stream. */
  readonly columns: MarketColumns;
  /** Temporary directory of the run, removed at the end. */
  readonly tempRoot: string;
  /** Where daemon CPU profiles go (kept after the run). */
  readonly profileDir: string;
  readonly rows: ResultRow[];
  readonly notes: string[];
  /** The main dataset, once ingest wrote it: the daemon's store and the bare parquet-wasm file of the same rows. */
  main?: { storeDir: string; anchorFile: string; totalRows: number };
  /** Rows per second of the Node SDK's ingest, once ingest measured it. */
  ingestRowsPerSecond?: number;
  /** The full scan of the main dataset, once range measured it. */
  fullScan?: { rows: number; rowsPerSecond: number };
}

/** Starts a daemon on `storeDir` for `role`, under `node --cpu-prof` when that role is the one profiled. */
export function startDaemon(
  context: BenchContext,
  storeDir: string,
  role: DaemonRole,
  options: { exposeGc?: boolean; extraArgs?: readonly string[] } = {},
): Promise<DaemonProcess> {
  return DaemonProcess.start({
    storeDir,
    index: INDEX_SPEC,
    compression: context.config.compression,
    extraArgs: options.extraArgs,
    cpuProfileDir: context.config.cpuProfile === role ? context.profileDir : undefined,
    exposeGc: options.exposeGc,
  });
}
