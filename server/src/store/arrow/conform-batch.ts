import { DataType, Field, Precision, Schema, Type, makeBuilder, makeData, makeVector } from "apache-arrow";
import type { Bool, Data, Dictionary, Float, Int, LargeUtf8, Null, RecordBatch, Utf8 } from "apache-arrow";
import { makeBatch } from "./make-batch.js";
import { sameType } from "./same-type.js";

/**
 * Whether a column of type `from` may become one of type `to` without losing a value: int32 to int64, float32 to
 * float64. These are the only type changes a dataset accepts (under schema evolution), and the only conversions
 * {@link conformBatch} makes.
 */
export function isWidening(from: DataType, to: DataType): boolean {
  if (DataType.isInt(from) && DataType.isInt(to)) {
    const [a, b] = [from as Int, to as Int];
    return a.isSigned && b.isSigned && a.bitWidth === 32 && b.bitWidth === 64;
  }
  if (DataType.isFloat(from) && DataType.isFloat(to)) {
    return (from as Float).precision === Precision.SINGLE && (to as Float).precision === Precision.DOUBLE;
  }
  return false;
}

/**
 * Whether batches of `actual` need {@link conformBatch} to become batches of `target`: a column of `target` is
 * missing, or has a narrower type (the columns of `actual` that `target` lacks are simply not taken).
 */
export function needsConforming(target: Schema, actual: Schema): boolean {
  return target.fields.some((field) => {
    const other = actual.fields.find((f) => f.name === field.name);
    return other === undefined || isWidening(other.type, field.type);
  });
}

/**
 * `batch` with the columns of `target`, in its order: columns matched by name, a column the batch lacks filled with
 * nulls, an int32 or float32 column widened to `target`'s int64 or float64. Row groups written under an older schema
 * of their dataset are read through this (files are never rewritten for a new column), and so are writes that omit
 * nullable columns. Columns already of `target`'s type are taken as they are (no copy); a column of another type
 * than these is left as it is, for the caller's schema checks to refuse.
 */
export function conformBatch(batch: RecordBatch, target: Schema): RecordBatch {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const field of target.fields) {
    const index = batch.schema.fields.findIndex((f) => f.name === field.name);
    if (index < 0) {
      fields.push(field);
      children.push(nullData(field.type, batch.numRows));
      continue;
    }
    const chunk = batch.data.children[index] as Data;
    if (isWidening(chunk.type, field.type)) {
      fields.push(field);
      children.push(widen(chunk, field.type));
    } else if (sameType(chunk.type, field.type)) {
      fields.push(field);
      // A dictionary keeps its own type object (its id), as record batches relabelled with a dataset's schema do.
      children.push(chunk.type === field.type || DataType.isDictionary(field.type) ? chunk : chunk.clone(field.type));
    } else {
      fields.push(batch.schema.fields[index]!);
      children.push(chunk);
    }
  }
  const same = fields.every((field, i) => field === target.fields[i]);
  return makeBatch(same ? target : new Schema(fields, target.metadata), batch.numRows, children);
}

/**
 * `length` nulls of `type`: zeroed buffers and an all-zero validity bitmap for flat layouts (what a reader of an older
 * row group pays for each column it lacks: a few allocations), Arrow's own builders for nested types.
 */
export function nullData(type: DataType, length: number): Data {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  const base = { type, length, nullCount: length, nullBitmap };
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type: type as Null, length });
    case Type.Bool:
      return makeData({ ...base, type: type as Bool, data: new Uint8Array((length + 7) >> 3) });
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.Decimal:
    case Type.FixedSizeBinary: {
      const stride = makeData({ type: type as Int, length: 0 }).stride;
      const ArrayType = (type as Int).ArrayType as unknown as new (n: number) => Int32Array;
      return makeData({ ...base, type: type as Int, data: new ArrayType(length * stride) });
    }
    case Type.Utf8:
    case Type.Binary:
      return makeData({ ...base, type: type as Utf8, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) });
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return makeData({ ...base, type: type as LargeUtf8, valueOffsets: new BigInt64Array(length + 1), data: new Uint8Array(0) });
    case Type.Dictionary: {
      const dictionary = type as Dictionary;
      const IndexArray = dictionary.indices.ArrayType as unknown as new (n: number) => Int32Array;
      const values = makeVector(nullData(dictionary.dictionary, 0));
      return makeData({ ...base, type: dictionary, data: new IndexArray(length), dictionary: values });
    }
    default: {
      const builder = makeBuilder({ type, nullValues: [null] });
      for (let i = 0; i < length; i++) builder.append(null);
      return builder.finish().flush();
    }
  }
}

/** `chunk` (int32 or float32) as a column of the wider `type`, nulls kept. */
function widen(chunk: Data, type: DataType): Data {
  const values = chunk.values as Int32Array | Float32Array;
  const wide = DataType.isInt(type) ? BigInt64Array.from(values as Int32Array, (v) => BigInt(v)) : Float64Array.from(values);
  return makeData({
    type: type as Int,
    length: chunk.length,
    nullCount: chunk.nullCount,
    // The values are copied from the chunk's own offset; the bitmap is shared, so its bits are re-based.
    nullBitmap: chunk.nullCount > 0 ? rebaseBitmap(chunk) : new Uint8Array(0),
    data: wide as unknown as BigInt64Array,
  });
}

/** The validity bits of `chunk`'s rows, starting at bit 0. */
function rebaseBitmap(chunk: Data): Uint8Array {
  const source = chunk.nullBitmap as Uint8Array;
  if (chunk.offset === 0) return source;
  const bits = new Uint8Array((chunk.length + 7) >> 3);
  for (let i = 0; i < chunk.length; i++) {
    const at = chunk.offset + i;
    if ((source[at >> 3]! >> (at & 7)) & 1) bits[i >> 3]! |= 1 << (i & 7);
  }
  return bits;
}

/** `field` with the type `type` (its name, nullability and metadata kept). */
export function withType(field: Field, type: DataType): Field {
  return new Field(field.name, type, field.nullable, field.metadata);
}
