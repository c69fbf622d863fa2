import { DataType, TimeUnit } from "apache-arrow";
import type { BoundValue, DatasetDescription } from "../../../client/src/index.js";
import { formatBound } from "./format-value.js";

/** A query's range, as `oups query` sends it. */
export interface QueryRange {
  start?: BoundValue | undefined;
  end?: BoundValue | undefined;
  endInclusive?: boolean | undefined;
}

/** Factors of the usual unit mistakes: seconds, milliseconds, microseconds and nanoseconds for one another. */
const UNIT_FACTORS: readonly [number, string][] = [
  [1e3, "1000"],
  [1e6, "a million"],
  [1e9, "a billion"],
];

/** Raw units per millisecond of a timestamp column, to compare an integer bound with a Date min or max. */
const RAW_PER_MS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 1e-3,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1e3,
  [TimeUnit.NANOSECOND]: 1e6,
};

/**
 * Why a query over `dataset` found no row, when it looks like a mistake: a start equal to an exclusive end, or an integer
 * bound about 1000 (10^6, 10^9) times off the dataset's values, as when epoch seconds are given for a column in
 * milliseconds. Empty when nothing looks wrong.
 */
export function emptyResultHints(dataset: DatasetDescription, range: QueryRange): string[] {
  const hints: string[] = [];
  const { start, end } = range;
  const s = comparable(start, dataset);
  const e = comparable(end, dataset);
  // A start after the end never gets here: the daemon refuses it.
  if (s !== undefined && e !== undefined && typeof s === typeof e && s === e && !range.endInclusive) {
    hints.push(`--start ${formatBound(start)} equals --end ${formatBound(end)}: the range is empty`);
  }
  const first = dataset.rowGroups[0]?.min;
  const last = dataset.rowGroups.at(-1)?.max;
  const lo = comparable(first, dataset);
  const hi = comparable(last, dataset);
  if (typeof lo !== "number" || typeof hi !== "number" || lo <= 0) return hints;
  let unitHinted = false;
  for (const [flag, bound] of [
    ["--start", start],
    ["--end", end],
  ] as const) {
    // Only integers and decimals: an ISO date is read in the column's own unit.
    if (typeof bound !== "bigint" && typeof bound !== "number") continue;
    const value = Number(bound);
    if (value >= lo && value <= hi) continue;
    for (const [factor, name] of UNIT_FACTORS) {
      const direction = near(value * factor, lo, hi) ? "smaller" : near(value / factor, lo, hi) ? "larger" : undefined;
      if (direction === undefined) continue;
      hints.push(
        `${flag} ${value} is about ${name} times ${direction} than the values of "${dataset.orderedOn}" ` +
          `(${formatBound(first)} to ${formatBound(last)}): a bound in another time unit?${unitHinted ? "" : unitNote(dataset)}`,
      );
      unitHinted = true;
      break;
    }
  }
  return hints;
}

/** `value` within a factor of 2 of the range [lo, hi]. */
function near(value: number, lo: number, hi: number): boolean {
  return value >= lo / 2 && value <= hi * 2;
}

/** A bound as a number in the ordered column's raw unit (a Date as its timestamp's raw value), or a string. */
function comparable(value: BoundValue | undefined, dataset: DatasetDescription): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (value instanceof Date) {
    const type = dataset.schema?.fields.find((f) => f.name === dataset.orderedOn)?.type;
    const perMs = type !== undefined && DataType.isTimestamp(type) ? RAW_PER_MS[type.unit as TimeUnit] : 1;
    return value.getTime() * perMs;
  }
  return Number(value);
}

/** What the ordered column counts, when it is a timestamp: integer bounds are compared with its raw values. */
function unitNote(dataset: DatasetDescription): string {
  const type = dataset.schema?.fields.find((f) => f.name === dataset.orderedOn)?.type;
  if (type === undefined || !DataType.isTimestamp(type)) return "";
  const unit = ["seconds", "milliseconds", "microseconds", "nanoseconds"][type.unit as TimeUnit];
  return ` An integer bound counts ${unit} since the epoch here; an ISO date (2023-01-02T09:30:00Z) needs no unit.`;
}
