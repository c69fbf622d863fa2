import type { RecordBatch } from "apache-arrow";
import { DataType, Field, Schema, Timestamp } from "apache-arrow";
import { makeBatch } from "../store/arrow/make-batch.js";
import { UsageError } from "./usage-error.js";

/**
 * The time zone `--timestamp-tz` names: `null` for `none` (timestamps without a time zone, what apache-arrow's
 * `tableFromArrays` makes of Dates and pyarrow's `pa.timestamp('ms')` is), else an IANA name (`UTC`,
 * `Europe/Paris`) or a fixed offset (`+01:00`), as Arrow spells time zones. `undefined` when the flag is absent.
 */
export function parseTimeZone(text: string | undefined): string | null | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return null;
  if (/^[+-](?:[01]\d|2[0-3]):[0-5]\d$/.test(text)) return text;
  try {
    new Intl.DateTimeFormat("en", { timeZone: text });
    return text;
  } catch {
    throw new UsageError(`--timestamp-tz: '${text}' is not a time zone: give an IANA name (UTC, Europe/Paris), an offset (+01:00) or none`);
  }
}

/**
 * `batch` with every timestamp column labelled with time zone `zone` (`null`: none), values unchanged: Arrow
 * timestamps count from the UTC epoch with or without a zone, so this is what pyarrow's `.cast` between a naive and
 * a zoned timestamp does. Returns `batch` itself when no column changes.
 */
export function withTimeZone(batch: RecordBatch, zone: string | null): RecordBatch {
  const fields = batch.schema.fields;
  const relabelled = fields.map((field) =>
    DataType.isTimestamp(field.type) && (field.type.timezone || null) !== zone ? new Field(field.name, new Timestamp(field.type.unit, zone), field.nullable, field.metadata) : field,
  );
  if (relabelled.every((field, i) => field === fields[i])) return batch;
  const schema = new Schema(relabelled, batch.schema.metadata);
  return makeBatch(schema, batch.numRows, batch.data.children.map((chunk, i) => (relabelled[i] === fields[i] ? chunk : chunk.clone(relabelled[i].type))));
}
