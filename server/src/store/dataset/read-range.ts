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
} from "../../../../client/src/arrow/ipc-stream.js";
import { OupsError } from "../errors.js";
import type { ParquetPool } from "../io/parquet-pool.js";
import type { Snapshot } from "./dataset.js";
import type { Manifest, RowGroupEntry } from "./manifest.js";
import type { Range } from "./range.js";
import { afterStart, beforeEnd } from "./range.js";

/** Options of {@link readRange}. */
export interface ReadRangeOptions {
  pool: ParquetPool;
  /** Columns to return, in this order; all when empty or absent. */
  columns?: readonly string[] | undefined;
  /** Rows per batch at most. */
  maxRowsPerBatch: number;
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

/**
 * Reads the rows of a range from one pinned generation. Only row groups whose min/max meet the range are opened,
 * only the requested columns are decoded, a row group the range cuts is decoded only around the rows it keeps,
 * and the snapshot is released when the rows end or the consumer stops. The next row group is decoded ahead,
 * on the worker pool, while the current one is sent.
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
  const cut = { orderedOn: manifest.orderedOn, start: range.start, end: range.end, endInclusive: range.endInclusive };
  // Forwarding needs the columns in the file's order, so that the worker's messages (and their dictionary ids)
  // agree with one schema message.
  const fileOrder = schema.fields.map((f) => f.name).filter((name) => columns.includes(name));
  const forwardable = fileOrder.every((name, i) => name === columns[i]);

  /** The IPC stream of each row group's rows within the range (row groups left with none are skipped). */
  async function* reads(batchRows: number | undefined): AsyncGenerator<Uint8Array> {
    const start = (entry: RowGroupEntry) => {
      const path = join(snapshot.dir, entry.file);
      const read = { columns, ...(batchRows ? { batchRows } : {}) };
      const whole = afterStart(entry.min, range) && beforeEnd(entry.max, range);
      const ipc = whole ? options.pool.readRowGroupFile(path, read) : options.pool.readRowGroupRows(path, cut, read);
      ipc.catch(() => undefined); // awaited below; this only keeps a read-ahead failure from being "unhandled"
      return ipc;
    };
    const ahead: ReturnType<typeof start>[] = [];
    let next = 0;
    try {
      while (ahead.length > 0 || next < selected.length) {
        while (next < selected.length && ahead.length <= (options.readAhead ?? 1)) ahead.push(start(selected[next++]!));
        const ipc = await ahead.shift()!;
        options.signal?.throwIfAborted();
        if (ipc !== null) yield ipc;
      }
    } finally {
      snapshot.release();
    }
  }

  /** The rows of one row group's IPC stream, projected, as bounded batches. */
  function* batchesIn(ipc: Uint8Array): Generator<RecordBatch> {
    const table = tableFromIPC(ipc).select(columns);
    for (const batch of table.batches) {
      for (let offset = 0; offset < batch.numRows; offset += options.maxRowsPerBatch) {
        yield batch.slice(offset, Math.min(batch.numRows, offset + options.maxRowsPerBatch));
      }
    }
  }

  return {
    schema: projected,
    async *batches() {
      for await (const ipc of reads(undefined)) yield* batchesIn(ipc);
    },
    async *ipcStream(maxChunkBytes) {
      if (!forwardable) {
        yield* encodeIpcStream(projected, this.batches(), { maxChunkBytes });
        return;
      }
      let schemaSent = false;
      for await (const ipc of reads(options.maxRowsPerBatch)) {
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
          for (const batch of batchesIn(ipc)) yield* chunksOf(batch, maxChunkBytes);
        }
      }
      if (!schemaSent) yield encodeSchemaMessage(projected);
      yield END_OF_STREAM;
    },
    close: () => snapshot.release(),
  };
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
    lo = partition(rowGroups, (g) => g.max < start);
  }
  if (range.end !== undefined) {
    const end = range.end;
    hi = partition(rowGroups, (g) => (range.endInclusive ? g.min <= end : g.min < end));
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
