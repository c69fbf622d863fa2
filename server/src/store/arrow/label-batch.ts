import type { RecordBatch, Schema } from "apache-arrow";
import { makeBatch } from "./make-batch.js";
import { sameType } from "./same-type.js";

/**
 * `batch` relabelled with `schema`, without copying: its column chunks as they are (typed with `schema`'s type
 * objects), so that Arrow's `Table` accepts it next to batches of other origins (which carry other type objects for
 * the same types). `undefined` when the columns differ from `schema`'s in name, order or type (nullability and
 * dictionary ids aside): such a batch needs `concatBatches`, which matches columns by name and rewrites indices.
 */
export function labelBatch(batch: RecordBatch, schema: Schema): RecordBatch | undefined {
  if (batch.schema === schema) return batch;
  const { fields } = schema;
  const names = batch.schema.fields;
  const chunks = batch.data.children;
  if (names.length !== fields.length || chunks.length !== fields.length) return undefined;
  for (let i = 0; i < fields.length; i++) {
    if (names[i].name !== fields[i].name || !sameType(fields[i].type, chunks[i].type)) return undefined;
  }
  return makeBatch(
    schema,
    batch.numRows,
    chunks.map((chunk, i) => (chunk.type === fields[i].type ? chunk : chunk.clone(fields[i].type))),
  );
}
