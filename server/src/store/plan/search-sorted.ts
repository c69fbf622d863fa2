import type { Ordinal } from "../ordinal.js";

/**
 * Index of the first element of the sorted slice `values[lo, hi)` that is not less than `value` (numpy
 * `searchsorted` with side `"left"`); `hi` when there is none.
 */
export function searchSortedLeft(
  values: ArrayLike<Ordinal>,
  value: Ordinal,
  lo = 0,
  hi: number = values.length,
): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((values[mid] as Ordinal) < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Index of the first element of the sorted slice `values[lo, hi)` that is greater than `value` (numpy
 * `searchsorted` with side `"right"`); `hi` when there is none.
 */
export function searchSortedRight(
  values: ArrayLike<Ordinal>,
  value: Ordinal,
  lo = 0,
  hi: number = values.length,
): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((values[mid] as Ordinal) <= value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
