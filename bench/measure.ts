import { performance } from "node:perf_hooks";

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/** Runs `body` and resolves to its result and how long it took, in ms. */
export async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = now();
  const value = await body();
  return { value, ms: now() - start };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no value");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs a full garbage collection when node runs with --expose-gc, so that a phase does not pay for the last. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Writes a progress line on stderr, so that stdout keeps only the results. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
