import { isUtf8 } from "node:buffer";
import { OupsError } from "../errors.js";

/**
 * The row-by-row checks of {@link validateBatch}: offsets, UTF-8 and dictionary indices. Each is one tight loop over
 * a typed array; the slower search for the offending row only runs once something is wrong.
 */

/** Throws the `INVALID_ARGUMENT` error of a malformed column: `at` names the batch and column. */
export function failValidation(at: string, problem: string): never {
  throw new OupsError("INVALID_ARGUMENT", `${at}: ${problem}`);
}

const SUSPECT_BUFFER = "(a buffer past the message body, or a row count larger than the body?)";

/** Throws unless `bytes` holds at least `needed` bytes. */
export function checkBytes(bytes: Uint8Array | undefined, needed: number, at: string, what: string): void {
  const held = bytes?.byteLength ?? 0;
  if (held < needed) failValidation(at, `${what} buffer holds ${held} of its ${needed} bytes ${SUSPECT_BUFFER}`);
}

/**
 * Checks the `length + 1` offsets of a variable-width column: non-negative, non-decreasing, the last at most `limit`
 * (the bytes of values, or the rows of a list's child). Returns the first and last offsets.
 */
export function checkOffsets(offsets: Int32Array | undefined, length: number, limit: number, at: string, what = "bytes of values"): [number, number] {
  const held = offsets?.length ?? 0;
  if (held < length + 1) failValidation(at, `offsets buffer holds ${held} of its ${length + 1} offsets ${SUSPECT_BUFFER}`);
  const o = offsets as Int32Array;
  const first = o[0];
  if (first < 0) failValidation(at, `offset of row 0 is negative (${first})`);
  let previous = first;
  for (let i = 1; i <= length; i++) {
    const current = o[i];
    if (current < previous) failValidation(at, `offsets decrease at row ${i}: ${current} after ${previous}`);
    previous = current;
  }
  if (previous > limit) failValidation(at, `last offset ${previous} is past its ${limit} ${what}`);
  return [first, previous];
}

/** {@link checkOffsets} for 64-bit offsets, read as pairs of 32-bit words: exact below 2^53, far beyond any buffer. */
export function checkLargeOffsets(offsets: BigInt64Array | undefined, length: number, limit: number, at: string, what = "bytes of values"): [number, number] {
  const held = offsets?.length ?? 0;
  if (held < length + 1) failValidation(at, `offsets buffer holds ${held} of its ${length + 1} offsets ${SUSPECT_BUFFER}`);
  const words = wordsOf(offsets as BigInt64Array, length + 1);
  const first = words[1] * 4294967296 + (words[0] >>> 0);
  if (first < 0) failValidation(at, `offset of row 0 is negative (${first})`);
  let previous = first;
  for (let i = 1; i <= length; i++) {
    const current = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
    if (current < previous) failValidation(at, `offsets decrease at row ${i}: ${current} after ${previous}`);
    previous = current;
  }
  if (previous > limit) failValidation(at, `last offset ${previous} is past its ${limit} ${what}`);
  return [first, previous];
}

/**
 * The first of `length` values (checked offsets) that is not valid UTF-8, or -1. The bytes in `[first, last)` are
 * validated at once, then each value is checked to start on a character boundary: together, every value is valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array, offsets: Int32Array | BigInt64Array, length: number, [first, last]: [number, number]): number {
  const start = offsets instanceof BigInt64Array ? (i: number) => Number(offsets[i]) : (i: number) => offsets[i];
  if (isUtf8(bytes.subarray(first, last))) {
    let boundaries = true;
    if (offsets instanceof Int32Array) {
      for (let i = 1; i < length; i++) {
        const s = offsets[i];
        if (s < last && (bytes[s] & 0xc0) === 0x80) {
          boundaries = false;
          break;
        }
      }
    } else {
      for (let i = 1; i < length && boundaries; i++) {
        const s = start(i);
        boundaries = !(s < last && (bytes[s] & 0xc0) === 0x80);
      }
    }
    if (boundaries) return -1;
  }
  for (let i = 0; i < length; i++) {
    if (!isUtf8(bytes.subarray(start(i), start(i + 1)))) return i;
  }
  return -1;
}

/**
 * The first of `length` rows whose dictionary index is not in `[0, size)`, or -1. Rows for which `isNull` holds are
 * skipped (a null slot's index means nothing); without `isNull`, no row is null.
 */
export function checkIndices(indices: ArrayLike<number | bigint>, length: number, size: number, isNull?: (row: number) => boolean): number {
  if (indices instanceof BigInt64Array || indices instanceof BigUint64Array) {
    const words = wordsOf(indices, length);
    for (let i = 0; i < length; i++) {
      if ((words[2 * i + 1] !== 0 || words[2 * i] >>> 0 >= size) && !isNull?.(i)) return i;
    }
    return -1;
  }
  // The scan for a first index out of range runs without the null test, which costs more than the scan itself.
  const scan = indices instanceof Int32Array ? firstOutOfRangeInt32 : firstOutOfRange;
  for (let from = 0; ; from++) {
    from = scan(indices as Int32Array, from, length, size);
    if (from < 0 || isNull === undefined || !isNull(from)) return from;
  }
}

/** The common index type, in a loop of its own so that it stays monomorphic. */
function firstOutOfRangeInt32(indices: Int32Array, from: number, length: number, size: number): number {
  // `>>> 0` turns a negative index into one above any dictionary size.
  for (let i = from; i < length; i++) if (indices[i] >>> 0 >= size) return i;
  return -1;
}

function firstOutOfRange(indices: ArrayLike<number>, from: number, length: number, size: number): number {
  for (let i = from; i < length; i++) if (indices[i] >>> 0 >= size) return i;
  return -1;
}

function wordsOf(values: BigInt64Array | BigUint64Array, count: number): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, count * 2);
}
