import { DataType, Precision, Type } from "apache-arrow";
import type { Decimal, Field, FixedSizeBinary, FixedSizeList, Float, Int, Schema, Time } from "apache-arrow";
import { OupsError } from "../errors.js";

/**
 * Checks the schema of a write before any of its rows: column names unique (top level and within a struct), every
 * type one the store keeps (Parquet has no union, the Parquet encoder no view types), with sound parameters (integer
 * and float widths, decimal precision, fixed sizes). Throws `INVALID_ARGUMENT` naming the column otherwise.
 */
export function validateSchema(schema: Schema): void {
  checkFields(schema.fields, "");
}

function checkFields(fields: readonly Field[], parent: string): void {
  const seen = new Set<string>();
  for (const field of fields) {
    const path = `${parent}${field.name}`;
    if (seen.has(field.name)) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        parent === "" ? `duplicate column name "${field.name}": column names must be unique` : `duplicate field name "${path}": field names must be unique within a struct`,
      );
    }
    seen.add(field.name);
    checkType(field.type, path);
  }
}

function checkType(type: DataType, path: string): void {
  const problem = typeProblem(type);
  if (problem !== undefined) throw new OupsError("INVALID_ARGUMENT", `column "${path}" has unsupported type ${String(type)}: ${problem}`);
  if (DataType.isDictionary(type)) return checkType(type.dictionary, path);
  if (type.typeId === Type.Struct) return checkFields(type.children, `${path}.`);
  for (const child of type.children ?? []) checkType(child.type, `${path}.${child.name}`);
}

/** Why the store does not keep columns of `type` (its children aside), or `undefined` when it does. */
function typeProblem(type: DataType): string | undefined {
  switch (type.typeId) {
    case Type.Null:
    case Type.Bool:
    case Type.Date:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
    // Views are converted to their offset form on write (see storedTypeOf).
    case Type.Utf8View:
    case Type.BinaryView:
    case Type.List:
    case Type.LargeList:
    case Type.Struct:
    case Type.Map:
      return undefined;
    case Type.Int:
      return intProblem(type as Int);
    case Type.Float:
      return [Precision.HALF, Precision.SINGLE, Precision.DOUBLE].includes((type as Float).precision) ? undefined : "unknown float precision";
    case Type.Time:
      return [32, 64].includes((type as Time).bitWidth) ? undefined : "times are 32 or 64 bits wide";
    case Type.Decimal: {
      const { bitWidth, precision, scale } = type as Decimal;
      const maxPrecision = bitWidth === 128 ? 38 : bitWidth === 256 ? 76 : 0;
      if (maxPrecision === 0) return "decimals are 128 or 256 bits wide";
      if (!Number.isInteger(precision) || precision < 1 || precision > maxPrecision) return `precision must be 1 to ${maxPrecision}`;
      return Number.isInteger(scale) && scale <= precision ? undefined : "scale must not exceed the precision";
    }
    case Type.FixedSizeBinary: {
      const { byteWidth } = type as FixedSizeBinary;
      return Number.isSafeInteger(byteWidth) && byteWidth >= 1 ? undefined : "the byte width must be at least 1";
    }
    case Type.FixedSizeList: {
      const { listSize } = type as FixedSizeList;
      return Number.isSafeInteger(listSize) && listSize >= 0 ? undefined : "the list size must not be negative";
    }
    case Type.Dictionary:
      return DataType.isDictionary(type) ? intProblem(type.indices) : "not a dictionary type";
    case Type.Union:
      return "Parquet has no union type";
    default:
      return "the store does not keep this type";
  }
}

function intProblem(type: Int): string | undefined {
  return [8, 16, 32, 64].includes(type.bitWidth) ? undefined : "integers are 8, 16, 32 or 64 bits wide";
}
