import { DataType, DateUnit, TimeUnit } from "apache-arrow";
import type { Data, Vector } from "apache-arrow";
import type { BoundValue } from "../../../client/src/index.js";
import { formatInstant } from "../store/arrow/format-ordinal.js";

// Shared with the engine's messages, so that a value reads the same in both.
export { formatInstant };

/** Formats the cells of one column: text for a row, or `null` for a null. */
export type CellFormatter = (row: number) => string | null;

/**
 * A formatter of the cells of `column` (one chunk, as a record batch's columns are) as text that `oups write`
 * reads back to the same values: timestamps as ISO-8601 UTC instants with as many fraction digits as their unit
 * holds, Date32 as `YYYY-MM-DD`, 64-bit integers exactly, floats in JavaScript's shortest round-trip form, binary as
 * hex, nested values as JSON.
 */
export function cellFormatter(column: Vector): CellFormatter {
  const type = column.type;
  const data = column.data[0] as Data | undefined;
  if (data === undefined) return () => null;
  const valid = (row: number) => data.nullCount === 0 || data.getValid(row);
  if (DataType.isTimestamp(type)) {
    // get() converts to epoch milliseconds as a number; the raw values keep microseconds and nanoseconds.
    const values = data.values as BigInt64Array;
    const unit = type.unit as TimeUnit;
    return (row) => (valid(row) ? formatInstant(values[row]!, unit) : null);
  }
  if (DataType.isDate(type)) {
    const day = type.unit === DateUnit.DAY;
    return (row) => {
      const ms = column.get(row) as number | null;
      if (ms === null) return null;
      const iso = new Date(ms).toISOString();
      return day ? iso.slice(0, 10) : iso;
    };
  }
  return (row) => {
    const value: unknown = column.get(row);
    return value === null || value === undefined ? null : formatScalar(value);
  };
}

/** Text of a non-null cell value as apache-arrow's `get` returns it. */
function formatScalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
  return JSON.stringify(toJsonValue(value));
}

/** A value made JSON-safe: bigints as decimal strings, Dates as ISO strings, Arrow rows and vectors as plain JSON. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== "object") return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return toJsonValue(withJson.toJSON());
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, toJsonValue);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
}

/** A bound of the ordered column (a row group's min or max) as text: Dates as ISO-8601, others as is. */
export function formatBound(value: BoundValue | undefined): string {
  if (value === undefined) return "";
  return value instanceof Date ? value.toISOString() : String(value);
}
