import { DataType, Type } from "apache-arrow";
import type { Decimal, FixedSizeBinary, Interval } from "apache-arrow";
import { OupsError } from "../errors.js";

/**
 * How a column's values sit in memory, which is all the kernels need to know to copy them:
 * - `fixed`: `byteWidth` bytes per row in the data buffer;
 * - `bool`: one bit per row in the data buffer;
 * - `binary`: `Int32Array` offsets into bytes (Utf8, Binary), `large` when the offsets are `BigInt64Array`;
 * - `dictionary`: integer indices into a Utf8 or LargeUtf8 dictionary;
 * - `null`: no buffers at all.
 */
export type ColumnLayout =
  | { readonly kind: "fixed"; readonly byteWidth: number; readonly isFloat: boolean }
  | { readonly kind: "bool" }
  | { readonly kind: "binary"; readonly large: boolean; readonly isText: boolean }
  | { readonly kind: "dictionary"; readonly largeValues: boolean }
  | { readonly kind: "null" };

/**
 * The layout of a column of type `type`, or an `INVALID_ARGUMENT` error naming `column` and its type when the
 * kernels do not handle that type (nested types, view types, dictionaries of non-text values or with 64-bit indices).
 */
export function columnLayout(column: string, type: DataType): ColumnLayout {
  switch (type.typeId) {
    case Type.Null:
      return { kind: "null" };
    case Type.Bool:
      return { kind: "bool" };
    case Type.Int:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
      return { kind: "fixed", byteWidth: (type.ArrayType as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT, isFloat: false };
    case Type.Float:
      return {
        kind: "fixed",
        byteWidth: (type.ArrayType as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT,
        // Float16 is stored as raw Uint16 bits, so it compares as an integer would.
        isFloat: type.ArrayType !== Uint16Array,
      };
    case Type.Decimal:
      return { kind: "fixed", byteWidth: (type as Decimal).bitWidth / 8, isFloat: false };
    case Type.FixedSizeBinary:
      return { kind: "fixed", byteWidth: (type as FixedSizeBinary).byteWidth, isFloat: false };
    case Type.Interval:
      return { kind: "fixed", byteWidth: intervalByteWidth(type as Interval), isFloat: false };
    case Type.Utf8:
      return { kind: "binary", large: false, isText: true };
    case Type.Binary:
      return { kind: "binary", large: false, isText: false };
    case Type.LargeUtf8:
      return { kind: "binary", large: true, isText: true };
    case Type.LargeBinary:
      return { kind: "binary", large: true, isText: false };
    case Type.Dictionary:
      // Indices are copied as 32-bit numbers at most: 64-bit ones (BigInt arrays) are not handled.
      if (DataType.isDictionary(type) && type.indices.bitWidth <= 32) {
        if (DataType.isUtf8(type.dictionary)) return { kind: "dictionary", largeValues: false };
        if (DataType.isLargeUtf8(type.dictionary)) return { kind: "dictionary", largeValues: true };
      }
      break;
  }
  throw new OupsError("INVALID_ARGUMENT", `column "${column}" has unsupported type ${String(type)}`);
}

function intervalByteWidth(type: Interval): number {
  // IntervalUnit: YEAR_MONTH = 0 (int32), DAY_TIME = 1 (2 × int32), MONTH_DAY_NANO = 2 (2 × int32 + int64).
  return [4, 8, 16][type.unit] ?? 16;
}
