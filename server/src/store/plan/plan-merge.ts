import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import { buildAtomicRegions } from "./atomic-regions.js";
import { mergeRegions } from "./merge-regions.js";
import type { Period } from "./period.js";
import { periodSizing } from "./period-sizing.js";
import type { RegionSizing } from "./region-sizing.js";
import { rowCountSizing } from "./row-count-sizing.js";

/** Statistics of one existing row group on the ordered column. */
export interface RowGroupStats {
  /** Smallest ordered value in the row group. */
  min: Ordinal;
  /** Largest ordered value in the row group. */
  max: Ordinal;
  /** Number of rows. */
  rows: number;
}

/** How big a row group should be: a number of rows, or the rows of one time period. */
export type RowGroupTarget = { kind: "rows"; rows: number } | { kind: "period"; period: Period };

/** Options of {@link planMerge}. */
export interface MergePlanOptions {
  /** Target size of row groups. */
  target: RowGroupTarget;
  /** Whether duplicates are dropped on write; then incoming values equal to a row group's max must meet it. */
  dropDuplicates: boolean;
  /**
   * Largest number of contiguous off-target row groups tolerated next to written data before they are rewritten
   * with it; at least 1. Undefined: neighbours are never coalesced. Also enables compaction with empty `incoming`.
   */
  maxNOffTargetRgs?: number | undefined;
}

/**
 * One merge chunk: existing row groups [rgStart, rgEnd) and incoming rows [inStart, inEnd), merged in memory
 * together.
 */
export interface MergeChunk {
  rgStart: number;
  rgEnd: number;
  inStart: number;
  inEnd: number;
}

/**
 * A run of chunks processed in order, the last piece of each chunk carried into the next; it replaces existing row
 * groups [rgStart, rgEnd) (rgStart === rgEnd: a pure insertion before row group rgStart).
 */
export interface MergeSequence {
  rgStart: number;
  rgEnd: number;
  chunks: MergeChunk[];
}

/** What a write rewrites: ordered, non-overlapping sequences covering every incoming row exactly once. */
export interface MergePlan {
  /** The merge sequences, in row group order; consecutive ones have untouched row groups between them. */
  sequences: MergeSequence[];
}

/**
 * Plans how sorted `incoming` values merge into the existing row groups (reference 1.5 steps A to E): which runs
 * of row groups are rewritten with which incoming rows, cut into chunks that bound memory. Only row groups that
 * overlap incoming data are rewritten, plus, with `maxNOffTargetRgs`, neighbouring off-target ones. With empty
 * `incoming` and `maxNOffTargetRgs` set, plans a compaction of the off-target row groups.
 *
 * Costs O(row groups · log incoming). `incoming` must be sorted non-decreasing (only its ends are checked here).
 *
 * @throws OupsError `CORRUPT_DATASET` when row groups overlap or have min > max; `INVALID_ARGUMENT` for a bad
 *   target or `maxNOffTargetRgs`, or non-bigint values with a period target; `UNORDERED_INPUT` when `incoming`
 *   visibly is not sorted.
 */
export function planMerge(
  rowGroups: readonly RowGroupStats[],
  incoming: ArrayLike<Ordinal>,
  options: MergePlanOptions,
): MergePlan {
  const { target, dropDuplicates, maxNOffTargetRgs } = options;
  checkOptions(options);
  checkRowGroups(rowGroups);
  const nIn = incoming.length;
  if (nIn > 1 && compareOrdinals(incoming[0] as Ordinal, incoming[nIn - 1] as Ordinal) > 0) {
    throw new OupsError(
      "UNORDERED_INPUT",
      `incoming values are not sorted: first ${incoming[0]} > last ${incoming[nIn - 1]}`,
    );
  }
  // The reference would merge an empty frame into an empty dataset; there is simply nothing to do.
  if (nIn === 0 && (maxNOffTargetRgs === undefined || rowGroups.length === 0)) {
    return { sequences: [] };
  }
  if (target.kind === "period") {
    checkTimestamps(rowGroups, incoming);
  }
  const regions = buildAtomicRegions(rowGroups, incoming, dropDuplicates);
  const sizing: RegionSizing =
    target.kind === "rows"
      ? rowCountSizing(rowGroups, regions, target.rows, dropDuplicates)
      : periodSizing(rowGroups, incoming, regions, target.period);
  const bounds = mergeRegions(regions, sizing, maxNOffTargetRgs, nIn > 0);

  const { rgStart, rgEnd, inStart, inEnd, noCutBeforeRowGroup } = regions;
  const sequences: MergeSequence[] = [];
  for (let r = 0; r < bounds.length; r += 2) {
    const first = bounds[r] as number;
    const last = (bounds[r + 1] as number) - 1;
    const chunks: MergeChunk[] = [];
    let rgCursor = rgStart[first] as number;
    let inCursor = inStart[first] as number;
    for (const end of sizing.chunkEnds(first, last + 1)) {
      const chunkRgEnd = rgEnd[end] as number;
      // Straddle fix: row groups sharing a boundary value stay in one chunk. The sequence's own end is always
      // kept (the reference never needs it removed), so no incoming row can fall out of the plan.
      if (end !== last && noCutBeforeRowGroup[chunkRgEnd] === 1) {
        continue;
      }
      chunks.push({ rgStart: rgCursor, rgEnd: chunkRgEnd, inStart: inCursor, inEnd: inEnd[end] as number });
      rgCursor = chunkRgEnd;
      inCursor = inEnd[end] as number;
    }
    sequences.push({ rgStart: rgStart[first] as number, rgEnd: rgEnd[last] as number, chunks });
  }
  return { sequences };
}

function checkOptions({ target, maxNOffTargetRgs }: MergePlanOptions): void {
  if (target.kind === "rows" && !(Number.isSafeInteger(target.rows) && target.rows > 0)) {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `row group target must be a positive integer number of rows, got ${target.rows}`,
    );
  }
  // The reference rejects 0 too (its docstring says "0 or 1" mean the same thing; use 1).
  if (maxNOffTargetRgs !== undefined && !(Number.isSafeInteger(maxNOffTargetRgs) && maxNOffTargetRgs >= 1)) {
    throw new OupsError("INVALID_ARGUMENT", `maxNOffTargetRgs must be a positive integer, got ${maxNOffTargetRgs}`);
  }
}

function checkRowGroups(rowGroups: readonly RowGroupStats[]): void {
  for (let i = 0; i < rowGroups.length; i++) {
    const { min, max } = rowGroups[i] as RowGroupStats;
    if (compareOrdinals(min, max) > 0) {
      throw new OupsError("CORRUPT_DATASET", `row group ${i} has min ${min} > max ${max}`);
    }
    if (i > 0) {
      const previousMax = (rowGroups[i - 1] as RowGroupStats).max;
      if (compareOrdinals(previousMax, min) > 0) {
        throw new OupsError(
          "CORRUPT_DATASET",
          `row groups ${i - 1} and ${i} overlap: max ${previousMax} > next min ${min}`,
        );
      }
    }
  }
}

function checkTimestamps(rowGroups: readonly RowGroupStats[], incoming: ArrayLike<Ordinal>): void {
  const sample = rowGroups.length > 0 ? (rowGroups[0] as RowGroupStats).min : incoming[0];
  if (typeof sample !== "bigint") {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `a period row group target needs timestamp (bigint) values, got ${typeof sample}`,
    );
  }
}
