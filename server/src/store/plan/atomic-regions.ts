import type { Ordinal } from "../ordinal.js";
import type { RowGroupStats } from "./plan-merge.js";
import { searchSorted } from "../arrow/search-sorted.js";

/**
 * The ordered atomic regions (OARs) of a write, in order: each is either one existing row group with the incoming
 * rows it overlaps (possibly none), or a run of incoming rows lying in a gap between row groups (an "orphan").
 * Region `j` covers row groups `[rgStart[j], rgEnd[j])` (one or none) and incoming rows `[inStart[j], inEnd[j])`;
 * together the regions cover every row group and every incoming row once, in order.
 */
export interface AtomicRegions {
  /** Number of regions. */
  readonly count: number;
  /** Row group of each region; equal to `rgEnd` for an orphan, which sits just before that row group. */
  readonly rgStart: Uint32Array;
  /** End (excluded) of each region's row group range. */
  readonly rgEnd: Uint32Array;
  /** Start of each region's incoming rows. */
  readonly inStart: Float64Array;
  /** End (excluded) of each region's incoming rows. */
  readonly inEnd: Float64Array;
  /**
   * 1 where the region overlaps incoming data: every orphan, and every row group whose value range holds incoming
   * values. A row group keeps the flag when the straddle fix hands its rows to the next row group.
   */
  readonly overlapsIncoming: Uint8Array;
  /**
   * Indexed by row group (length row groups + 1): 1 where a merge chunk must not end just before that row group,
   * because it shares its min with the previous row group's max and duplicates may span both.
   */
  readonly noCutBeforeRowGroup: Uint8Array;
}

/**
 * Computes the ordered atomic regions (reference 1.5 steps A and B) with two binary searches per row group.
 * Without dedupe an incoming value equal to a row group's max is not attached to it (it goes after it, so the row
 * group is not rewritten); with dedupe it is, so that duplicates meet.
 *
 * `rowGroups` must be sorted and non-overlapping and `incoming` sorted; the caller checks both.
 */
export function buildAtomicRegions(
  rowGroups: readonly RowGroupStats[],
  incoming: ArrayLike<Ordinal>,
  dropDuplicates: boolean,
): AtomicRegions {
  const nRgs = rowGroups.length;
  const nIn = incoming.length;
  const rgInStart = new Float64Array(nRgs);
  const rgInEnd = new Float64Array(nRgs);
  const rgOverlaps = new Uint8Array(nRgs);
  let searchFrom = 0;
  for (let i = 0; i < nRgs; i++) {
    const { min, max } = rowGroups[i] as RowGroupStats;
    const start = searchSorted(incoming, min, "left", searchFrom);
    const end = dropDuplicates ? searchSorted(incoming, max, "right", start) : searchSorted(incoming, max, "left", start);
    rgInStart[i] = start;
    rgInEnd[i] = end;
    rgOverlaps[i] = end > start ? 1 : 0;
    // Mins are non-decreasing, so the next row group's start is never before this one's.
    searchFrom = start;
  }
  const noCutBeforeRowGroup = new Uint8Array(nRgs + 1);
  for (let i = 0; i + 1 < nRgs; i++) {
    if (rgOverlaps[i + 1] === 1 && (rowGroups[i + 1] as RowGroupStats).min === (rowGroups[i] as RowGroupStats).max) {
      // Straddle fix: the incoming rows equal to the shared value go with the next row group only, and both row
      // groups are loaded in the same chunk so that duplicates spanning them are found.
      rgInEnd[i] = rgInStart[i + 1] as number;
      noCutBeforeRowGroup[i + 1] = 1;
    }
  }

  const capacity = 2 * nRgs + 1;
  const rgStart = new Uint32Array(capacity);
  const rgEnd = new Uint32Array(capacity);
  const inStart = new Float64Array(capacity);
  const inEnd = new Float64Array(capacity);
  const overlapsIncoming = new Uint8Array(capacity);
  let count = 0;
  let cursor = 0;
  for (let k = 0; k <= nRgs; k++) {
    const gapEnd = k < nRgs ? (rgInStart[k] as number) : nIn;
    if (gapEnd > cursor) {
      rgStart[count] = k;
      rgEnd[count] = k;
      inStart[count] = cursor;
      inEnd[count] = gapEnd;
      overlapsIncoming[count] = 1;
      count++;
      cursor = gapEnd;
    }
    if (k < nRgs) {
      rgStart[count] = k;
      rgEnd[count] = k + 1;
      inStart[count] = cursor;
      inEnd[count] = rgInEnd[k] as number;
      overlapsIncoming[count] = rgOverlaps[k] as number;
      count++;
      cursor = rgInEnd[k] as number;
    }
  }
  return {
    count,
    rgStart: rgStart.subarray(0, count),
    rgEnd: rgEnd.subarray(0, count),
    inStart: inStart.subarray(0, count),
    inEnd: inEnd.subarray(0, count),
    overlapsIncoming: overlapsIncoming.subarray(0, count),
    noCutBeforeRowGroup,
  };
}
