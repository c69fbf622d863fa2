import type { RecordBatch, Schema, Table } from "apache-arrow";
import { OupsError } from "../errors.js";
import { batchesOf } from "./column-chunks.js";
import { type ChunkPicks, type PickIndex, gatherColumn } from "./gather-column.js";
import { gatherColumnRuns } from "./gather-runs.js";
import { fieldChunks, makeBatch } from "./make-batch.js";
import { findPickRuns } from "./pick-runs.js";

// Re-exported so that callers find the gather kernel and its whole-buffer fast path in one module.
export { concatBatches } from "./concat-batches.js";

/** Which rows to gather: output row `k` is row `row[k]` of source `source[k]`. */
export interface Picks {
  readonly source: PickIndex;
  readonly row: Uint32Array;
}

/**
 * Builds one record batch of `schema`, with contiguous buffers, whose row `k` is row `picks.row[k]` of
 * `sources[picks.source[k]]` (row numbers count across a table's batches).
 *
 * Columns are matched by name; each source must have every column of `schema` with the same type, except
 * that dictionaries may hold different values (and use other index types): they are unified into one.
 * Throws `SCHEMA_MISMATCH` when a source's column is missing or differs, `INVALID_ARGUMENT` for a pick out
 * of range or a column type the kernels do not handle.
 */
export function gather(sources: readonly (Table | RecordBatch)[], picks: Picks, schema: Schema): RecordBatch {
  const length = picks.row.length;
  if (picks.source.length !== length) {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `picks have ${picks.source.length} source numbers but ${length} row numbers`,
    );
  }
  const batchLists = sources.map(batchesOf);
  const chunkPicks = resolvePicks(batchLists, picks);
  const batches = batchLists.flat();
  const sourceOfBatch = batchLists.flatMap((list, s) => list.map(() => s));
  const sourceOf = (batch: number) => `source ${sourceOfBatch[batch]}`;
  // Picks made of long runs (merges of barely overlapping ranges, dedupes dropping few rows) copy buffers whole.
  const runs = findPickRuns(chunkPicks);
  const children = schema.fields.map((field) => {
    const chunks = fieldChunks(batches, field, sourceOf);
    return runs === undefined
      ? gatherColumn(field.name, field.type, chunks, chunkPicks)
      : gatherColumnRuns(field.name, field.type, chunks, runs, length);
  });
  return makeBatch(schema, length, children);
}

/**
 * The same rows as `picks` of `sources`, but picked from the sources' batches, one source per batch. Gathering
 * from these costs no translation of the picks, so it pays when the same picks are gathered more than once.
 */
export function pickFromBatches(sources: readonly (Table | RecordBatch)[], picks: Picks): { batches: RecordBatch[]; picks: Picks } {
  const batchLists = sources.map(batchesOf);
  const { chunkIds, rows } = resolvePicks(batchLists, picks);
  return { batches: batchLists.flat(), picks: { source: chunkIds, row: rows } };
}

/**
 * Translates (source, row) picks into (chunk, row in chunk) picks, chunks being numbered across all sources'
 * batches in order. When every source is one batch, the picks are used as they are.
 */
function resolvePicks(batchLists: readonly (readonly RecordBatch[])[], picks: Picks): ChunkPicks {
  const { source, row } = picks;
  const length = row.length;
  const sourceCount = batchLists.length;
  const sourceRows = batchLists.map((list) => list.reduce((total, batch) => total + batch.numRows, 0));
  const outOfRange = (k: number) =>
    new OupsError(
      "INVALID_ARGUMENT",
      source[k] >= sourceCount
        ? `pick ${k}: no source ${source[k]} among ${sourceCount}`
        : `pick ${k}: row ${row[k]} is out of range for source ${source[k]} of ${sourceRows[source[k]]} rows`,
    );

  if (batchLists.every((list) => list.length === 1)) {
    for (let k = 0; k < length; k++) {
      const s = source[k];
      if (s >= sourceCount || row[k] >= sourceRows[s]) throw outOfRange(k);
    }
    return { chunkIds: source, rows: row };
  }

  // starts[s][c] is the first row of batch c of source s; starts[s] ends with the source's row count.
  const starts = batchLists.map((list) => {
    const out = new Float64Array(list.length + 1);
    list.forEach((batch, c) => {
      out[c + 1] = out[c] + batch.numRows;
    });
    return out;
  });
  const firstChunkId: number[] = [];
  batchLists.reduce((next, list, s) => {
    firstChunkId[s] = next;
    return next + list.length;
  }, 0);
  // The chunk last used per source: picks usually walk through a source in order.
  const lastChunk = new Int32Array(sourceCount);
  const chunkIds = new Uint32Array(length);
  const rows = new Uint32Array(length);
  for (let k = 0; k < length; k++) {
    const s = source[k];
    const r = row[k];
    if (s >= sourceCount || r >= sourceRows[s]) throw outOfRange(k);
    const bounds = starts[s];
    let c = lastChunk[s];
    if (r < bounds[c] || r >= bounds[c + 1]) {
      let lo = 0;
      let hi = bounds.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bounds[mid + 1] <= r) lo = mid + 1;
        else hi = mid;
      }
      c = lo;
      lastChunk[s] = c;
    }
    chunkIds[k] = firstChunkId[s] + c;
    rows[k] = r - bounds[c];
  }
  return { chunkIds, rows };
}
