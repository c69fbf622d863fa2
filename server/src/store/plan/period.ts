import { OupsError } from "../errors.js";

/** Unit of a timestamp column's raw values (UTC, counted from the Unix epoch). */
export type TimeUnit = "s" | "ms" | "us" | "ns";

/**
 * A time period used as a row-group target: row groups hold the rows of one period each.
 * Values are raw timestamps in the column's unit.
 */
export interface Period {
  /** The frequency string the period was parsed from, such as `"2h"` or `"MS"`. */
  readonly freq: string;
  /** Start of the period holding `v`: the last boundary at or before `v`. */
  floor(v: bigint): bigint;
  /**
   * Start of the period after the one holding `v`, i.e. `floor(v + one period)`. A value exactly on a boundary
   * ceils to the next boundary, as in the reference.
   */
  ceil(v: bigint): bigint;
}

const NS_PER_UNIT: Readonly<Record<TimeUnit, bigint>> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };
const NS_PER_MS = 1_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;

/** Fixed-length periods, in nanoseconds. */
const FIXED_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  min: 60_000_000_000n,
  T: 60_000_000_000n,
  h: 3_600_000_000_000n,
  H: 3_600_000_000_000n,
  D: NS_PER_DAY,
  W: 7n * NS_PER_DAY,
};

/** Calendar periods, in months. */
const MONTHS: Readonly<Record<string, number>> = { MS: 1, QS: 3, YS: 12, AS: 12 };

// Monday 1969-12-29 00:00 UTC, the week start just before the epoch (a Thursday), in nanoseconds.
const WEEK_ORIGIN_NS = -3n * NS_PER_DAY;
// Date's range is ±8.64e15 ms around the epoch.
const MAX_DATE_MS = 8_640_000_000_000_000n;
// Canonical multiplier only: "2h" and "h" are accepted, "0h", "02h" and "+2h" are not.
const FREQ_PATTERN = /^([1-9][0-9]*)?([A-Za-z]+)$/;

/**
 * Parses a pandas-like frequency string with an optional integer multiplier into a {@link Period} for a column of
 * the given unit.
 *
 * Fixed frequencies `ns`, `us`, `ms`, `s`, `min` (alias `T`), `h` (alias `H`) and `D` are floored relative to the
 * Unix epoch, like pandas `Timestamp.floor`. `W` is a week starting Monday 00:00 UTC. Calendar frequencies `MS`
 * (month start), `QS` (quarter start: January, April, July, October) and `YS` (alias `AS`) start at midnight UTC
 * on the first day of the month.
 *
 * @throws OupsError `INVALID_ARGUMENT` for an unknown or malformed frequency, or a fixed period that is not a whole
 *   number of the column's unit (such as `"500us"` on a `ms` column).
 */
export function parsePeriod(freq: string, unit: TimeUnit): Period {
  const nsPerUnit = NS_PER_UNIT[unit];
  if (nsPerUnit === undefined) {
    throw new OupsError("INVALID_ARGUMENT", `unknown time unit '${String(unit)}'`);
  }
  const match = FREQ_PATTERN.exec(freq);
  const name = match?.[2] ?? "";
  const multiple = match?.[1] === undefined ? 1 : Number(match[1]);
  if (match === null || !Number.isSafeInteger(multiple)) {
    throw new OupsError("INVALID_ARGUMENT", `invalid period frequency '${freq}'`);
  }
  const fixedNs = FIXED_NS[name];
  if (fixedNs !== undefined) {
    const stepNs = fixedNs * BigInt(multiple);
    if (stepNs % nsPerUnit !== 0n) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        `period frequency '${freq}' is not a whole number of the column unit '${unit}'`,
      );
    }
    const origin = name === "W" ? WEEK_ORIGIN_NS / nsPerUnit : 0n;
    return new FixedPeriod(freq, stepNs / nsPerUnit, origin);
  }
  const months = MONTHS[name];
  if (months !== undefined) {
    return new MonthPeriod(freq, months * multiple, nsPerUnit);
  }
  throw new OupsError("INVALID_ARGUMENT", `invalid period frequency '${freq}'`);
}

/** Periods of a fixed length, aligned on `origin`. */
class FixedPeriod implements Period {
  constructor(
    readonly freq: string,
    private readonly step: bigint,
    private readonly origin: bigint,
  ) {}

  floor(v: bigint): bigint {
    const rem = (v - this.origin) % this.step;
    // bigint `%` truncates toward zero; timestamps before the origin need the remainder taken upward.
    return rem < 0n ? v - rem - this.step : v - rem;
  }

  ceil(v: bigint): bigint {
    return this.floor(v) + this.step;
  }
}

/**
 * Periods of a whole number of months. Multiples are aligned on January 1970 (so `"2YS"` starts on even years), a
 * choice that keeps boundaries stable from one write to the next; pandas instead aligns them on the data.
 */
class MonthPeriod implements Period {
  constructor(
    readonly freq: string,
    private readonly months: number,
    private readonly nsPerUnit: bigint,
  ) {}

  floor(v: bigint): bigint {
    return this.boundary(this.flooredIndex(v));
  }

  ceil(v: bigint): bigint {
    return this.boundary(this.flooredIndex(v) + this.months);
  }

  /** Months since January 1970 of the period start holding `v`. */
  private flooredIndex(v: bigint): number {
    const ns = v * this.nsPerUnit;
    // Only the millisecond part matters: calendar boundaries fall on whole days.
    const ms = ns / NS_PER_MS - (ns % NS_PER_MS < 0n ? 1n : 0n);
    if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
      throw new OupsError("INVALID_ARGUMENT", `timestamp ${v} is outside the calendar range of period '${this.freq}'`);
    }
    const date = new Date(Number(ms));
    const index = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
    return index - modulo(index, this.months);
  }

  /** Raw timestamp of the first instant of month `index` (months since January 1970). */
  private boundary(index: number): bigint {
    const yearOffset = Math.floor(index / 12);
    const date = new Date(0);
    // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
    date.setUTCFullYear(1970 + yearOffset, index - yearOffset * 12, 1);
    const ms = date.getTime();
    if (Number.isNaN(ms)) {
      throw new OupsError("INVALID_ARGUMENT", `period '${this.freq}' boundary is outside the calendar range`);
    }
    return (BigInt(ms) * NS_PER_MS) / this.nsPerUnit;
  }
}

function modulo(a: number, b: number): number {
  return ((a % b) + b) % b;
}
