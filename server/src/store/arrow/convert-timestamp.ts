import { makeData } from "apache-arrow";
import type { Data, Timestamp } from "apache-arrow";
import { OupsError } from "../errors.js";
import { isBitSet } from "./bitmap.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Timestamp column `data` in the finer unit of `target` (its values times `factor`, 1000 per step from s to ns), or
 * `INVALID_ARGUMENT` naming the column and row (`firstRow` is the number of the chunk's first row, from 1) of the
 * first value that the finer unit cannot hold in 64 bits. Null rows keep whatever they hold, scaled or zeroed.
 */
export function convertTimestampUnit(data: Data<Timestamp>, target: Timestamp, factor: bigint, column: string, firstRow: number): Data<Timestamp> {
  const source = data.values as unknown as BigInt64Array;
  const out = new BigInt64Array(data.length);
  const low = INT64_MIN / factor;
  const high = INT64_MAX / factor;
  const bitmap = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : undefined;
  for (let i = 0; i < data.length; i++) {
    const value = source[i];
    if (value < low || value > high) {
      if (bitmap !== undefined && !isBitSet(bitmap, data.offset + i)) continue;
      throw new OupsError(
        "INVALID_ARGUMENT",
        `column "${column}", row ${firstRow + i}: ${value} in ${String(data.type)} does not fit the dataset's ${String(target)} (64-bit values)`,
      );
    }
    out[i] = value * factor;
  }
  const validity = bitmap === undefined ? { nullCount: 0 } : { nullCount: data.nullCount, nullBitmap: copyValidity(bitmap, data.offset, data.length) };
  return makeData({ type: target, length: data.length, ...validity, data: out as unknown as Int32Array });
}

/** The validity bits of rows `[offset, offset + length)` of `bitmap`, from bit 0. */
function copyValidity(bitmap: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (isBitSet(bitmap, offset + i)) out[i >> 3] |= 1 << (i & 7);
  return out;
}
