import type { AtomicRegions } from "./atomic-regions.js";
import type { RegionSizing } from "./region-sizing.js";

/**
 * Groups ordered atomic regions into merge regions (reference 1.5 step D): runs of regions rewritten together.
 * Returns them as flat `[start0, end0, start1, end1, ...]` region-index pairs, ordered and disjoint.
 *
 * Without `maxNOffTargetRgs`, the merge regions are the maximal runs of regions overlapping incoming data.
 * With it, a maximal run of regions that overlap incoming data or are off target is rewritten as a whole when it
 * holds more than `maxNOffTargetRgs` off-target regions or likely fills an on-target row group; otherwise only its
 * overlapping runs are. With no incoming rows (`hasIncoming` false) every such run of off-target row groups is a
 * candidate: a compaction call.
 */
export function mergeRegions(
  regions: AtomicRegions,
  sizing: RegionSizing,
  maxNOffTargetRgs: number | undefined,
  hasIncoming: boolean,
): number[] {
  const { count, overlapsIncoming } = regions;
  const out: number[] = [];
  if (maxNOffTargetRgs === undefined) {
    pushOverlapRuns(overlapsIncoming, 0, count, out);
    return out;
  }
  const { onTarget } = sizing;
  let j = 0;
  while (j < count) {
    if (overlapsIncoming[j] === 0 && onTarget[j] === 1) {
      j++;
      continue;
    }
    const start = j;
    let nOffTarget = 0;
    let nOverlapping = 0;
    while (j < count && (overlapsIncoming[j] === 1 || onTarget[j] === 0)) {
      nOffTarget += onTarget[j] === 0 ? 1 : 0;
      nOverlapping += overlapsIncoming[j] as number;
      j++;
    }
    if (hasIncoming && nOverlapping === 0) {
      // Off-target row groups away from the incoming data are left alone by a write.
      continue;
    }
    if (nOffTarget > maxNOffTargetRgs || sizing.likelyExceedsTarget(start, j)) {
      out.push(start, j);
    } else {
      pushOverlapRuns(overlapsIncoming, start, j, out);
    }
  }
  return out;
}

/** Appends the maximal runs of flagged regions within `[start, end)`. */
function pushOverlapRuns(flags: Uint8Array, start: number, end: number, out: number[]): void {
  let j = start;
  while (j < end) {
    if (flags[j] === 0) {
      j++;
      continue;
    }
    const runStart = j;
    while (j < end && flags[j] === 1) {
      j++;
    }
    out.push(runStart, j);
  }
}
