import type { RecordBatch, Table } from "apache-arrow";
import { OupsError } from "../errors.js";
import { batchesOf } from "./column-chunks.js";

/**
 * The rows of `table` as zero-copy record batches of at most `maxRows` rows each, in order: each batch is
 * cut into slices, batches are never merged, empty batches are left out.
 */
export function sliceBatches(table: Table | RecordBatch, maxRows: number): RecordBatch[] {
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) {
    throw new OupsError("INVALID_ARGUMENT", `maxRows must be a positive integer, got ${maxRows}`);
  }
  const slices: RecordBatch[] = [];
  for (const batch of batchesOf(table)) {
    const rows = batch.numRows;
    if (rows <= maxRows) {
      if (rows > 0) slices.push(batch);
      continue;
    }
    for (let start = 0; start < rows; start += maxRows) slices.push(batch.slice(start, Math.min(start + maxRows, rows)));
  }
  return slices;
}
