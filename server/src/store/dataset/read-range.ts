import type { RecordBatch } from "apache-arrow";
import { Schema, tableFromIPC } from "apache-arrow";
import { join } from "node:path";
import { orderedColumn } from "../arrow/ordered-column.js";
import { searchSorted } from "../arrow/search-sorted.js";
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

/** A range read: the (projected) schema, known before any row, and the batches. */
export interface RangeRead {
  schema: Schema;
  batches: AsyncGenerator<RecordBatch>;
  /** Releases the pinned generation; the batches do it themselves when they end, but may never start. */
  close(): void;
}

/**
 * Reads the rows of a range from one pinned generation, as batches of at most `maxRowsPerBatch` rows. Only row
 * groups whose min/max meet the range are opened, only the requested columns are decoded (plus the ordered
 * column where a row group must be cut at a bound), and the snapshot is released when the batches end or the
 * consumer stops. The first row groups are decoded ahead, on the worker pool, while earlier ones are sent.
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
  return {
    schema: projected,
    batches: batchesOf(snapshot, manifest, selected, range, columns, options),
    close: () => snapshot.release(),
  };
}

async function* batchesOf(
  snapshot: Snapshot,
  manifest: Manifest,
  selected: readonly RowGroupEntry[],
  range: Range,
  columns: readonly string[],
  options: ReadRangeOptions,
): AsyncGenerator<RecordBatch> {
  const { orderedOn } = manifest;
  const read = (entry: RowGroupEntry) => {
    const whole = afterStart(entry.min, range) && beforeEnd(entry.max, range);
    const wanted = whole || columns.includes(orderedOn) ? columns : [...columns, orderedOn];
    const ipc = options.pool.readRowGroupFile(join(snapshot.dir, entry.file), { columns: wanted });
    ipc.catch(() => undefined); // awaited below; this only keeps a read-ahead failure from being "unhandled"
    return { whole, ipc };
  };
  const ahead: ReturnType<typeof read>[] = [];
  let next = 0;
  try {
    while (ahead.length > 0 || next < selected.length) {
      while (next < selected.length && ahead.length <= (options.readAhead ?? 1)) ahead.push(read(selected[next++]!));
      const { whole, ipc } = ahead.shift()!;
      options.signal?.throwIfAborted();
      let table = tableFromIPC(await ipc);
      if (!whole) {
        const values = orderedColumn(table, orderedOn).values;
        const lo = range.start === undefined ? 0 : searchSorted(values, range.start, "left");
        const hi = range.end === undefined ? values.length : searchSorted(values, range.end, range.endInclusive ? "right" : "left");
        table = table.slice(lo, Math.max(lo, hi));
      }
      if (table.numRows === 0) continue;
      table = table.select(columns as string[]);
      for (const batch of table.batches) {
        for (let offset = 0; offset < batch.numRows; offset += options.maxRowsPerBatch) {
          yield batch.slice(offset, Math.min(batch.numRows, offset + options.maxRowsPerBatch));
        }
      }
    }
  } finally {
    snapshot.release();
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
