import type { RowGroupCacheStats } from "./dataset/row-group-cache.js";
import type { KeyQueueStats } from "./queue/key-queue.js";

/**
 * What the engine tells about itself when asked (the daemon's metrics read it at each scrape): numbers it keeps as
 * it goes, or sums over the datasets it holds in memory, so that reading them costs no I/O.
 */
export interface StoreStats {
  rowGroupCache: RowGroupCacheStats & { maxBytes: number };
  /** Per-key tasks (writes, metadata updates, removals) queued or running. */
  keyQueue: KeyQueueStats;
  /** Generations of datasets pinned by reads in progress (their files stay on disk until the reads end). */
  pinnedGenerations: number;
  /** Reads in progress pinning them. */
  pinningReads: number;
  /** Datasets whose manifest the daemon has loaded (read or written since it started) and that exist. */
  datasets: number;
  /** Bytes of those datasets' committed row-group files and manifests. */
  bytesOnDisk: number;
}

/** Events the engine emits as it works, for observers such as the daemon's metrics (`Store.events`). */
export interface StoreEventMap {
  /** A dataset's new generation was made durable (manifest written and synced): how long that took. */
  commit: [event: { seconds: number }];
}
