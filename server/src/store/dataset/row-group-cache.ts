import { LRUCache } from "lru-cache";
import { sep } from "node:path";

/**
 * Decoded row groups (all columns, as Arrow IPC bytes) kept in memory, least recently used dropped first, up to a
 * byte budget. Decoding zstd Parquet in wasm is what a read costs; a daemon that queries the same recent row
 * groups again and again (dashboards, a slice of today) then pays it once.
 *
 * Row-group files are immutable and never renamed, so an entry cannot go stale while its file exists; the only
 * way a name comes back is a dataset removed and written again, which {@link dropDir} covers, together with the
 * epoch that keeps a read begun before the removal from filling the cache after it. Writes put the row groups they
 * produce here (write-through) as soon as each file is written, and take them out again if the file is deleted
 * before or instead of being committed, so that an entry only ever names a file that exists with those rows;
 * readers only look up files their pinned manifest lists. The file's size is part of the key as a last guard.
 */
export class RowGroupCache {
  readonly #entries: LRUCache<string, Uint8Array> | undefined;
  // Row groups asked for, cached or not (names only), so that a row group enters the cache on its second read.
  readonly #asked: LRUCache<string, true> | undefined;
  #hits = 0;
  #misses = 0;
  #epoch = 0;

  /** A cache holding at most `maxBytes` of IPC bytes; 0 turns it off. */
  constructor(readonly maxBytes: number) {
    this.#entries = maxBytes > 0 ? new LRUCache({ maxSize: maxBytes, sizeCalculation: (ipc) => Math.max(1, ipc.byteLength) }) : undefined;
    this.#asked = maxBytes > 0 ? new LRUCache({ max: MAX_ASKED_ROW_GROUPS }) : undefined;
  }

  /**
   * Whether a read missing the row group of `path` should decode it whole for the cache: only when it was asked for
   * before (this call notes that it is asked for now), or is held. A row group read once (an old day looked at
   * once) then costs a read of just its rows, forwarded as the worker encoded them, instead of a decode of every
   * row and a re-encoding of those kept; read again, it goes in. Counts nothing as a hit or a miss.
   */
  admits(path: string, fileBytes: number): boolean {
    const key = keyOf(path, fileBytes);
    const asked = this.#asked?.has(key) ?? false;
    this.#asked?.set(key, true);
    return asked || (this.#entries?.has(key) ?? false);
  }

  /** Counts `count` row groups read without looking them up (a read that {@link admits} none of). */
  countMisses(count: number): void {
    if (this.#entries !== undefined) this.#misses += count;
  }

  /** The decoded row group of `path` (a file of `fileBytes` bytes), marked as just used; undefined when absent. */
  get(path: string, fileBytes: number): Uint8Array | undefined {
    const ipc = this.#entries?.get(keyOf(path, fileBytes));
    if (ipc === undefined) this.#misses++;
    else this.#hits++;
    return ipc;
  }

  /** Changes whenever row groups are dropped: a read notes it before decoding, and hands it back to {@link set}. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Keeps `ipc` as the decoded row group of `path`, dropping the least recently used ones to make room, unless
   * row groups were dropped since `epoch` was read (the file may belong to a removed dataset). An entry larger
   * than the whole budget is not kept.
   */
  set(path: string, fileBytes: number, ipc: Uint8Array, epoch: number): void {
    if (epoch !== this.#epoch || ipc.byteLength > this.maxBytes) return;
    this.#entries?.set(keyOf(path, fileBytes), ipc);
  }

  /**
   * Forgets the row group of `path` (a file of `fileBytes` bytes): a write that cached a file it then deleted
   * (replaced within the write, or the write failed) must not leave it behind, since a later write may reuse the name.
   */
  delete(path: string, fileBytes: number): void {
    this.#entries?.delete(keyOf(path, fileBytes));
    this.#asked?.delete(keyOf(path, fileBytes));
  }

  /** Forgets every row group under directory `dir` (a dataset removed). */
  dropDir(dir: string): void {
    this.#epoch++;
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    for (const key of [...(this.#entries?.keys() ?? [])]) if (key.startsWith(prefix)) this.#entries?.delete(key);
    for (const key of [...(this.#asked?.keys() ?? [])]) if (key.startsWith(prefix)) this.#asked?.delete(key);
  }

  /** Bytes held, row groups held, and lookups answered from memory or not since the cache was made. */
  get stats(): RowGroupCacheStats {
    return { bytes: this.#entries?.calculatedSize ?? 0, rowGroups: this.#entries?.size ?? 0, hits: this.#hits, misses: this.#misses };
  }
}

/** What {@link RowGroupCache.stats} reports. */
export interface RowGroupCacheStats {
  bytes: number;
  rowGroups: number;
  hits: number;
  misses: number;
}

/** Row-group names remembered as asked for (about 100 bytes each). */
const MAX_ASKED_ROW_GROUPS = 65_536;

function keyOf(path: string, fileBytes: number): string {
  return `${path}\0${fileBytes}`;
}
