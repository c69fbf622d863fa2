import type { Data } from "apache-arrow";

const TWO_POW_32 = 4294967296;

/**
 * The `length + 1` value offsets of a variable-width column chunk as plain numbers: the `Int32Array` itself for
 * Utf8/Binary, a `Float64Array` copy for the large types (read through 32-bit words, not one BigInt per row).
 */
export function valueOffsetsOf(data: Data): Int32Array | Float64Array {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  if (offsets instanceof Int32Array) return offsets;
  const count = data.length + 1;
  const words = new Int32Array(offsets.buffer, offsets.byteOffset, count * 2);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (words[2 * i] >>> 0) + words[2 * i + 1] * TWO_POW_32;
  return out;
}

/** `BigInt64Array` large-type offsets holding the numbers of `offsets`, written word by word. */
export function toLargeOffsets(offsets: Float64Array): BigInt64Array {
  const out = new BigInt64Array(offsets.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < offsets.length; i++) {
    const v = offsets[i];
    words[2 * i] = v % TWO_POW_32;
    words[2 * i + 1] = Math.floor(v / TWO_POW_32);
  }
  return out;
}
