/**
 * What a row-group target strategy (row count or time period) says about a write's ordered atomic regions
 * (reference 1.5 steps C to E). Region indices refer to the write's `AtomicRegions`.
 */
export interface RegionSizing {
  /** 1 where the region is likely on target once written (step C). */
  readonly onTarget: Uint8Array;
  /** Whether merging regions `[start, end)` together likely fills at least one on-target row group (step D). */
  likelyExceedsTarget(start: number, end: number): boolean;
  /**
   * Regions after which to end a merge chunk when writing regions `[start, end)` as one merge sequence (step E),
   * ascending; the last is always `end - 1`.
   */
  chunkEnds(start: number, end: number): number[];
}
