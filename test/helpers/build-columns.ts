import { Buffer } from "node:buffer";
import * as arrow from "apache-arrow";
import type { Data, DataType, Dictionary } from "apache-arrow";
import { type ColumnKind, type Random, bytesOfHex } from "./column-kinds.js";
import type { ExactCell, ExactRow } from "./exact-rows.js";

/** A column of a generated schema. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** One type object shared by some of the key's tables (the others make their own, with new dictionary ids). */
  readonly sharedType: DataType;
}

/** How a table was put together, as users do it. */
export type TableWay = "schema" | "vectors" | "tableFromArrays";

const pick = <T>(r: Random, values: readonly T[]): T => values[Math.floor(r() * values.length)]!;

/**
 * `rows` as one record batch with the columns of `columns`, each column built a random way: `vectorFromArray`,
 * `makeData` over typed arrays, or `tableFromArrays` (string arrays become Dictionary<Int32, Utf8> with a fresh id).
 * `way` "schema" declares each field's nullability explicitly (as a first write must, for later rows with nulls);
 * "vectors" and "tableFromArrays" let apache-arrow infer it from the vectors.
 */
export function buildBatch(r: Random, columns: readonly ColumnSpec[], rows: readonly ExactRow[], way: TableWay): arrow.RecordBatch {
  const datas = columns.map((column) => {
    const cells = rows.map((row) => row[column.name] ?? null);
    return buildColumn(r, column, cells, way === "tableFromArrays");
  });
  if (way === "schema") {
    const fields = columns.map((c, i) => new arrow.Field(c.name, datas[i]!.type, c.nullable));
    const schema = new arrow.Schema(fields);
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, nullCount: 0, children: datas }));
  }
  const table = new arrow.Table(Object.fromEntries(columns.map((c, i) => [c.name, arrow.makeVector(datas[i]!)])));
  return table.batches[0] ?? new arrow.RecordBatch(table.schema, arrow.makeData({ type: new arrow.Struct(table.schema.fields), length: 0, nullCount: 0, children: datas }));
}

function buildColumn(r: Random, column: ColumnSpec, cells: readonly ExactCell[], fromArrays: boolean): Data {
  const hasNull = cells.some((c) => c === null);
  const label = column.kind.label;
  // An array of nulls only would be inferred as another type (Null): tableFromArrays needs a value to infer from.
  if (fromArrays && cells.some((c) => c !== null)) {
    // What tableFromArrays infers: string arrays → Dictionary<Int32, Utf8>, number arrays → Float64, typed arrays.
    let input: unknown;
    if (label === "dictionary<int32, utf8>") input = [...cells];
    else if (label === "float64") input = hasNull ? [...cells] : Float64Array.from(cells as number[]);
    else if (!hasNull && typedArrayOf[label]) input = typedArrayOf[label]!(cells);
    if (input !== undefined) {
      const table = arrow.tableFromArrays({ x: input } as unknown as Record<string, Int32Array>);
      const data = table.getChild("x")!.data;
      if (data.length === 1) return data[0] as Data;
    }
  }
  const type = r() < 0.3 ? column.sharedType : column.kind.type();
  if (column.kind.toBuilder && r() < 0.5) {
    const vector = arrow.vectorFromArray(
      cells.map((c) => (c === null ? null : column.kind.toBuilder!(c))),
      type,
    );
    if (vector.data.length === 1) return vector.data[0] as Data;
  }
  return makeColumn(r, type, cells);
}

const typedArrayOf: Record<string, (cells: readonly ExactCell[]) => ArrayBufferView> = {
  int8: (c) => Int8Array.from(c as number[]),
  int16: (c) => Int16Array.from(c as number[]),
  int32: (c) => Int32Array.from(c as number[]),
  int64: (c) => BigInt64Array.from(c as bigint[]),
  uint8: (c) => Uint8Array.from(c as number[]),
  uint16: (c) => Uint16Array.from(c as number[]),
  uint32: (c) => Uint32Array.from(c as number[]),
  uint64: (c) => BigUint64Array.from(c as bigint[]),
  float32: (c) => Float32Array.from(c as number[]),
};

/** A column built with `makeData` straight from typed arrays (and, for dictionaries, a dictionary of one's own). */
function makeColumn(r: Random, type: DataType, cells: readonly ExactCell[]): Data {
  const length = cells.length;
  let nullCount = 0;
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  cells.forEach((c, i) => {
    if (c === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const validity = nullCount > 0 ? { nullCount, nullBitmap } : { nullCount: 0 };
  switch (type.typeId) {
    case arrow.Type.Null:
      return arrow.makeData({ type: type as arrow.Null, length });
    case arrow.Type.Bool: {
      const bits = new Uint8Array(Math.ceil(length / 8));
      cells.forEach((c, i) => {
        if (c === true) bits[i >> 3]! |= 1 << (i & 7);
      });
      return arrow.makeData({ type: type as arrow.Bool, length, data: bits, ...validity });
    }
    case arrow.Type.Decimal:
    case arrow.Type.FixedSizeBinary:
      return arrow.makeData({ type: type as arrow.FixedSizeBinary, length, data: fixedBytes(type, cells) as Uint8Array, ...validity });
    case arrow.Type.Interval:
      if ((type as arrow.Interval).unit !== 0) {
        return arrow.makeData({ type: type as arrow.Interval, length, data: fixedBytes(type, cells) as Int32Array, ...validity });
      }
      break;
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
      return variableColumn(type, cells, validity);
    case arrow.Type.Dictionary:
      return dictionaryColumn(r, type as Dictionary, cells, validity);
  }
  const ArrayType = type.ArrayType as new (length: number) => { [i: number]: number | bigint };
  const values = new ArrayType(length);
  const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
  cells.forEach((c, i) => {
    values[i] = c === null ? (wide ? 0n : 0) : (c as number | bigint);
  });
  return arrow.makeData({ type: type as arrow.Int, length, data: values as Int32Array, ...validity });
}

function byteWidthOf(type: DataType): number {
  if (type.typeId === arrow.Type.Decimal) return (type as arrow.Decimal).bitWidth / 8;
  if (type.typeId === arrow.Type.FixedSizeBinary) return (type as arrow.FixedSizeBinary).byteWidth;
  return 8; // day-time interval: two int32
}

/** The cells of a fixed-width binary-like column, as the type's array over one buffer. */
function fixedBytes(type: DataType, cells: readonly ExactCell[]): ArrayBufferView {
  const width = byteWidthOf(type);
  const bytes = new Uint8Array(cells.length * width);
  cells.forEach((c, i) => {
    if (c !== null) bytes.set(bytesOfHex(c), i * width);
  });
  const ArrayType = type.ArrayType as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new ArrayType(bytes.buffer);
}

function variableColumn(type: DataType, cells: readonly ExactCell[], validity: { nullCount: number; nullBitmap?: Uint8Array }): Data {
  const text = type.typeId === arrow.Type.Utf8 || type.typeId === arrow.Type.LargeUtf8;
  const parts = cells.map((c) => (c === null ? new Uint8Array(0) : text ? new Uint8Array(Buffer.from(c as string, "utf8")) : bytesOfHex(c)));
  const offsets = new Int32Array(cells.length + 1);
  parts.forEach((p, i) => {
    offsets[i + 1] = offsets[i]! + p.length;
  });
  const data = new Uint8Array(offsets[cells.length]!);
  parts.forEach((p, i) => data.set(p, offsets[i]!));
  const large = type.typeId === arrow.Type.LargeUtf8 || type.typeId === arrow.Type.LargeBinary;
  const valueOffsets = large ? BigInt64Array.from(offsets, BigInt) : offsets;
  return arrow.makeData({ type: type as arrow.Utf8, length: cells.length, data, valueOffsets: valueOffsets as Int32Array, ...validity });
}

/**
 * A dictionary column with a dictionary of its own: the values used, shuffled, sometimes with unused entries and
 * a value listed twice (rows then point to either copy).
 */
function dictionaryColumn(r: Random, type: Dictionary, cells: readonly ExactCell[], validity: { nullCount: number; nullBitmap?: Uint8Array }): Data {
  const entries = [...new Set(cells.filter((c) => c !== null) as string[])];
  if (r() < 0.3) entries.push(`unused ${Math.floor(r() * 1000)}`);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const twice = entries.length > 0 && r() < 0.3 ? pick(r, entries) : undefined;
  if (twice !== undefined) entries.push(twice);
  const ArrayType = type.indices.ArrayType as new (length: number) => { [i: number]: number };
  const indices = new ArrayType(cells.length);
  cells.forEach((c, i) => {
    if (c === null) return;
    const first = entries.indexOf(c as string);
    indices[i] = c === twice && r() < 0.5 ? entries.lastIndexOf(c as string) : first;
  });
  const dictionary = arrow.vectorFromArray(entries, type.dictionary);
  return arrow.makeData({ type, length: cells.length, data: indices as Int32Array, dictionary, ...validity });
}
