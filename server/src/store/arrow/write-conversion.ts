import { Field, Schema } from "apache-arrow";
import type { Data, RecordBatch } from "apache-arrow";
import { OupsError } from "../errors.js";
import type { ColumnConversion } from "./column-conversion.js";
import { columnConversion } from "./column-conversion.js";
import { withCanonicalDictionaryIds } from "./canonical-dictionary-ids.js";
import { storedTypeOf } from "./logical-type.js";
import { makeBatch } from "./make-batch.js";
import { schemaDifferences } from "./schema-diff.js";

/** How a write's batches become batches of the dataset's column types. */
export interface WriteConversion {
  /** The dataset's schema: the committed one, or the one a first write gives it. */
  readonly schema: Schema;
  /** Whether batches pass as they are. */
  readonly identity: boolean;
  /** `batch` with its columns in the dataset's types; `firstRow` is the number of its first row in the write, from 1. */
  apply(batch: RecordBatch, firstRow: number): RecordBatch;
}

/**
 * The schema a new dataset keeps for a first write of `incoming`: each column in the type {@link storedTypeOf} gives
 * (views in their offset form...), dictionary ids canonical.
 */
export function storedSchemaOf(incoming: Schema): Schema {
  const fields = incoming.fields.map((field) => {
    const type = storedTypeOf(field.type);
    return type === field.type ? field : new Field(field.name, type, field.nullable, field.metadata);
  });
  const changed = fields.some((field, i) => field !== incoming.fields[i]);
  return withCanonicalDictionaryIds(changed ? new Schema(fields, incoming.metadata) : incoming);
}

/**
 * How rows of `incoming` are written to a dataset of schema `stored` (see {@link columnConversion}). Throws with every
 * difference listed: `INVALID_ARGUMENT` when each is a value conversion refused (a timestamp unit that would lose
 * precision), `SCHEMA_MISMATCH` otherwise (columns missing, extra, reordered or of another type).
 */
export function writeConversion(stored: Schema, incoming: Schema): WriteConversion {
  const conversions = new Map<string, ColumnConversion>();
  let onlyValueRefusals = true;
  const differences = schemaDifferences(stored, incoming, (field, other) => {
    const conversion = columnConversion(field.name, other.type, field.type);
    conversions.set(field.name, conversion);
    if (conversion.kind !== "refused") return undefined;
    if (conversion.code !== "INVALID_ARGUMENT") onlyValueRefusals = false;
    return conversion.reason;
  });
  if (differences.length > 0) {
    const shapeDifferences = differences.length > [...conversions.values()].filter((c) => c.kind === "refused").length;
    const code = onlyValueRefusals && !shapeDifferences ? "INVALID_ARGUMENT" : "SCHEMA_MISMATCH";
    throw new OupsError(code, `rows do not match the dataset's schema: ${differences.join("; ")}`);
  }
  // No difference: the write has the dataset's columns, in its order.
  const plan = stored.fields.map((field) => conversions.get(field.name)!);
  if (plan.every((c) => c.kind === "same")) return { schema: stored, identity: true, apply: (batch) => batch };
  const schema = new Schema(
    stored.fields.map((field, i) => (plan[i].kind === "convert" ? field : new Field(field.name, incoming.fields[i].type, field.nullable, field.metadata))),
    stored.metadata,
  );
  return {
    schema: stored,
    identity: false,
    apply(batch, firstRow) {
      const children = batch.data.children.map((chunk, i) => {
        const conversion = plan[i];
        return conversion.kind === "convert" ? conversion.convert(chunk as Data, firstRow) : (chunk as Data);
      });
      return makeBatch(schema, batch.numRows, children);
    },
  };
}
