import type { Data, Table } from "apache-arrow";
import {
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";

/** Symbols of the generated rows, cycled row by row. */
export const SYMBOLS = ["AAPL", "MSFT", "GOOG", "AMZN"] as const;

/** Timestamp of row 0 of the generated rows: 2024-01-02T00:00:00Z, in ms. */
export const T0_MS = Date.UTC(2024, 0, 2);

/** The schema of market rows: `timestamp` (ms), dictionary-encoded `symbol`, `price`, `qty`. */
export const marketSchema = new Schema([
  new Field("timestamp", new TimestampMillisecond(), true),
  new Field("symbol", new Dictionary(new Utf8(), new Int32(), 0), true),
  new Field("price", new Float64(), true),
  new Field("qty", new Int32(), true),
]);

const symbolDictionary = vectorFromArray([...SYMBOLS], new Utf8());

/** Options of {@link marketBatch}: what the generated columns hold, as functions of the row number. */
export interface MarketRows {
  /** Milliseconds after {@link T0_MS} of row `i` (default `i`: one row per ms). */
  timestampMs?: (i: number) => number;
  /** Price of row `i` (default `100 + i / 100`). */
  price?: (i: number) => number;
  /** Quantity of row `i` (default `i % 1000`). */
  qty?: (i: number) => number;
}

/**
 * Rows `first` to `first + rows - 1` of a deterministic market data stream, as one record batch of
 * {@link marketSchema} built straight from typed arrays.
 */
export function marketBatch(first: number, rows: number, spec: MarketRows = {}): RecordBatch {
  const timestampMs = spec.timestampMs ?? ((i) => i);
  const priceOf = spec.price ?? ((i) => 100 + i / 100);
  const qtyOf = spec.qty ?? ((i) => i % 1000);
  const timestamps = new BigInt64Array(rows);
  const symbols = new Int32Array(rows);
  const prices = new Float64Array(rows);
  const qtys = new Int32Array(rows);
  for (let j = 0; j < rows; j++) {
    const i = first + j;
    timestamps[j] = BigInt(T0_MS + timestampMs(i));
    symbols[j] = i % SYMBOLS.length;
    prices[j] = priceOf(i);
    qtys[j] = qtyOf(i);
  }
  const [timestamp, symbol, price, qty] = marketSchema.fields as [Field, Field<Dictionary>, Field, Field];
  const children: Data[] = [
    makeData({ type: timestamp.type as TimestampMillisecond, length: rows, data: timestamps }),
    makeData({ type: symbol.type, length: rows, data: symbols, dictionary: symbolDictionary }),
    makeData({ type: price.type as Float64, length: rows, data: prices }),
    makeData({ type: qty.type as Int32, length: rows, data: qtys }),
  ];
  return new RecordBatch(marketSchema, makeData({ type: new Struct(marketSchema.fields), length: rows, nullCount: 0, children }));
}

/** The same stream as {@link marketBatch}, `total` rows cut in batches of `batchRows`, produced lazily. */
export async function* marketBatches(total: number, batchRows: number, spec: MarketRows = {}): AsyncGenerator<RecordBatch> {
  for (let first = 0; first < total; first += batchRows) yield marketBatch(first, Math.min(batchRows, total - first), spec);
}

/**
 * The values of column `name` of `source` as one flat array: raw values of fixed-width columns (bigints for
 * timestamps) in one typed array, decoded strings of dictionary columns.
 */
export function columnValues(source: Table | RecordBatch, name: string): ArrayLike<unknown> {
  const vector = source.getChild(name);
  if (!vector) throw new Error(`no column "${name}"`);
  if (DataType.isDictionary(vector.type)) return [...vector] as unknown[];
  const chunks = vector.data.map((chunk) => (chunk.values as TypedArray).subarray(0, chunk.length));
  if (chunks.length === 1) return chunks[0]!;
  const TypedArrayOf = (vector.type as DataType).ArrayType as new (length: number) => TypedArray;
  const out = new TypedArrayOf(vector.length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** What the typed arrays of fixed-width columns have in common, as far as this module uses them. */
interface TypedArray extends ArrayLike<unknown> {
  subarray(begin: number, end: number): TypedArray;
  set(values: ArrayLike<unknown>, offset: number): void;
}

/** Index of the first position where `a` and `b` differ (or of the end of the shorter one), -1 when equal. */
export function firstDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
