import type { Data, DataType } from "apache-arrow";
import { Field, Float64, Int64, RecordBatch, Schema, Struct, TimestampMillisecond, Utf8, makeData } from "apache-arrow";
import type { CsvRecord } from "./csv-records.js";
import { csvRecords } from "./csv-records.js";
import { parseIsoTimestamp } from "./parse-iso-timestamp.js";

/** Type a CSV column is read as: Int64, Float64, Timestamp (ms, without a time zone unless told) or Utf8. */
export type CsvColumnType = "int" | "float" | "timestamp" | "string";

/** The names {@link CsvColumnType} accepts. */
export const CSV_COLUMN_TYPES: readonly CsvColumnType[] = ["int", "float", "timestamp", "string"];

/** Options of {@link csvBatches}. */
export interface CsvBatchOptions {
  /** Columns read as timestamps: ISO-8601 text, or integers counting milliseconds since the epoch. */
  timestampColumns?: readonly string[] | undefined;
  /** Types given by hand, which inference does not override. */
  columnTypes?: Readonly<Record<string, CsvColumnType>> | undefined;
  /** Time zone of timestamp columns (`--timestamp-tz`); none by default, as apache-arrow's `tableFromArrays` makes Dates. */
  timeZone?: string | null | undefined;
  /** Rows per batch; the types of the columns not given are inferred from the first batch (default 65536). */
  batchRows?: number | undefined;
}

/** Rows per batch by default, and so the rows types are inferred from. */
export const CSV_BATCH_ROWS = 65_536;

const INT = /^[+-]?\d{1,19}$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(nan|inf|infinity)$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Reads CSV text (see {@link csvRecords}) whose first record names the columns into record batches of
 * `batchRows` rows. Column types not given are inferred from the first batch's non-empty values: all integers
 * (within int64) → Int64; all numbers → Float64; all ISO-8601 dates or date-times → Timestamp(ms) (UTC instants,
 * labelled with `timeZone`, none by default); otherwise,
 * or when the column has no value, Utf8. Numbers and timestamps may have surrounding spaces. An empty unquoted
 * field is a null. Throws an Error naming the line and column when a record has the wrong number of fields or a
 * value does not fit its column's type.
 */
export async function* csvBatches(chunks: AsyncIterable<string>, options: CsvBatchOptions = {}): AsyncGenerator<RecordBatch> {
  const batchRows = options.batchRows ?? CSV_BATCH_ROWS;
  let header: string[] | undefined;
  let schema: Schema | undefined;
  let rows: CsvRecord[] = [];
  for await (const records of csvRecords(chunks)) {
    for (const record of records) {
      if (header === undefined) {
        header = checkHeader(record, options);
        continue;
      }
      if (record.fields.length !== header.length) {
        throw new Error(`CSV line ${record.line}: ${record.fields.length} fields, but the header names ${header.length}`);
      }
      rows.push(record);
      if (rows.length === batchRows) {
        schema ??= inferSchema(header, rows, options);
        yield buildBatch(schema, rows);
        rows = [];
      }
    }
  }
  if (header === undefined) throw new Error("the CSV file is empty: it needs a header line naming the columns");
  if (rows.length > 0 || schema === undefined) {
    schema ??= inferSchema(header, rows, options);
    yield buildBatch(schema, rows);
  }
}

function checkHeader(record: CsvRecord, options: CsvBatchOptions): string[] {
  const names = record.fields.map((name, i) => {
    if (name === null || name.length === 0) throw new Error(`CSV header: column ${i + 1} has no name`);
    return name;
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`CSV header: column "${name}" appears twice`);
    seen.add(name);
  }
  const given = [...(options.timestampColumns ?? []), ...Object.keys(options.columnTypes ?? {})];
  for (const name of given) {
    if (!seen.has(name)) throw new Error(`the CSV header has no column "${name}" (it has ${names.join(", ")})`);
  }
  return names;
}

function inferSchema(header: string[], rows: CsvRecord[], options: CsvBatchOptions): Schema {
  const fields = header.map((name, c) => {
    const type =
      options.columnTypes?.[name] ?? (options.timestampColumns?.includes(name) ? "timestamp" : inferType(rows, c));
    return new Field(name, arrowType(type, options.timeZone ?? null), true);
  });
  return new Schema(fields);
}

function inferType(rows: CsvRecord[], column: number): CsvColumnType {
  let ints = true;
  let floats = true;
  let timestamps = true;
  let any = false;
  for (const { fields } of rows) {
    const raw = fields[column];
    if (raw === null || raw === undefined) continue;
    const text = raw.trim();
    if (text.length === 0) continue;
    any = true;
    if (ints && parseInt64(text) === undefined) ints = false;
    if (floats && !ints && parseFloat64(text) === undefined) floats = false;
    if (timestamps && parseIsoTimestamp(text) === undefined) timestamps = false;
    if (!ints && !floats && !timestamps) return "string";
  }
  if (!any) return "string";
  return ints ? "int" : floats ? "float" : timestamps ? "timestamp" : "string";
}

function arrowType(type: CsvColumnType, timeZone: string | null): DataType {
  switch (type) {
    case "int":
      return new Int64();
    case "float":
      return new Float64();
    case "timestamp":
      return new TimestampMillisecond(timeZone);
    case "string":
      return new Utf8();
  }
}

function parseInt64(text: string): bigint | undefined {
  if (!INT.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

function parseFloat64(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  const special = SPECIAL_FLOAT.exec(text);
  if (special === null) return undefined;
  if (special[2]!.toLowerCase() === "nan") return Number.NaN;
  return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

function parseTimestampMs(text: string): bigint | undefined {
  const ms = parseIsoTimestamp(text);
  return ms === undefined ? parseInt64(text) : BigInt(ms);
}

/** The line each row of a batch read by {@link csvBatches} starts on. */
const linesOfBatch = new WeakMap<RecordBatch, Int32Array>();

/** The line of the CSV text that row `row` of `batch` (read by {@link csvBatches}) starts on, 1-based (the header is line 1). */
export function csvLineOf(batch: RecordBatch, row: number): number | undefined {
  return linesOfBatch.get(batch)?.[row];
}

function buildBatch(schema: Schema, rows: CsvRecord[]): RecordBatch {
  const children = schema.fields.map((field, c) => buildColumn(field, c, rows));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
  linesOfBatch.set(batch, Int32Array.from(rows, (r) => r.line));
  return batch;
}

function buildColumn(field: Field, column: number, rows: CsvRecord[]): Data {
  const length = rows.length;
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  const valueAt = (row: number): string | null => {
    const value = rows[row]!.fields[column] ?? null;
    if (value === null) {
      nullCount++;
      return null;
    }
    validity[row >> 3]! |= 1 << (row & 7);
    return value;
  };
  const fail = (row: number, text: string, what: string): never => {
    throw new Error(
      `CSV line ${rows[row]!.line}, column "${field.name}": ${JSON.stringify(text)} is not ${what} ` +
        "(types are inferred from the first rows; give them with --types or --timestamp-columns)",
    );
  };
  const type = field.type;
  if (type instanceof Utf8) {
    const values = Array.from({ length }, (_, row) => valueAt(row));
    const valueOffsets = new Int32Array(length + 1);
    let bytes = 0;
    for (let row = 0; row < length; row++) {
      bytes += values[row] === null ? 0 : Buffer.byteLength(values[row]!);
      valueOffsets[row + 1] = bytes;
    }
    const data = Buffer.allocUnsafe(bytes);
    for (let row = 0; row < length; row++) {
      if (values[row] !== null) data.write(values[row]!, valueOffsets[row]!);
    }
    const nullBitmap = nullCount > 0 ? validity : undefined;
    return makeData({ type, length, nullCount, nullBitmap, valueOffsets, data: new Uint8Array(data.buffer, data.byteOffset, bytes) });
  }
  if (type instanceof Float64) {
    const data = new Float64Array(length);
    for (let row = 0; row < length; row++) {
      const text = valueAt(row)?.trim();
      if (text === undefined) continue;
      // A blank value in a numeric column is a null too.
      if (text.length === 0) {
        markNull(row);
        continue;
      }
      data[row] = parseFloat64(text) ?? fail(row, text, "a number");
    }
    return makeData({ type, length, nullCount, nullBitmap: nullCount > 0 ? validity : undefined, data });
  }
  const timestamp = type instanceof TimestampMillisecond;
  const data = new BigInt64Array(length);
  for (let row = 0; row < length; row++) {
    const text = valueAt(row)?.trim();
    if (text === undefined) continue;
    if (text.length === 0) {
      markNull(row);
      continue;
    }
    data[row] = timestamp
      ? (parseTimestampMs(text) ?? fail(row, text, "an ISO-8601 date-time or milliseconds since the epoch"))
      : (parseInt64(text) ?? fail(row, text, "a 64-bit integer"));
  }
  if (timestamp) return makeData({ type: type as TimestampMillisecond, length, nullCount, nullBitmap: nullCount > 0 ? validity : undefined, data });
  return makeData({ type: type as Int64, length, nullCount, nullBitmap: nullCount > 0 ? validity : undefined, data });

  function markNull(row: number): void {
    nullCount++;
    validity[row >> 3]! &= ~(1 << (row & 7));
  }
}
