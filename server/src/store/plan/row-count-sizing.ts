import type { AtomicRegions } from "./atomic-regions.js";
import type { RowGroupStats } from "./plan-merge.js";
import type { RegionSizing } from "./region-sizing.js";

/** Share of the target row count from which a row group counts as on target. */
const MIN_SIZE_SCALE = 0.8;

/**
 * Row-count strategy of the planner. A region with incoming rows is on target when its rows (existing plus
 * incoming) reach 80% of the target, oversized included; a row group alone is on target between 80% and 100% of
 * the target. With dedupe the rows a region will likely keep are estimated as the larger of its two parts, as if
 * the smaller part were all duplicates.
 */
export function rowCountSizing(
  rowGroups: readonly RowGroupStats[],
  regions: AtomicRegions,
  targetRows: number,
  dropDuplicates: boolean,
): RegionSizing {
  const minSize = Math.trunc(targetRows * MIN_SIZE_SCALE);
  const { count, rgStart, rgEnd, inStart, inEnd, overlapsIncoming } = regions;
  const minRows = new Float64Array(count);
  const onTarget = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const start = rgStart[j] as number;
    const rgRows = (rgEnd[j] as number) > start ? (rowGroups[start] as RowGroupStats).rows : 0;
    const inRows = (inEnd[j] as number) - (inStart[j] as number);
    const maxRows = rgRows + inRows;
    minRows[j] = dropDuplicates ? Math.max(rgRows, inRows) : maxRows;
    const fits = overlapsIncoming[j] === 1 ? maxRows >= minSize : maxRows >= minSize && maxRows <= targetRows;
    onTarget[j] = fits ? 1 : 0;
  }
  return {
    onTarget,
    likelyExceedsTarget(start: number, end: number): boolean {
      let rows = 0;
      for (let j = start; j < end; j++) {
        rows += minRows[j] as number;
      }
      return rows >= targetRows;
    },
    chunkEnds(start: number, end: number): number[] {
      const ends: number[] = [];
      let rows = 0;
      let threshold = targetRows;
      for (let j = start; j < end; j++) {
        rows += minRows[j] as number;
        if (rows >= threshold) {
          ends.push(j);
          threshold = (Math.floor(rows / targetRows) + 1) * targetRows;
        }
      }
      // The rows after the last target crossing are too few for a chunk of their own: they join the last chunk.
      ends.pop();
      ends.push(end - 1);
      return ends;
    },
  };
}
