import { IntervalUnit, Type } from "apache-arrow";
import type { Interval, Schema } from "apache-arrow";
import { OupsError } from "../errors.js";
import { columnLayout } from "./column-layout.js";

/**
 * Throws `INVALID_ARGUMENT` naming the first column of `schema` that the store cannot keep: a type the merge
 * kernels do not handle (nested types, dictionaries of non-text values or with 64-bit indices...), or one Parquet
 * cannot encode (month-day-nano intervals). Checked before a dataset takes a schema: accepted, such a column would
 * be written once and then fail every merge (or the very first encode) with an internal error.
 */
export function assertStorableSchema(schema: Schema): void {
  for (const field of schema.fields) {
    columnLayout(field.name, field.type);
    if (field.type.typeId === Type.Interval && (field.type as Interval).unit === IntervalUnit.MONTH_DAY_NANO) {
      throw new OupsError("INVALID_ARGUMENT", `column "${field.name}" has type ${String(field.type)}, which Parquet cannot store`);
    }
  }
}
