import type { DataType } from "apache-arrow";
import { DataType as ArrowDataType, DateUnit, TimeUnit } from "apache-arrow";
import type { Ordinal } from "../ordinal.js";

const NANOS_PER: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

const MS_PER_DAY = 86_400_000;

/**
 * An ordinal of a column of `type` as its users write it, for messages: timestamps as ISO-8601 UTC instants with
 * the digits of their unit, dates as `YYYY-MM-DD` (Date32) or ISO instants (Date64), text quoted, numbers as is.
 */
export function formatOrdinal(value: Ordinal, type: DataType): string {
  if (ArrowDataType.isTimestamp(type) && typeof value === "bigint") return formatInstant(value, type.unit as TimeUnit);
  if (ArrowDataType.isDate(type)) {
    const ms = type.unit === DateUnit.DAY ? Number(value) * MS_PER_DAY : Number(value);
    const date = new Date(ms);
    if (Number.isNaN(date.getTime())) return String(value);
    return type.unit === DateUnit.DAY ? date.toISOString().slice(0, 10) : date.toISOString();
  }
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/**
 * An instant `raw` units of `unit` after the epoch as ISO-8601 UTC: milliseconds always shown, then microseconds or
 * nanoseconds when the unit holds them. Values outside the range of Date are shown as the raw integer.
 */
export function formatInstant(raw: bigint, unit: TimeUnit): string {
  const nanos = raw * NANOS_PER[unit];
  let ms = nanos / 1_000_000n;
  let below = nanos % 1_000_000n;
  if (below < 0n) {
    below += 1_000_000n;
    ms -= 1n;
  }
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return String(raw);
  const iso = date.toISOString();
  if (unit === TimeUnit.MICROSECOND) return `${iso.slice(0, -1)}${String(below / 1000n).padStart(3, "0")}Z`;
  if (unit === TimeUnit.NANOSECOND) return `${iso.slice(0, -1)}${String(below).padStart(6, "0")}Z`;
  return iso;
}
