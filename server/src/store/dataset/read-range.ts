import type { RecordBatch } from "apache-arrow";
import { Schema, tableFromIPC } from "apache-arrow";
import { join } from "node:path";
import {
  batchMessageGroups,
  END_OF_STREAM,
  encodeBatchMessages,
  encodeIpcStream,
  encodeSchemaMessage,
  firstMessageLength,
  rowsPerChunk,
} from "#shared/arrow/ipc-stream.js";
import { conformBatch } from "../arrow/conform-batch.js";
import { orderedColumn } from "../arrow/ordered-column.js";
import { spanWithin } from "../arrow/search-sorted.js";
import { OupsError } from "../errors.js";
import type { ParquetPool } from "../io/parquet-pool.js";
import { compareOrdinals } from "../ordinal.js";
import type { Snapshot } from "./dataset.js";
import type { Manifest, RowGroupEntry } from "./manifest.js";
import type { Range } from "./range.js";
import type { RowGroupCache } from "./row-group-cache.js";
import { afterStart, beforeEnd } from "./range.js";
import { hasCurrentSchema, rowGroupSchema } from "./schema-history.js";

/** Options of {@link readRange}. */
export interface ReadRangeOptions {
  pool: ParquetPool;
  /** Columns to return, in this order; all when empty or absent. */
  columns?: readonly string[] | undefined;
  /** Rows per batch at most. */
  maxRowsPerBatch: number;
  /** Decoded row groups kept in memory, if any. */
  cache?: RowGroupCache | undefined;
  /** Row groups decoded ahead of the one being sent. */
  readAhead?: number;
  signal?: AbortSignal | undefined;
}

/** A range read: the (projected) schema, known before any row, and the rows, as batches or as IPC bytes. */
export interface RangeRead {
  schema: Schema;
  /** The rows as record batches of at most `maxRowsPerBatch` rows. */
  batches(): AsyncGenerator<RecordBatch>;
  /**
   * The rows as one Arrow IPC stream (schema message first, end marker last) in chunks of about `maxChunkBytes`.
   * Row groups read whole are forwarded as the Parquet worker encoded them, without decoding or re-encoding.
   */
  ipcStream(maxChunkBytes: number): AsyncGenerator<Uint8Array>;
  /** Releases the pinned generation; consuming the rows does it at the end, but they may never be consumed. */
  close(): void;
}

/** Reads of at most this many row groups go through the row-group cache; larger scans would only churn it. */
export const MAX_CACHED_READ_ROW_GROUPS = 8;

/**
 * Rows of the first batch of a read, at most: the first row group, when read whole or for the cache, is read in two
 * parts, these rows alone first (sent while the rest is decoded, on another worker), so that the first rows leave
 * before the whole row group is decoded and the first message stays small; DuckDB's first chunk is 2,048 rows.
 */
export const FIRST_BATCH_ROWS = 4096;

/** One row group's rows (or a part of them) as the pool or the cache gave them. */
interface RowGroupRead {
  ipc: Uint8Array;
  /** The whole row group with every column (from or for the cache): still to cut to the range and project. */
  raw: boolean;
  /** The range covers the whole row group. */
  whole: boolean;
  /** The row group was written with an older schema of the dataset: its rows are conformed to the current one. */
  older: boolean;
  /** Rows of the range to leave out at its start (a raw read whose first rows were sent from a part read). */
  skip: number;
}

/**
 * Reads the rows of a range from one pinned generation. Only row groups whose min/max meet the range are opened,
 * only the requested columns are decoded, a row group the range cuts is decoded only around the rows it keeps,
 * and the snapshot is released when the rows end or the consumer stops. The next row group is decoded ahead,
 * on the worker pool, while the current one is sent. Small reads go through the row-group cache, when there is
 * one and it holds or admits one of their row groups (see {@link RowGroupCache.admits}): its row groups are served
 * from memory, and what they decode is kept there.
 */
export function readRange(snapshot: Snapshot, manifest: Manifest, range: Range, options: ReadRangeOptions): RangeRead {
  // A dataset created by a metadata-only write has no columns yet: it reads as empty.
  const schema = manifest.schema ?? new Schema([]);
  let columns: string[];
  try {
    columns = resolveColumns(schema, options.columns);
  } catch (err) {
    snapshot.release();
    throw err;
  }
  const projected = projectSchema(schema, columns);
  const selected = rowGroupsInRange(manifest.rowGroups, range);
  const { orderedOn } = manifest;
  const cut = { ...range, orderedOn };
  const cache = cacheFor(selected, snapshot.dir, options.cache);
  // Forwarding needs the columns in the file's order, so that the worker's messages (and their dictionary ids)
  // agree with one schema message, and no row group from the cache (its messages hold every column).
  const fileOrder = schema.fields.map((f) => f.name).filter((name) => columns.includes(name));
  // Row groups of an older schema are decoded and conformed (nulls for new columns, widened types) before sending.
  const forwardable =
    cache === undefined && fileOrder.every((name, i) => name === columns[i]) && selected.every((g) => hasCurrentSchema(manifest, g));
  // Reading every column is faster without a projection (the worker then uses parquet-wasm's quicker reader).
  const projection = columns.length === schema.fields.length ? undefined : columns;

  /** The columns to ask of `entry`'s file: those of the projection its schema has (undefined: all of the file's). */
  function projectionOf(entry: RowGroupEntry): readonly string[] | undefined {
    if (hasCurrentSchema(manifest, entry)) return projection;
    const own = rowGroupSchema(manifest as Manifest & { schema: Schema }, entry).fields.map((f) => f.name);
    const wanted = columns.filter((c) => own.includes(c));
    return wanted.length === own.length ? undefined : wanted;
  }

  const firstRows = Math.min(FIRST_BATCH_ROWS, options.maxRowsPerBatch);

  /**
   * Starts reading one row group: its parts, in order (one but for the first row group of the read, which is read
   * in two when it is large enough and read whole or for the cache: its first `firstRows` rows, then the rest).
   */
  function start(entry: RowGroupEntry, batchRows: number | undefined, first: boolean): Promise<RowGroupRead | null>[] {
    const path = join(snapshot.dir, entry.file);
    const whole = afterStart(entry.min, range) && beforeEnd(entry.max, range);
    const older = !hasCurrentSchema(manifest, entry);
    // The cache holds what a file decodes to, whole: a file's schema never changes, so entries never mix schemas.
    const hit = cache?.get(path, entry.bytes);
    if (hit !== undefined) return [Promise.resolve({ ipc: hit, raw: true, whole, older, skip: 0 })];
    const fileColumns = projectionOf(entry);
    const forCache = cache !== undefined && (projection === undefined || (older && fileColumns === undefined));
    // A row group the range cuts, read for itself, is not split: each part would decode its ordered column again
    // to find the range's rows, and the A/B measured first reads of a 1% slice faster without (69 -> 36 ms).
    const split = first && entry.rows > 2 * firstRows && (whole || forCache);
    const read = { ...(fileColumns ? { columns: fileColumns } : {}), ...(batchRows ? { batchRows } : {}) };
    const part = (rows: { skip: number; take: number }, batch: number | undefined) =>
      options.pool
        .readRowGroupPart(path, whole ? null : cut, rows, { ...read, ...(batch ? { batchRows: batch } : {}) })
        .then((bytes) => bytes && { ipc: bytes, raw: false, whole: true, older, skip: 0 });
    const head = split ? [part({ skip: 0, take: firstRows }, firstRows)] : [];
    if (forCache) {
      const epoch = cache.epoch;
      // The whole row group is decoded for the cache meanwhile; the rows the head sent are left out of it.
      const body = options.pool.readRowGroupFile(path).then((ipc) => {
        cache.set(path, entry.bytes, ipc, epoch);
        return { ipc, raw: true, whole, older, skip: split ? firstRows : 0 };
      });
      return [...head, body];
    }
    if (split) return [...head, part({ skip: firstRows, take: Number.MAX_SAFE_INTEGER }, batchRows)];
    const ipc = whole ? options.pool.readRowGroupFile(path, read) : options.pool.readRowGroupRows(path, cut, read);
    return [ipc.then((bytes) => bytes && { ipc: bytes, raw: false, whole, older, skip: 0 })];
  }

  /** Each row group's rows within the range, part by part (row groups left with none are skipped). */
  async function* reads(batchRows: number | undefined): AsyncGenerator<RowGroupRead> {
    // Row groups decoding ahead of the one being sent, each as its parts.
    const ahead: Promise<RowGroupRead | null>[][] = [];
    let next = 0;
    try {
      while (ahead.length > 0 || next < selected.length) {
        while (next < selected.length && ahead.length <= (options.readAhead ?? 1)) {
          const parts = start(selected[next]!, batchRows, next === 0);
          next++;
          // Awaited below; this only keeps a read-ahead failure from being "unhandled".
          for (const part of parts) part.catch(() => undefined);
          ahead.push(parts);
        }
        for (const part of ahead.shift()!) {
          const read = await part;
          options.signal?.throwIfAborted();
          if (read !== null) yield read;
        }
      }
    } finally {
      snapshot.release();
    }
  }

  let sentRows = 0;

  /** The rows of one row group within the range, projected, as bounded batches. */
  function* batchesIn(read: RowGroupRead): Generator<RecordBatch> {
    let table = tableFromIPC(read.ipc);
    if (read.raw && !read.whole) {
      const { lo, hi } = spanWithin(orderedColumn(table, orderedOn).values, range);
      table = table.slice(lo, hi);
    }
    if (read.skip > 0) table = table.slice(read.skip);
    if (table.numRows === 0) return;
    const batches = read.older ? table.batches.map((batch) => conformBatch(batch, projected)) : table.select(columns).batches;
    for (const batch of batches) {
      for (let offset = 0; offset < batch.numRows; ) {
        // The read's first batch is a small one (see FIRST_BATCH_ROWS), whatever its row group came from.
        const rows = sentRows === 0 ? firstRows : options.maxRowsPerBatch;
        const end = Math.min(batch.numRows, offset + rows);
        sentRows += end - offset;
        yield batch.slice(offset, end);
        offset = end;
      }
    }
  }

  return {
    schema: projected,
    async *batches() {
      for await (const read of reads(undefined)) yield* batchesIn(read);
    },
    async *ipcStream(maxChunkBytes) {
      if (!forwardable) {
        yield* encodeIpcStream(projected, this.batches(), { maxChunkBytes });
        return;
      }
      let schemaSent = false;
      for await (const { ipc } of reads(options.maxRowsPerBatch)) {
        const schemaLength = firstMessageLength(ipc);
        if (!schemaSent) {
          yield ipc.subarray(0, schemaLength);
          schemaSent = true;
        }
        // The worker cut the rows in batches of at most maxRowsPerBatch rows: one chunk per batch, unless a batch
        // of wide rows is far above the chunk size (its messages cannot be cut without decoding).
        const groups = [...batchMessageGroups(ipc)];
        if (groups.every((g) => g.byteLength <= 4 * maxChunkBytes)) {
          yield* groups;
        } else {
          // Dictionary ids survive decoding and re-encoding, so these messages agree with the schema sent.
          for (const batch of batchesIn({ ipc, raw: false, whole: true, older: false, skip: 0 })) yield* chunksOf(batch, maxChunkBytes);
        }
      }
      if (!schemaSent) yield encodeSchemaMessage(projected);
      yield END_OF_STREAM;
    },
    close: () => snapshot.release(),
  };
}

/**
 * The cache a read of `selected` goes through: none for large scans (they would only churn it), nor for a read none
 * of whose row groups the cache admits (held, or asked for before); such a read still counts its misses.
 */
function cacheFor(selected: readonly RowGroupEntry[], dir: string, cache: RowGroupCache | undefined): RowGroupCache | undefined {
  if (cache === undefined || cache.maxBytes === 0 || selected.length > MAX_CACHED_READ_ROW_GROUPS) return undefined;
  // Every row group is noted as asked for, hence no short cut.
  const admitted = selected.map((g) => cache.admits(join(dir, g.file), g.bytes));
  if (admitted.includes(true)) return cache;
  cache.countMisses(selected.length);
  return undefined;
}

/** The IPC messages of `batch`, sliced so that each chunk stays near `maxChunkBytes`. */
function* chunksOf(batch: RecordBatch, maxChunkBytes: number): Generator<Uint8Array> {
  const step = rowsPerChunk(batch, maxChunkBytes);
  for (let offset = 0; offset < batch.numRows; offset += step) {
    yield encodeBatchMessages(step >= batch.numRows ? batch : batch.slice(offset, offset + step));
  }
}

/** The row groups whose [min, max] meets the range (binary search on the sorted bounds). */
export function rowGroupsInRange(rowGroups: readonly RowGroupEntry[], range: Range): readonly RowGroupEntry[] {
  let lo = 0;
  let hi = rowGroups.length;
  if (range.start !== undefined) {
    const start = range.start;
    lo = partition(rowGroups, (g) => compareOrdinals(g.max, start) < 0);
  }
  if (range.end !== undefined) {
    const end = range.end;
    hi = partition(rowGroups, (g) => (range.endInclusive ? compareOrdinals(g.min, end) <= 0 : compareOrdinals(g.min, end) < 0));
  }
  return rowGroups.slice(lo, Math.max(lo, hi));
}

/** Index of the first entry for which `before` is false (`before` holds for a prefix). */
function partition(rowGroups: readonly RowGroupEntry[], before: (g: RowGroupEntry) => boolean): number {
  let lo = 0;
  let hi = rowGroups.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(rowGroups[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The schema of `columns`, in that order (`Schema.select` would keep the schema's order instead). */
export function projectSchema(schema: Schema, columns: readonly string[]): Schema {
  return schema.selectAt(columns.map((c) => schema.fields.findIndex((f) => f.name === c)));
}

/** Checks requested columns against the schema; all columns when none are asked for. */
export function resolveColumns(schema: Schema, columns: readonly string[] | undefined): string[] {
  const all = schema.fields.map((f) => f.name);
  if (!columns || columns.length === 0) return all;
  const unknown = columns.filter((c) => !all.includes(c));
  if (unknown.length > 0) {
    throw new OupsError("INVALID_ARGUMENT", `unknown columns ${unknown.map((c) => `"${c}"`).join(", ")}; the dataset has ${all.join(", ")}`);
  }
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length > 0) throw new OupsError("INVALID_ARGUMENT", `columns asked for twice: ${repeated.join(", ")}`);
  return [...columns];
}
