import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import type { RowGroupTarget } from "./plan-merge.js";
import { searchSorted } from "../arrow/search-sorted.js";

/**
 * Start offsets of the row groups to cut a merged, sorted chunk into (reference 1.5 step F): every `rows` rows for
 * a row-count target, or at each period boundary for a period target, where empty periods produce nothing.
 * Starts with 0 for non-empty input; `[]` for empty input. A run of equal values may be cut by a row-count target.
 *
 * A period target costs O(pieces · log values).
 *
 * @throws OupsError `INVALID_ARGUMENT` for a non-positive row count, or when a period target gets non-bigint values.
 */
export function splitOffsets(values: ArrayLike<Ordinal>, target: RowGroupTarget): number[] {
  const n = values.length;
  const offsets: number[] = [];
  if (n === 0) {
    return offsets;
  }
  if (target.kind === "rows") {
    if (!(Number.isSafeInteger(target.rows) && target.rows > 0)) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        `row group target must be a positive integer number of rows, got ${target.rows}`,
      );
    }
    for (let offset = 0; offset < n; offset += target.rows) {
      offsets.push(offset);
    }
    return offsets;
  }
  const { period } = target;
  let start = 0;
  while (start < n) {
    offsets.push(start);
    const value = values[start];
    if (typeof value !== "bigint") {
      throw new OupsError(
        "INVALID_ARGUMENT",
        `a period row group target needs timestamp (bigint) values, got ${typeof value}`,
      );
    }
    start = searchSorted(values, period.ceil(value), "left", start + 1);
  }
  return offsets;
}
