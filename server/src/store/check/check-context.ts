import type { ParquetPool } from "../io/parquet-pool.js";
import type { ConcurrencyLimit } from "../queue/concurrency-limit.js";
import type { HeldFile } from "./check-finding.js";

/** What a store check needs of the store it runs in (the daemon's, or one opened by `oups check --store`). */
export interface CheckContext {
  /** The store root (absolute). */
  readonly root: string;
  /** Decodes row-group files, as reads do. */
  readonly pool: ParquetPool;
  /** Bounds the row-group files decoded at once (their rows are in memory meanwhile). */
  readonly decodeLimit: ConcurrencyLimit;
  /** Runs the check of a key's directory alone among the key's writes and removals (its write queue). */
  forKey<T>(keyId: string, task: () => Promise<T>): Promise<T>;
  /** Runs a directory removal alone among the store's directory creations and removals. */
  exclusiveDirectories<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Files of a key's directory that no manifest lists any more but that readers of older generations still hold
   * (the daemon deletes them once those readers finish). Called within {@link forKey}.
   */
  heldFiles(keyId: string): ReadonlyMap<string, HeldFile["heldBy"]>;
  /** Generations of a key's dataset that snapshots hold, with the snapshots' names. */
  snapshotGenerations(keyId: string): ReadonlyMap<number, ReadonlySet<string>>;
  /** Snapshot files that cannot be read, relative to the store. */
  readonly invalidSnapshots: readonly { path: string; message: string }[];
  /** Remove the repairable findings (orphans, temporary files, empty directories). */
  readonly repair: boolean;
  readonly signal: AbortSignal | undefined;
}
