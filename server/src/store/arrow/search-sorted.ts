import type { Ordinal } from "../ordinal.js";
import { compareText } from "../ordinal.js";

/**
 * Binary search of `v` in `values[lo, hi)`, which must be sorted: the first index whose value is `>= v`
 * (`side` "left") or `> v` (`side` "right"), so that inserting `v` there keeps the order. Returns `hi` when
 * no value qualifies.
 */
export function searchSorted(
  values: ArrayLike<Ordinal>,
  v: Ordinal,
  side: "left" | "right",
  lo = 0,
  hi = values.length,
): number {
  if (typeof v === "string") return searchSortedText(values as ArrayLike<string>, v, side, lo, hi);
  const numbers = values as ArrayLike<number | bigint>;
  let low = lo;
  let high = hi;
  if (side === "left") {
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (numbers[mid]! < v) low = mid + 1;
      else high = mid;
    }
  } else {
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (numbers[mid]! <= v) low = mid + 1;
      else high = mid;
    }
  }
  return low;
}

/** {@link searchSorted} of text sorted by code point ({@link compareText}). */
function searchSortedText(values: ArrayLike<string>, v: string, side: "left" | "right", lo: number, hi: number): number {
  // "left": first value >= v, i.e. the first for which compareText(value, v) < 0 fails; "right": first value > v.
  const limit = side === "left" ? 0 : 1;
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareText(values[mid]!, v) < limit) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Bounds on sorted values: `[start, end)`, or `[start, end]` with `endInclusive`; an absent end is open. */
export interface SortedBounds {
  readonly start?: Ordinal | undefined;
  readonly end?: Ordinal | undefined;
  readonly endInclusive?: boolean | undefined;
}

/** The indices `[lo, hi)` of the sorted `values` that lie within `bounds` (`hi >= lo`). */
export function spanWithin(values: ArrayLike<Ordinal>, bounds: SortedBounds): { lo: number; hi: number } {
  const lo = bounds.start === undefined ? 0 : searchSorted(values, bounds.start, "left");
  const hi = bounds.end === undefined ? values.length : searchSorted(values, bounds.end, bounds.endInclusive ? "right" : "left");
  return { lo, hi: Math.max(lo, hi) };
}
