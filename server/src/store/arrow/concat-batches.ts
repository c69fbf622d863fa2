import type { RecordBatch, Schema } from "apache-arrow";
import { gatherColumnRuns } from "./gather-runs.js";
import { fieldChunks, makeBatch } from "./make-batch.js";
import { concatRuns } from "./pick-runs.js";
import { sameType } from "./same-type.js";

/**
 * Concatenates `batches` into one record batch of `schema` with contiguous buffers, copying each batch's
 * buffers whole rather than row by row. Columns are matched by name, so the batches may order them
 * differently; dictionaries that differ between batches are unified. A single batch is returned without
 * copying (its buffers may still be views into larger ones).
 */
export function concatBatches(batches: readonly RecordBatch[], schema: Schema): RecordBatch {
  const lengths = batches.map((batch) => batch.numRows);
  const length = lengths.reduce((total, rows) => total + rows, 0);
  const runs = concatRuns(lengths);
  const sourceOf = (i: number) => `batch ${i}`;
  const children = schema.fields.map((field) => {
    const chunks = fieldChunks(batches, field, sourceOf);
    const [first] = chunks;
    if (chunks.length === 1 && sameType(first.type, field.type)) {
      return first.type === field.type ? first : first.clone(field.type);
    }
    return gatherColumnRuns(field.name, field.type, chunks, runs, length);
  });
  return makeBatch(schema, length, children);
}
