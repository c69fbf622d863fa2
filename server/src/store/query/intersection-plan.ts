import type { RowGroupEntry } from "../dataset/manifest.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";

/** Consecutive row groups of one dataset read together: no ordered value straddles two blocks. */
export interface Block {
  readonly rowGroups: readonly RowGroupEntry[];
  readonly min: Ordinal;
  readonly max: Ordinal;
}

/** How several datasets are walked over the same intervals. */
export interface IntersectionPlan {
  /**
   * Per dataset (same order as given), its blocks meeting the range; empty when the dataset takes no part. A dataset
   * with one block that starts before the range and ends at or after its end may still hold no row in the range:
   * see {@link mayMissRange}.
   */
  readonly blocks: readonly (readonly Block[])[];
  /** Exclusive ends of the successive intervals; the last is the range's end (undefined: open). */
  readonly boundaries: readonly (Ordinal | undefined)[];
}

/**
 * Plans a cross-dataset walk (reference section 3): row groups sharing a boundary value are merged into blocks;
 * the blocks meeting `[start, end)` are kept; the intervals end at every kept block's start (but each dataset's
 * first) and at `end`. Every interval then lies within one block of each dataset, so a walk holds one block per
 * dataset in memory at a time. Open ends are `undefined`, never confused with a zero value.
 */
export function planIntersections(
  datasets: readonly (readonly RowGroupEntry[])[],
  start: Ordinal | undefined,
  end: Ordinal | undefined,
): IntersectionPlan {
  const blocks = datasets.map((rowGroups) =>
    toBlocks(rowGroups).filter(
      (b) => (start === undefined || compareOrdinals(b.max, start) >= 0) && (end === undefined || compareOrdinals(b.min, end) < 0),
    ),
  );
  const cuts = new Set<Ordinal>();
  for (const kept of blocks) for (const block of kept.slice(1)) cuts.add(block.min);
  const boundaries: (Ordinal | undefined)[] = [...cuts].sort(compareOrdinals);
  boundaries.push(end);
  return { blocks, boundaries: blocks.some((b) => b.length > 0) ? boundaries : [] };
}

function toBlocks(rowGroups: readonly RowGroupEntry[]): Block[] {
  const blocks: Block[] = [];
  let run: RowGroupEntry[] = [];
  for (const group of rowGroups) {
    if (run.length > 0 && group.min !== run[run.length - 1]!.max) {
      blocks.push({ rowGroups: run, min: run[0]!.min, max: run[run.length - 1]!.max });
      run = [];
    }
    run.push(group);
  }
  if (run.length > 0) blocks.push({ rowGroups: run, min: run[0]!.min, max: run[run.length - 1]!.max });
  return blocks;
}

/**
 * True when a dataset's kept blocks may hold no row in `[start, end)`: only when it has a single block, starting
 * before `start` and ending at or after `end`. Any other kept block holds a row in the range: its min (a block
 * after the first starts above the first one's max, itself at or above `start`) or its max (below `end`).
 */
export function mayMissRange(blocks: readonly Block[], start: Ordinal | undefined, end: Ordinal | undefined): boolean {
  if (blocks.length !== 1 || start === undefined || end === undefined) return false;
  const [block] = blocks;
  return compareOrdinals(block!.min, start) < 0 && compareOrdinals(block!.max, end) >= 0;
}
