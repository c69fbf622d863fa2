import { DataType, DateUnit, Precision, Type } from "apache-arrow";
import type { Data, RecordBatch, Table } from "apache-arrow";
import { OupsError } from "../errors.js";
import type { Ordinal, OrdinalKind } from "../ordinal.js";
import { columnChunks, firstNullIndex } from "./column-chunks.js";
import type { IndexArray } from "./index-array.js";
import { dictionaryStrings, stringValues } from "./string-values.js";

/**
 * The values of an ordered column as the engine compares them: a `BigInt64Array`/`BigUint64Array` for
 * 64-bit integers, timestamps (raw, in the column's unit) and Date64; a number typed array for narrower
 * integers, floats and Date32; a `string[]` for text. Never holds a null or NaN.
 */
export interface OrderedColumn {
  kind: OrdinalKind;
  length: number;
  values: ArrayLike<Ordinal>;
}

/** A typed array of numbers or bigints, as a column's data buffer is. */
type NumericArray = ArrayLike<number | bigint> & {
  subarray(begin: number, end: number): NumericArray;
  set(array: NumericArray, offset: number): void;
};

/**
 * Which kind of ordinal a column of type `type` yields, or `undefined` when it cannot be an ordered column
 * (Float16, booleans, binary, nested types, Time, Duration...).
 */
export function ordinalKindOf(type: DataType): OrdinalKind | undefined {
  if (DataType.isInt(type)) return type.bitWidth === 64 ? "bigint" : "number";
  if (DataType.isFloat(type)) return type.precision === Precision.HALF ? undefined : "number";
  if (DataType.isTimestamp(type)) return "bigint";
  if (DataType.isDate(type)) return type.unit === DateUnit.DAY ? "number" : "bigint";
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return "string";
  if (DataType.isDictionary(type) && (DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary))) {
    return "string";
  }
  return undefined;
}

/** The unit of a Timestamp column's raw values, or `undefined` for any other type. */
export function timeUnitOf(type: DataType): "s" | "ms" | "us" | "ns" | undefined {
  return DataType.isTimestamp(type) ? (["s", "ms", "us", "ns"] as const)[type.unit] : undefined;
}

/**
 * The values of column `name` of `source` as ordinals. A single-chunk numeric column is exposed without
 * copying; several chunks are concatenated. Throws `INVALID_ARGUMENT` when the column is missing, has a type
 * that cannot be ordered, or holds a null or NaN.
 */
export function orderedColumn(source: Table | RecordBatch, name: string): OrderedColumn {
  const field = source.schema.fields.find((f) => f.name === name);
  const chunks = columnChunks(source, name);
  if (field === undefined || chunks === undefined) {
    throw new OupsError("INVALID_ARGUMENT", `ordered column "${name}" not found`);
  }
  const kind = ordinalKindOf(field.type);
  if (kind === undefined) {
    throw new OupsError("INVALID_ARGUMENT", `ordered column "${name}" has unsupported type ${String(field.type)}`);
  }
  let length = 0;
  for (const chunk of chunks) {
    const nullAt = firstNullIndex(chunk);
    if (nullAt >= 0) throw new OupsError("INVALID_ARGUMENT", `null in ordered column "${name}" at row ${length + nullAt + 1}`);
    length += chunk.length;
  }
  if (kind === "string") return { kind, length, values: stringOrdinals(name, chunks, length) };
  const values = numericOrdinals(field.type, chunks, length);
  if (field.type.typeId === Type.Float) {
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v !== v) throw new OupsError("INVALID_ARGUMENT", `NaN in ordered column "${name}" at row ${i + 1}`);
    }
  }
  return { kind, length, values };
}

function numericOrdinals(type: DataType, chunks: readonly Data[], length: number): NumericArray {
  if (chunks.length === 1) {
    const [chunk] = chunks;
    return (chunk.values as NumericArray).subarray(0, chunk.length);
  }
  const ArrayType = type.ArrayType as new (length: number) => NumericArray;
  const out = new ArrayType(length);
  let position = 0;
  for (const chunk of chunks) {
    out.set((chunk.values as NumericArray).subarray(0, chunk.length), position);
    position += chunk.length;
  }
  return out;
}

function stringOrdinals(name: string, chunks: readonly Data[], length: number): string[] {
  let chunkStart = 0;
  // Null rows were rejected before, so every value is a string.
  const perChunk = chunks.map((chunk) => {
    const start = chunkStart;
    chunkStart += chunk.length;
    if (!DataType.isDictionary(chunk.type)) return stringValues(chunk) as string[];
    const dictionary = dictionaryStrings(chunk.dictionary);
    const indices = chunk.values as IndexArray;
    const out = new Array<string>(chunk.length);
    for (let i = 0; i < chunk.length; i++) {
      const value = dictionary[indices[i]];
      if (value === null || value === undefined) {
        throw new OupsError("INVALID_ARGUMENT", `null in ordered column "${name}" at row ${start + i + 1}`);
      }
      out[i] = value;
    }
    return out;
  });
  if (perChunk.length === 1) return perChunk[0];
  const out = new Array<string>(length);
  let position = 0;
  for (const values of perChunk) {
    for (let i = 0; i < values.length; i++) out[position++] = values[i];
  }
  return out;
}
