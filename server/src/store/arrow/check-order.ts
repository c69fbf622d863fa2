import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import { compareText } from "../ordinal.js";

/**
 * Index of the first value smaller than its predecessor, or -1 when `values` never decreases. `previous` is
 * the value before `values[0]` (the last value of the preceding chunk), so index 0 is reported when
 * `values[0] < previous`. Ties are in order. Values must be of one ordinal kind and hold no NaN.
 */
export function firstUnordered(values: ArrayLike<Ordinal>, previous?: Ordinal): number {
  const length = values.length;
  if (length === 0) return -1;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return firstUnorderedWords(values, previous as bigint | undefined);
  }
  if (typeof values[0] === "string") return firstUnorderedText(values as ArrayLike<string>, previous as string | undefined);
  const numbers = values as ArrayLike<number | bigint>;
  let last = numbers[0]!;
  if (previous !== undefined && last < (previous as number | bigint)) return 0;
  for (let i = 1; i < length; i++) {
    const value = numbers[i]!;
    if (value < last) return i;
    last = value;
  }
  return -1;
}

/** {@link firstUnordered} of text, in code point order ({@link compareText}), not JavaScript's UTF-16 one. */
function firstUnorderedText(values: ArrayLike<string>, previous: string | undefined): number {
  let last = values[0]!;
  if (previous !== undefined && compareText(last, previous) < 0) return 0;
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    if (compareText(value, last) < 0) return i;
    last = value;
  }
  return -1;
}

/**
 * {@link firstUnordered} of 64-bit integers, compared as (high, low) pairs of 32-bit words: reading a 64-bit
 * typed array element allocates a BigInt, which made this check a good part of the cost of an ingest.
 */
function firstUnorderedWords(values: BigInt64Array | BigUint64Array, previous: bigint | undefined): number {
  const length = values.length;
  const signed = values instanceof BigInt64Array;
  const words = new Uint32Array(values.buffer, values.byteOffset, length * 2);
  // Little-endian words (as Arrow's buffers are): the low word first. Flipping the sign bit of a signed high word
  // makes unsigned comparison order it as a signed one.
  const flip = signed ? 0x80000000 : 0;
  let lastHigh = (words[1] ^ flip) >>> 0;
  let lastLow = words[0];
  if (previous !== undefined && values[0] < previous) return 0;
  for (let i = 1; i < length; i++) {
    const high = (words[2 * i + 1] ^ flip) >>> 0;
    const low = words[2 * i];
    if (high < lastHigh || (high === lastHigh && low < lastLow)) return i;
    lastHigh = high;
    lastLow = low;
  }
  return -1;
}

/** Where a chunk of values sits in a write, and how its values read: for {@link assertOrdered}'s message. */
export interface OrderContext {
  /** 1-based number of the chunk (record batch) among those of the write. */
  batch: number;
  /** A value as the column's type shows it (ISO-8601 times...). */
  format: (value: Ordinal) => string;
}

/**
 * Throws `UNORDERED_INPUT` naming the first row of `values` smaller than the row before it. `offset` is the
 * row number of `values[0]` in the whole input; `previous`, the value of the row before it, if any. With a
 * `context`, the message names the batch and row (both 1-based) and shows the values in the column's type.
 */
export function assertOrdered(values: ArrayLike<Ordinal>, column: string, offset: number, previous?: Ordinal, context?: OrderContext): void {
  const i = firstUnordered(values, previous);
  if (i < 0) return;
  const before = (i === 0 ? previous : values[i - 1]) as Ordinal;
  if (context === undefined) {
    throw new OupsError(
      "UNORDERED_INPUT",
      `rows not ordered on "${column}": row ${offset + i} (${values[i]}) < row ${offset + i - 1} (${before})`,
    );
  }
  const where = i === 0 ? "the last row of the batch before" : "the row before it";
  throw new OupsError(
    "UNORDERED_INPUT",
    `rows not ordered on "${column}": batch ${context.batch}, row ${i + 1} (${context.format(values[i] as Ordinal)}) ` +
      `is less than ${where} (${context.format(before)}); row ${offset + i + 1} of the write, batches and rows counted from 1`,
  );
}
