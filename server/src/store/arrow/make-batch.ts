import { OupsError } from "../errors.js";
import { RecordBatch, Struct, makeData } from "apache-arrow";
import type { Data, Field, Schema } from "apache-arrow";
import { gatherableInto } from "./same-type.js";

/** A record batch of `schema` over `children` (one `Data` per field, each `length` rows long). */
export function makeBatch(schema: Schema, length: number, children: Data[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/**
 * The chunk of `field` in each of `batches`, checked to be copyable into `field`'s type. `sourceOf(i)` names
 * where batch `i` comes from, for the error messages.
 */
export function fieldChunks(batches: readonly RecordBatch[], field: Field, sourceOf: (batch: number) => string): Data[] {
  return batches.map((batch, i) => {
    const index = batch.schema.fields.findIndex((f) => f.name === field.name);
    if (index < 0) {
      throw new OupsError("SCHEMA_MISMATCH", `column "${field.name}" is missing from ${sourceOf(i)}`);
    }
    const chunk = batch.data.children[index] as Data;
    if (!gatherableInto(field.type, chunk.type)) {
      throw new OupsError(
        "SCHEMA_MISMATCH",
        `column "${field.name}": expected ${String(field.type)}, got ${String(chunk.type)} in ${sourceOf(i)}`,
      );
    }
    return chunk;
  });
}
