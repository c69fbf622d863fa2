import type { Field } from "apache-arrow";
import { DataType } from "apache-arrow";
import { ordinalKindOf, timeUnitOf } from "../arrow/ordered-column.js";
import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals, compareText } from "../ordinal.js";

/** A bound as clients send it, before it is matched to the ordered column's type. */
export type BoundValue =
  | { kind: "int"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "string"; value: string }
  | { kind: "timestamp"; seconds: bigint; nanos: number };

/** A range of the ordered column: `[start, end)`, or `[start, end]` with `endInclusive`; absent ends are open. */
export interface Range {
  start?: Ordinal | undefined;
  end?: Ordinal | undefined;
  endInclusive?: boolean | undefined;
}

const UNITS_PER_SECOND = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n } as const;

/**
 * The range of `[start, end)` (`[start, end]` with `endInclusive`) on `column`, bounds checked: a NaN bound, a
 * Timestamp whose nanos are outside 0..999,999,999, or a start after the end is `INVALID_ARGUMENT` (start equal
 * to an exclusive end is an empty range). `column` is undefined for a dataset without a schema: the bounds are then
 * checked on their own and the range holds no ordinals (there are no rows to compare them with).
 */
export function rangeOf(
  query: { start?: BoundValue | undefined; end?: BoundValue | undefined; endInclusive?: boolean | undefined },
  column: Field | undefined,
): Range {
  const { start, end, endInclusive } = query;
  if (start) checkBound(start, "start");
  if (end) checkBound(end, "end");
  const range: Range = { endInclusive };
  if (column && start) range.start = boundToOrdinal(start, column, "start");
  if (column && end) range.end = boundToOrdinal(end, column, endInclusive ? "inclusive end" : "end");
  if (start && end) {
    const order = compareBounds(start, end, column) ?? (range.start !== undefined && range.end !== undefined ? compareOrdinals(range.start, range.end) : 0);
    if (order > 0) {
      throw new OupsError("INVALID_ARGUMENT", `start bound ${describeBound(start)} is after end bound ${describeBound(end)}`);
    }
  }
  return range;
}

/** Throws `INVALID_ARGUMENT` for a bound no column value can be compared with. */
function checkBound(bound: BoundValue, role: "start" | "end"): void {
  if (bound.kind === "double" && Number.isNaN(bound.value)) {
    throw new OupsError("INVALID_ARGUMENT", `${role} bound is NaN, which is not ordered`);
  }
  if (bound.kind === "timestamp" && !(Number.isInteger(bound.nanos) && bound.nanos >= 0 && bound.nanos <= 999_999_999)) {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `${role} bound is an invalid Timestamp: nanos ${bound.nanos} outside 0..999,999,999 (negative instants take negative seconds and positive nanos)`,
    );
  }
}

/**
 * The exact order of two bounds as given (before rounding to the column's values), or `undefined` when it cannot
 * be told without a unit (Timestamp against a raw value) or the kinds do not compare.
 */
function compareBounds(a: BoundValue, b: BoundValue, column: Field | undefined): number | undefined {
  if (a.kind === "string" || b.kind === "string") {
    return a.kind === "string" && b.kind === "string" ? compareText(a.value, b.value) : undefined;
  }
  if (a.kind === "timestamp" || b.kind === "timestamp") {
    if (a.kind === "timestamp" && b.kind === "timestamp") {
      return a.seconds !== b.seconds ? (a.seconds < b.seconds ? -1 : 1) : Math.sign(a.nanos - b.nanos);
    }
    const unit = column ? timeUnitOf(column.type) : undefined;
    if (!unit) return undefined;
    const nanosPerUnit = 1_000_000_000n / UNITS_PER_SECOND[unit];
    const nanosOf = (bound: BoundValue): bigint | undefined =>
      bound.kind === "timestamp" ? bound.seconds * 1_000_000_000n + BigInt(bound.nanos) : bound.kind === "int" ? bound.value * nanosPerUnit : undefined;
    const x = nanosOf(a);
    const y = nanosOf(b);
    return x === undefined || y === undefined ? undefined : x < y ? -1 : x > y ? 1 : 0;
  }
  // A bigint and a number compare exactly in JavaScript, with no rounding of either.
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function describeBound(bound: BoundValue): string {
  switch (bound.kind) {
    case "string":
      return JSON.stringify(bound.value);
    case "timestamp": {
      // ISO 8601 with every nanosecond, as users write times; the raw fields when the instant is beyond Date's range.
      const date = new Date(Number(bound.seconds) * 1000);
      if (Number.isNaN(date.getTime())) return `Timestamp(seconds ${bound.seconds}, nanos ${bound.nanos})`;
      return `${date.toISOString().slice(0, 19)}.${String(bound.nanos).padStart(9, "0")}Z`;
    }
    default:
      return String(bound.value);
  }
}

/**
 * Converts a bound to an ordinal of `column`'s kind. Rows are whole values, so a fractional bound rounds up
 * (`start`, exclusive `end`) or down (inclusive `end`) without changing which rows the range holds.
 */
export function boundToOrdinal(bound: BoundValue, column: Field, role: "start" | "end" | "inclusive end"): Ordinal {
  const kind = ordinalKindOf(column.type);
  const roundUp = role !== "inclusive end";
  const mismatch = () =>
    new OupsError("INVALID_ARGUMENT", `${role.replace("inclusive ", "")} bound of kind ${bound.kind} does not fit ordered column "${column.name}" of type ${String(column.type)}`);
  switch (bound.kind) {
    case "string":
      if (kind !== "string") throw mismatch();
      return bound.value;
    case "int":
      if (kind === "bigint") return bound.value;
      if (kind === "number") return nearestDouble(bound.value, roundUp);
      throw mismatch();
    case "double":
      if (kind === "number") return bound.value;
      if (kind === "bigint" && Number.isFinite(bound.value)) return BigInt(roundUp ? Math.ceil(bound.value) : Math.floor(bound.value));
      throw mismatch();
    case "timestamp": {
      const unit = timeUnitOf(column.type);
      if (!unit || !DataType.isTimestamp(column.type)) throw mismatch();
      const perSecond = UNITS_PER_SECOND[unit];
      const nanosPerUnit = 1_000_000_000n / perSecond;
      const nanos = BigInt(bound.nanos);
      const whole = nanos / nanosPerUnit;
      const fractional = nanos % nanosPerUnit !== 0n;
      return bound.seconds * perSecond + whole + (fractional && roundUp ? 1n : 0n);
    }
  }
}

/**
 * The double nearest to `value` on the side that keeps the rows of the range: the smallest double at or above it
 * (`up`), or the largest at or below it. `Number()` alone rounds to nearest, which beyond 2^53 may cross a row.
 */
function nearestDouble(value: bigint, up: boolean): number {
  const nearest = Number(value);
  const exact = BigInt(nearest);
  if (exact === value || up === exact > value) return nearest;
  return stepDouble(nearest, up);
}

const bits = new Float64Array(1);
const words = new BigInt64Array(bits.buffer);

/** The next double after `x` (a finite whole number beyond 2^53 in magnitude) upwards or downwards. */
function stepDouble(x: number, up: boolean): number {
  bits[0] = x;
  // For doubles of one sign, the bit pattern grows with the magnitude.
  words[0] += (x > 0) === up ? 1n : -1n;
  return bits[0];
}

/** True when `value` lies after the range's start. */
export function afterStart(value: Ordinal, range: Range): boolean {
  return range.start === undefined || compareOrdinals(value, range.start) >= 0;
}

/** True when `value` lies before the range's end. */
export function beforeEnd(value: Ordinal, range: Range): boolean {
  if (range.end === undefined) return true;
  const order = compareOrdinals(value, range.end);
  return range.endInclusive ? order <= 0 : order < 0;
}
