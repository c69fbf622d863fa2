import { Buffer } from "node:buffer";
import type { Data, DataType } from "apache-arrow";
import { Binary, BinaryView, Dictionary, Int8, Int32, Int64, LargeBinary, LargeUtf8, Utf8, Utf8View, makeData, makeVector } from "apache-arrow";

/** One encoding of a string or binary column, as a test builds it. */
export interface TextEncoding {
  name: string;
  /** The column's Arrow type. */
  type: () => DataType;
  /** A column of this encoding holding `values` (null rows included). */
  column: (values: readonly (string | null)[]) => Data;
}

/** The bytes each value stands for: UTF-8 text. */
const bytesOf = (value: string) => Buffer.from(value, "utf8");

function validity(values: readonly (unknown | null)[]): { nullCount: number; nullBitmap?: Uint8Array } {
  const nullCount = values.filter((v) => v === null).length;
  if (nullCount === 0) return { nullCount: 0 };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3] |= 1 << (i & 7);
  });
  return { nullCount, nullBitmap };
}

function offsetColumn(type: DataType, values: readonly (string | null)[], large: boolean): Data {
  const parts = values.map((v) => (v === null ? Buffer.alloc(0) : bytesOf(v)));
  const data = Buffer.concat(parts);
  const ends = parts.reduce<number[]>((acc, p) => [...acc, acc[acc.length - 1]! + p.length], [0]);
  const valueOffsets = large ? BigInt64Array.from(ends, BigInt) : Int32Array.from(ends);
  return makeData({ type: type as Utf8, length: values.length, ...validity(values), valueOffsets: valueOffsets as Int32Array, data: new Uint8Array(data) });
}

/**
 * A view column (Utf8View or BinaryView) laid out as the format says: 16 bytes a row, values of 12 bytes or fewer
 * inline, longer ones in data buffers (split over two, to exercise the buffer index) with a 4-byte prefix.
 */
export function viewColumn(type: Utf8View | BinaryView, values: readonly (string | null)[]): Data {
  const views = new Uint8Array(values.length * 16);
  const words = new DataView(views.buffer);
  const buffers: Buffer[][] = [[], []];
  const sizes = [0, 0];
  values.forEach((value, i) => {
    if (value === null) return;
    const bytes = bytesOf(value);
    words.setInt32(i * 16, bytes.length, true);
    if (bytes.length <= 12) {
      views.set(bytes, i * 16 + 4);
      return;
    }
    const buffer = i % 2;
    views.set(bytes.subarray(0, 4), i * 16 + 4);
    words.setInt32(i * 16 + 8, buffer, true);
    words.setInt32(i * 16 + 12, sizes[buffer]!, true);
    buffers[buffer]!.push(bytes);
    sizes[buffer]! += bytes.length;
  });
  const variadicBuffers = buffers.map((parts) => new Uint8Array(Buffer.concat(parts)));
  return makeData({ type: type as Utf8View, length: values.length, ...validity(values), views, variadicBuffers }) as Data;
}

function dictionaryColumn(type: Dictionary, values: readonly (string | null)[], valueColumn: (values: string[]) => Data): Data {
  const distinct = [...new Set(values.filter((v): v is string => v !== null))];
  const indices = values.map((v) => (v === null ? 0 : distinct.indexOf(v)));
  const width: number = type.indices.bitWidth;
  const data = width === 64 ? BigInt64Array.from(indices, BigInt) : width === 8 ? Int8Array.from(indices) : Int32Array.from(indices);
  return makeData({ type, length: values.length, ...validity(values), data: data as Int32Array, dictionary: makeVector(valueColumn(distinct)) });
}

/** Every encoding of a string column: each may be written to a dataset of any other. */
export const stringEncodings: readonly TextEncoding[] = [
  { name: "Utf8", type: () => new Utf8(), column: (v) => offsetColumn(new Utf8(), v, false) },
  { name: "LargeUtf8", type: () => new LargeUtf8(), column: (v) => offsetColumn(new LargeUtf8(), v, true) },
  { name: "Utf8View", type: () => new Utf8View(), column: (v) => viewColumn(new Utf8View(), v) },
  { name: "Dictionary<Int32, Utf8>", type: () => new Dictionary(new Utf8(), new Int32()), column: (v) => dictionaryColumn(new Dictionary(new Utf8(), new Int32()), v, (d) => offsetColumn(new Utf8(), d, false)) },
  { name: "Dictionary<Int8, Utf8>", type: () => new Dictionary(new Utf8(), new Int8()), column: (v) => dictionaryColumn(new Dictionary(new Utf8(), new Int8()), v, (d) => offsetColumn(new Utf8(), d, false)) },
  {
    name: "Dictionary<Int64, Utf8>",
    // apache-arrow's typings stop at 32-bit indices, but its IPC writer (and pyarrow) send 64-bit ones.
    type: () => new Dictionary(new Utf8(), new Int64() as unknown as Int32),
    column: (v) => dictionaryColumn(new Dictionary(new Utf8(), new Int64() as unknown as Int32), v, (d) => offsetColumn(new Utf8(), d, false)),
  },
  {
    name: "Dictionary<Int32, LargeUtf8>",
    type: () => new Dictionary(new LargeUtf8(), new Int32()),
    column: (v) => dictionaryColumn(new Dictionary(new LargeUtf8(), new Int32()), v, (d) => offsetColumn(new LargeUtf8(), d, true)),
  },
];

/** Every encoding of a binary column (values are the UTF-8 bytes of the strings given). */
export const binaryEncodings: readonly TextEncoding[] = [
  { name: "Binary", type: () => new Binary(), column: (v) => offsetColumn(new Binary(), v, false) },
  { name: "LargeBinary", type: () => new LargeBinary(), column: (v) => offsetColumn(new LargeBinary(), v, true) },
  { name: "BinaryView", type: () => new BinaryView(), column: (v) => viewColumn(new BinaryView(), v) },
  {
    name: "Dictionary<Int32, Binary>",
    type: () => new Dictionary(new Binary(), new Int32()),
    column: (v) => dictionaryColumn(new Dictionary(new Binary(), new Int32()), v, (d) => offsetColumn(new Binary(), d, false)),
  },
];
