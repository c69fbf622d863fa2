import type { Data } from "apache-arrow";
import {
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

/** Symbols of the synthetic market data; consecutive rows cycle through them. */
export const SYMBOLS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "NFLX"] as const;

/** Rows sharing one timestamp: each with its own symbol, so that (timestamp, symbol) stays unique. */
export const ROWS_PER_MS = 4;

/** Timestamp of row 0: 2024-01-02T00:00:00Z, in ms. */
export const T0_MS = Date.UTC(2024, 0, 2);

/** The columns of the synthetic market data: `timestamp` (ms), dictionary-encoded `symbol`, `price`, `qty`. */
export const marketSchema = new Schema([
  new Field("timestamp", new TimestampMillisecond(), false),
  new Field("symbol", new Dictionary(new Utf8(), new Int32(), 0), false),
  new Field("price", new Float64(), false),
  new Field("qty", new Int32(), false),
]);

const symbolDictionary = vectorFromArray([...SYMBOLS], new Utf8());

/** Rows `first` to `first + length - 1` of the synthetic stream, as plain typed arrays. */
export interface MarketColumns {
  first: number;
  length: number;
  timestamp: BigInt64Array;
  symbol: Int32Array;
  price: Float64Array;
  qty: Int32Array;
}

/** Timestamp of row `i`, in ms since the epoch. */
export function timestampOfRow(i: number): number {
  return T0_MS + Math.floor(i / ROWS_PER_MS);
}

/**
 * Generates rows `first` to `first + length - 1` of a deterministic market data stream: timestamps rise by 1 ms
 * every {@link ROWS_PER_MS} rows, symbols cycle, prices are a slow wave plus cent-rounded noise, quantities
 * are noise. `priceShift` is added to every price (an update writes the same rows with new prices).
 */
export function generateMarketColumns(first: number, length: number, priceShift = 0): MarketColumns {
  const timestamp = new BigInt64Array(length);
  // Writing both 32-bit halves avoids allocating a BigInt per row (timestamps stay far below 2^53).
  const halves = new Uint32Array(timestamp.buffer);
  const symbol = new Int32Array(length);
  const price = new Float64Array(length);
  const qty = new Int32Array(length);
  for (let j = 0; j < length; j++) {
    const i = first + j;
    const ms = timestampOfRow(i);
    halves[2 * j] = ms >>> 0;
    halves[2 * j + 1] = Math.floor(ms / 2 ** 32);
    symbol[j] = i % SYMBOLS.length;
    const noise = mix(i);
    price[j] = Math.round((100 + 20 * Math.sin(i / 2_000_000) + ((noise & 0xff) - 128) / 100 + priceShift) * 100) / 100;
    qty[j] = 1 + ((noise >>> 8) % 500);
  }
  return { first, length, timestamp, symbol, price, qty };
}

/** Rows `start` to `end - 1` of `columns` (absolute row numbers) as one record batch, without copying. */
export function marketBatch(columns: MarketColumns, start: number, end: number): RecordBatch {
  const from = start - columns.first;
  const to = end - columns.first;
  if (from < 0 || to > columns.length || from > to) {
    throw new RangeError(`rows ${start}..${end} are outside the generated ${columns.first}..${columns.first + columns.length}`);
  }
  const length = to - from;
  const [timestamp, symbol, price, qty] = marketSchema.fields as [Field, Field<Dictionary>, Field, Field];
  const children: Data[] = [
    makeData({ type: timestamp.type as TimestampMillisecond, length, data: columns.timestamp.subarray(from, to) }),
    makeData({ type: symbol.type, length, data: columns.symbol.subarray(from, to), dictionary: symbolDictionary }),
    makeData({ type: price.type as Float64, length, data: columns.price.subarray(from, to) }),
    makeData({ type: qty.type as Int32, length, data: columns.qty.subarray(from, to) }),
  ];
  return new RecordBatch(marketSchema, makeData({ type: new Struct(marketSchema.fields), length, nullCount: 0, children }));
}

/** Rows `start` to `end - 1` of `columns` as batches of at most `batchRows` rows, without copying. */
export function* marketBatches(columns: MarketColumns, start: number, end: number, batchRows: number): Generator<RecordBatch> {
  for (let first = start; first < end; first += batchRows) yield marketBatch(columns, first, Math.min(end, first + batchRows));
}

// A 32-bit integer hash (the murmur3 finaliser): cheap, deterministic noise per row.
function mix(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
