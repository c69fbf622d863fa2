import type { Vector } from "apache-arrow";
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Type,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
} from "apache-arrow";
import type { Timestamp } from "apache-arrow";

/** A table with one column of each type the engine stores, nulls included, one record batch. */
export function allTypesTable(): Table {
  return new Table({
    ts_ms_utc: timestampVector(new TimestampMillisecond("UTC"), [
      1_700_000_000_123n,
      -1n,
      null,
      0n,
      1_700_000_000_999n,
      9_000_000_000_000n,
    ]),
    ts_us_paris: timestampVector(new TimestampMicrosecond("Europe/Paris"), [
      1_700_000_000_123_456n,
      null,
      2n,
      -3n,
      4n,
      5n,
    ]),
    ts_ns: timestampVector(new TimestampNanosecond(), [
      1_700_000_000_123_456_789n,
      1n,
      null,
      -9_223_372_036_854_775_807n,
      9_223_372_036_854_775_807n,
      7n,
    ]),
    ts_s: timestampVector(new TimestampSecond(), [1_700_000_000n, 1n, 2n, null, -5n, 6n]),
    symbol: vectorFromArray(["AAPL", "MSFT", "AAPL", null, "€uro", "AAPL"], new Dictionary(new Utf8(), new Int32())),
    qty: vectorFromArray([1, -2_147_483_648, 2_147_483_647, null, 0, 42], new Int32()),
    price: vectorFromArray([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, null, 1e-300], new Float64()),
    note: vectorFromArray(["a", "", null, "ünïcødé", "x".repeat(1000), "z"], new Utf8()),
    flag: vectorFromArray([true, false, null, true, true, false], new Bool()),
    day: vectorFromArray(
      [new Date(0), null, new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(1969, 11, 31)), new Date(0), new Date(0)],
      new DateDay(),
    ),
  });
}

/** A table shaped like market data: timestamp ms UTC, dictionary symbol, float64 price, int32 qty. */
export function ticksTable(rows: number, startMs = 1_700_000_000_000n): Table {
  const ts = new BigInt64Array(rows);
  const price = new Float64Array(rows);
  const qty = new Int32Array(rows);
  const indices = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    ts[i] = startMs + BigInt(i);
    price[i] = 100 + (i % 1000) / 100;
    qty[i] = (i * 7) % 500;
    indices[i] = i % symbols.length;
  }
  const dictionaryType = new Dictionary(new Utf8(), new Int32());
  const dictionary = vectorFromArray(symbols, new Utf8());
  return new Table({
    ts: makeVector(makeData({ type: new TimestampMillisecond("UTC"), length: rows, data: ts })),
    symbol: makeVector(makeData({ type: dictionaryType, length: rows, data: indices, dictionary })),
    price: makeVector(price),
    qty: makeVector(qty),
  });
}

const symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "META", "NVDA", "TSLA", "NFLX"];

/** Fields (name, type with units and time zone, nullability) and exact values of each column of `table`. */
export function describeTable(table: Table): {
  fields: { name: string; type: string; nullable: boolean }[];
  columns: Record<string, unknown[]>;
} {
  const fields = table.schema.fields.map((field) => ({
    name: field.name,
    type: String(field.type),
    nullable: field.nullable,
  }));
  const columns: Record<string, unknown[]> = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name) as Vector;
    columns[field.name] = field.typeId === Type.Timestamp ? rawTimestamps(vector) : [...vector];
  }
  return { fields, columns };
}

function timestampVector<T extends Timestamp>(type: T, values: (bigint | null)[]): Vector<T> {
  const data = new BigInt64Array(values.length);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value !== null) {
      data[i] = value;
      nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  });
  return makeVector(makeData({ type, length: values.length, data, nullBitmap }));
}

// Timestamp getters convert to milliseconds as numbers, losing nanoseconds: compare the stored integers instead.
function rawTimestamps(vector: Vector): (bigint | null)[] {
  const out: (bigint | null)[] = [];
  for (const chunk of vector.data) {
    // A sliced chunk's values already start at its offset.
    const values = chunk.values as BigInt64Array;
    for (let i = 0; i < chunk.length; i++) {
      out.push(chunk.getValid(i) ? (values[i] as bigint) : null);
    }
  }
  return out;
}
