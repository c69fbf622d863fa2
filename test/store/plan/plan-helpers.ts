export { seededRandom } from "../../helpers/seeded-random.js";
import type { ExecutionContext } from "ava";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { parsePeriod } from "../../../server/src/store/plan/period.js";
import type {
  MergeChunk,
  MergePlan,
  MergeSequence,
  RowGroupStats,
  RowGroupTarget,
} from "../../../server/src/store/plan/plan-merge.js";
import { splitOffsets } from "../../../server/src/store/plan/split-offsets.js";

/** Stats of a row group holding `rows` rows from `min` to `max`. */
export function rg(min: Ordinal, max: Ordinal, rows: number): RowGroupStats {
  return { min, max, rows };
}

/** Stats of a row group holding exactly `values` (sorted). */
export function rgOf(values: readonly Ordinal[]): RowGroupStats {
  return { min: values[0] as Ordinal, max: values[values.length - 1] as Ordinal, rows: values.length };
}

/** A merge chunk, written positionally to keep tables short. */
export function chunk(rgStart: number, rgEnd: number, inStart: number, inEnd: number): MergeChunk {
  return { rgStart, rgEnd, inStart, inEnd };
}

/** A merge sequence, written positionally to keep tables short. */
export function seq(rgStart: number, rgEnd: number, chunks: MergeChunk[]): MergeSequence {
  return { rgStart, rgEnd, chunks };
}

/** Integers `[start, end)` as numbers. */
export function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/**
 * Checks what every plan must satisfy: sequences ordered with untouched row groups between them, chunks contiguous
 * and non-empty, every incoming row covered exactly once, and the incoming rows of each sequence fitting between
 * the untouched row groups around it (strictly with dedupe, so that no duplicate is left unmerged).
 */
export function assertPlanInvariants(
  t: ExecutionContext,
  rowGroups: readonly RowGroupStats[],
  incoming: readonly Ordinal[],
  plan: MergePlan,
  dropDuplicates: boolean,
): void {
  const covered = new Uint8Array(incoming.length);
  let inCursor = 0;
  let previousRgEnd = -1;
  for (const [s, sequence] of plan.sequences.entries()) {
    const where = `sequence ${s}`;
    t.true(sequence.rgStart > previousRgEnd, `${where} starts after an untouched row group`);
    t.true(sequence.rgStart <= sequence.rgEnd && sequence.rgEnd <= rowGroups.length, `${where} row group range`);
    t.true(sequence.chunks.length > 0, `${where} has chunks`);
    let rgCursor = sequence.rgStart;
    for (const [c, { rgStart, rgEnd, inStart, inEnd }] of sequence.chunks.entries()) {
      t.is(rgStart, rgCursor, `${where} chunk ${c} continues the row groups`);
      t.is(inStart, inCursor, `${where} chunk ${c} continues the incoming rows`);
      t.true(rgEnd >= rgStart && inEnd >= inStart, `${where} chunk ${c} ranges are ordered`);
      t.true(rgEnd > rgStart || inEnd > inStart, `${where} chunk ${c} is not empty`);
      for (let i = inStart; i < inEnd; i++) {
        covered[i] = (covered[i] as number) + 1;
      }
      rgCursor = rgEnd;
      inCursor = inEnd;
    }
    t.is(rgCursor, sequence.rgEnd, `${where} chunks end with the sequence`);
    const first = sequence.chunks[0]?.inStart ?? 0;
    for (let i = first; i < inCursor; i++) {
      const value = incoming[i] as Ordinal;
      if (sequence.rgStart > 0) {
        const before = (rowGroups[sequence.rgStart - 1] as RowGroupStats).max;
        t.true(dropDuplicates ? value > before : value >= before, `${where} row ${i} is after untouched row group`);
      }
      if (sequence.rgEnd < rowGroups.length) {
        const after = (rowGroups[sequence.rgEnd] as RowGroupStats).min;
        t.true(value < after, `${where} row ${i} is before untouched row group`);
      }
    }
    previousRgEnd = sequence.rgEnd;
  }
  t.is(inCursor, incoming.length, "sequences reach the last incoming row");
  t.true(
    covered.every((n) => n === 1),
    "every incoming row is in exactly one chunk",
  );
}

/**
 * Applies a plan the way the writer does (reference 1.5 step F), on the ordered values only: each chunk merges the
 * carried piece, its row groups and its incoming rows (stable, existing first; with dedupe equal values keep one),
 * cuts the result with {@link splitOffsets} and carries the last piece into the next chunk. Returns the resulting
 * row groups' values, untouched ones included, in order.
 */
export function simulateWrite(
  existing: readonly (readonly Ordinal[])[],
  incoming: readonly Ordinal[],
  plan: MergePlan,
  target: RowGroupTarget,
  dropDuplicates: boolean,
): Ordinal[][] {
  const result: Ordinal[][] = [];
  let next = 0;
  for (const sequence of plan.sequences) {
    while (next < sequence.rgStart) {
      result.push([...(existing[next++] as Ordinal[])]);
    }
    let carry: Ordinal[] = [];
    for (const { rgStart, rgEnd, inStart, inEnd } of sequence.chunks) {
      const merged = [...carry, ...existing.slice(rgStart, rgEnd).flat(), ...incoming.slice(inStart, inEnd)];
      merged.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const rows = dropDuplicates ? merged.filter((v, i) => i + 1 === merged.length || merged[i + 1] !== v) : merged;
      const offsets = splitOffsets(rows, target);
      for (let k = 0; k + 1 < offsets.length; k++) {
        result.push(rows.slice(offsets[k], offsets[k + 1]));
      }
      carry = rows.slice(offsets[offsets.length - 1] ?? 0);
    }
    if (carry.length > 0) {
      result.push(carry);
    }
    next = sequence.rgEnd;
  }
  while (next < existing.length) {
    result.push([...(existing[next++] as Ordinal[])]);
  }
  return result;
}

/** Raw nanosecond timestamp of an ISO UTC date-time such as `2024-01-15T10:00`. */
export function ts(iso: string): bigint {
  const ms = Date.parse(`${iso}Z`);
  if (Number.isNaN(ms)) {
    throw new Error(`bad test timestamp ${iso}`);
  }
  return BigInt(ms) * 1_000_000n;
}

/** Raw nanosecond timestamp of a time of day on 2020-01-01. */
export function hm(time: string): bigint {
  return ts(`2020-01-01T${time}`);
}

/** Stats of a row group spanning two times of day on 2020-01-01. */
export function rgAt(min: string, max: string, rows = 1): RowGroupStats {
  return rg(hm(min), hm(max), rows);
}

/** A row-count target. */
export function rows(n: number): RowGroupTarget {
  return { kind: "rows", rows: n };
}

/** A period target on a nanosecond timestamp column. */
export function every(freq: string): RowGroupTarget {
  return { kind: "period", period: parsePeriod(freq, "ns") };
}
