import type { Ordinal } from "../ordinal.js";
import type { AtomicRegions } from "./atomic-regions.js";
import type { Period } from "./period.js";
import type { RowGroupStats } from "./plan-merge.js";
import type { RegionSizing } from "./region-sizing.js";

/**
 * Time-period strategy of the planner. A region spans from its row group's min to max, or for an orphan from its
 * first to last incoming value, and is identified with the periods (by their start) holding those two ends.
 * A region is on target when it has incoming rows and spans several periods (oversized counts as on target), or
 * when it lies within one period that no other region touches.
 *
 * Ordinals must be bigints (raw timestamps); the caller checks it.
 */
export function periodSizing(
  rowGroups: readonly RowGroupStats[],
  incoming: ArrayLike<Ordinal>,
  regions: AtomicRegions,
  period: Period,
): RegionSizing {
  const { count, rgStart, rgEnd, inStart, inEnd, overlapsIncoming } = regions;
  const startPeriod: bigint[] = new Array<bigint>(count);
  const endPeriod: bigint[] = new Array<bigint>(count);
  for (let j = 0; j < count; j++) {
    const rg = rgStart[j] as number;
    if ((rgEnd[j] as number) > rg) {
      const stats = rowGroups[rg] as RowGroupStats;
      startPeriod[j] = period.floor(stats.min as bigint);
      endPeriod[j] = period.floor(stats.max as bigint);
    } else {
      startPeriod[j] = period.floor(incoming[inStart[j] as number] as bigint);
      endPeriod[j] = period.floor(incoming[(inEnd[j] as number) - 1] as bigint);
    }
  }
  const onTarget = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const first = startPeriod[j] as bigint;
    const single = first === endPeriod[j];
    // Region ends are ordered, so another region touching this period can only be a direct neighbour.
    const alone =
      single && (j === 0 || endPeriod[j - 1] !== first) && (j === count - 1 || startPeriod[j + 1] !== first);
    onTarget[j] = (overlapsIncoming[j] === 1 && !single) || alone ? 1 : 0;
  }
  return {
    onTarget,
    likelyExceedsTarget(start: number, end: number): boolean {
      return startPeriod[start] !== endPeriod[end - 1];
    },
    chunkEnds(start: number, end: number): number[] {
      const ends: number[] = [];
      for (let j = start; j < end; j++) {
        // End a chunk after the last region starting in each period.
        if (j === end - 1 || startPeriod[j + 1] !== startPeriod[j]) {
          ends.push(j);
        }
      }
      return ends;
    },
  };
}
