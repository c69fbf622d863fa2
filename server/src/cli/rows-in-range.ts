import type { BoundValue, DatasetDescription } from "../../../client/src/index.js";
import type { QueryRange } from "./empty-result-hints.js";

/**
 * Rows of the row groups a range query over `dataset` reads: those whose [min, max] meets the range. An upper
 * bound of the rows it returns (row groups cut by a bound are counted whole), good for a progress estimate.
 */
export function rowsInRange(dataset: DatasetDescription, range: QueryRange): number {
  let rows = 0;
  for (const group of dataset.rowGroups) {
    const afterEnd = range.end !== undefined && group.min !== undefined && compare(group.min, range.end) > (range.endInclusive ? 0 : -1);
    const beforeStart = range.start !== undefined && group.max !== undefined && compare(group.max, range.start) < 0;
    if (!afterEnd && !beforeStart) rows += group.rows;
  }
  return rows;
}

/** Three-way comparison of two bounds of one ordered column (Dates by instant); 0 when they cannot be compared. */
function compare(a: BoundValue, b: BoundValue): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (typeof x === "string" || typeof y === "string") return typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : 0;
  const dx = Number(x);
  const dy = Number(y);
  return dx < dy ? -1 : dx > dy ? 1 : 0;
}
