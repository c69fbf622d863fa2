import type { ChunkPicks } from "./gather-column.js";

/**
 * Picks grouped into runs of consecutive rows of one chunk: run `r` copies rows
 * `[rows[r], rows[r] + lengths[r])` of chunk `chunkIds[r]` to output rows from `outStarts[r]`.
 */
export interface PickRuns {
  readonly count: number;
  readonly outStarts: Uint32Array;
  readonly chunkIds: Uint32Array;
  readonly rows: Uint32Array;
  readonly lengths: Uint32Array;
}

/** Below this mean run length, copying row by row beats copying run by run. */
const MIN_MEAN_RUN = 8;

/** The runs of `picks`, or `undefined` when they are too short on average to be worth copying as runs. */
export function findPickRuns(picks: ChunkPicks): PickRuns | undefined {
  const { chunkIds, rows } = picks;
  const length = rows.length;
  let count = 0;
  for (let k = 0; k < length; k++) {
    if (k === 0 || chunkIds[k] !== chunkIds[k - 1] || rows[k] !== rows[k - 1] + 1) count++;
  }
  if (count * MIN_MEAN_RUN > length) return undefined;
  const runs = {
    count,
    outStarts: new Uint32Array(count),
    chunkIds: new Uint32Array(count),
    rows: new Uint32Array(count),
    lengths: new Uint32Array(count),
  };
  let r = -1;
  for (let k = 0; k < length; k++) {
    if (k === 0 || chunkIds[k] !== chunkIds[k - 1] || rows[k] !== rows[k - 1] + 1) {
      r++;
      runs.outStarts[r] = k;
      runs.chunkIds[r] = chunkIds[k];
      runs.rows[r] = rows[k];
    }
    runs.lengths[r]++;
  }
  return runs;
}

/** One run per chunk, in order: the runs of a concatenation. */
export function concatRuns(chunkLengths: readonly number[]): PickRuns {
  const count = chunkLengths.length;
  const outStarts = new Uint32Array(count);
  for (let c = 1; c < count; c++) outStarts[c] = outStarts[c - 1] + chunkLengths[c - 1];
  return {
    count,
    outStarts,
    chunkIds: Uint32Array.from(chunkLengths, (_, c) => c),
    rows: new Uint32Array(count),
    lengths: Uint32Array.from(chunkLengths),
  };
}
