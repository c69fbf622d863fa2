import {
  Binary,
  Bool,
  DataType,
  DateDay,
  DateMillisecond,
  Dictionary,
  DurationMicrosecond,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  RecordBatch,
  Schema,
  Struct,
  TimeMillisecond,
  TimeNanosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Type,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import type { Data, Table } from "apache-arrow";

/** A JavaScript value of a test column: raw numbers/bigints for fixed-width types, `null` for nulls. */
export type Cell = number | bigint | string | boolean | Uint8Array | null;

/** One column of a test batch: its name, type and values. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: DataType;
  readonly values: readonly Cell[];
}

/** A column chunk of `type` holding `values` (raw values for fixed-width types, exactly as stored). */
export function columnData(type: DataType, values: readonly Cell[]): Data {
  if (isFixedWidth(type)) {
    const ArrayType = type.ArrayType as new (length: number) => { [i: number]: number | bigint };
    const data = new ArrayType(values.length);
    const bitmap = new Uint8Array(Math.ceil(values.length / 8) + 8);
    let nullCount = 0;
    values.forEach((value, i) => {
      if (value === null) nullCount++;
      else {
        data[i] = value as number | bigint;
        bitmap[i >> 3] |= 1 << (i & 7);
      }
    });
    // makeData's overloads cannot be picked for a type only known at run time.
    const props = { type, length: values.length, nullCount, nullBitmap: nullCount > 0 ? bitmap : undefined, data };
    return makeData(props as Parameters<typeof makeData>[0]);
  }
  const vector = vectorFromArray(values as unknown[], type);
  if (vector.data.length !== 1) throw new Error("fixture column came out in several chunks");
  return vector.data[0];
}

/** A record batch with the given columns, in order. */
export function batchOf(columns: readonly ColumnSpec[]): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, c.type, true));
  const schema = new Schema(fields);
  const children = columns.map((c) => columnData(c.type, c.values));
  const length = columns[0]?.values.length ?? 0;
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
}

/** The values of column `name` of `source`, as {@link Cell}s (raw values for fixed-width types). */
export function cells(source: Table | RecordBatch, name: string): Cell[] {
  const vector = source.getChild(name);
  if (vector === null) throw new Error(`no column ${name}`);
  const out: Cell[] = [];
  for (const data of vector.data) {
    const chunk = new Vector([data]);
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else if (isFixedWidth(data.type)) out.push((data.values as ArrayLike<number | bigint>)[i]);
      else {
        const value = chunk.get(i) as Cell;
        out.push(value instanceof Uint8Array ? Uint8Array.from(value) : value);
      }
    }
  }
  return out;
}

/** Every row of `source` as an array of cells, columns in schema order. */
export function rowsOf(source: Table | RecordBatch): Cell[][] {
  const columns = source.schema.fields.map((field) => cells(source, field.name));
  return Array.from({ length: source.numRows }, (_, i) => columns.map((column) => column[i]));
}

function isFixedWidth(type: DataType): boolean {
  return [Type.Int, Type.Float, Type.Date, Type.Timestamp, Type.Time, Type.Duration].includes(type.typeId);
}

/** A sample column per supported type, each with nulls, `length` 6. */
export const sampleColumns: readonly ColumnSpec[] = [
  { name: "i8", type: new Int8(), values: [1, -2, null, 4, -128, 127] },
  { name: "i16", type: new Int16(), values: [1, null, -300, 4, 5, 32767] },
  { name: "i32", type: new Int32(), values: [null, 2, 3, -4_000_000, 5, 6] },
  { name: "i64", type: new Int64(), values: [1n, 2n, null, -(2n ** 62n), 5n, 2n ** 63n - 1n] },
  { name: "u8", type: new Uint8(), values: [255, 2, 3, null, 5, 0] },
  { name: "u16", type: new Uint16(), values: [1, 65535, 3, 4, null, 6] },
  { name: "u32", type: new Uint32(), values: [4294967295, 2, 3, 4, 5, null] },
  { name: "u64", type: new Uint64(), values: [null, 2n ** 64n - 1n, 3n, 4n, 5n, 6n] },
  { name: "f32", type: new Float32(), values: [1.5, null, -0.25, 4, 5, 6] },
  { name: "f64", type: new Float64(), values: [1.1, 2.2, null, Number.NaN, -0, 1e300] },
  { name: "bool", type: new Bool(), values: [true, false, null, true, true, false] },
  { name: "utf8", type: new Utf8(), values: ["a", "", null, "héllo wörld, a longer string over thirty-two bytes", "e", "f"] },
  { name: "lutf8", type: new LargeUtf8(), values: ["x", null, "yy", "", "zzz", "é"] },
  { name: "bin", type: new Binary(), values: [Uint8Array.of(1), null, Uint8Array.of(), Uint8Array.of(0, 255), Uint8Array.of(7), Uint8Array.of(8, 9)] },
  { name: "ts_s", type: new TimestampSecond(), values: [1n, 2n, null, 4n, 5n, 6n] },
  { name: "ts_ms", type: new TimestampMillisecond("UTC"), values: [1n, null, 3n, 4n, 5n, 6n] },
  { name: "ts_us", type: new TimestampMicrosecond(), values: [1n, 2n, 3n, null, 5n, 6n] },
  { name: "ts_ns", type: new TimestampNanosecond(), values: [1n, 2n, 3n, 4n, null, 1_700_000_000_000_000_001n] },
  { name: "d32", type: new DateDay(), values: [19000, null, 19002, 19003, 19004, 19005] },
  { name: "d64", type: new DateMillisecond(), values: [86_400_000n, 2n * 86_400_000n, null, 0n, 5n, 6n] },
  { name: "t32", type: new TimeMillisecond(), values: [0, 1000, null, 86_399_999, 5, 6] },
  { name: "t64", type: new TimeNanosecond(), values: [0n, null, 3n, 86_399_999_999_999n, 5n, 6n] },
  { name: "dur", type: new DurationMicrosecond(), values: [-1n, 2n, 3n, 4n, null, 6n] },
  { name: "dict8", type: new Dictionary(new Utf8(), new Int8()), values: ["AAPL", "MSFT", null, "AAPL", "GOOG", "MSFT"] },
  { name: "dict16", type: new Dictionary(new Utf8(), new Int16()), values: [null, "b", "a", "b", "c", "a"] },
  { name: "dict32", type: new Dictionary(new Utf8(), new Int32()), values: ["x", "y", "z", null, "x", "w"] },
];
