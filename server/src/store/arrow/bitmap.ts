/** Bytes of a validity bitmap for `length` rows, padded to 8 bytes as Arrow buffers are. */
export function bitmapByteLength(length: number): number {
  return ((length + 63) & ~63) >> 3;
}

/** True when bit `index` of `bitmap` is set. */
export function isBitSet(bitmap: Uint8Array, index: number): boolean {
  return (bitmap[index >> 3] & (1 << (index & 7))) !== 0;
}

/** Sets bits `[offset, offset + length)` of `bitmap` to 1. */
export function setBitRange(bitmap: Uint8Array, offset: number, length: number): void {
  let i = offset;
  const end = offset + length;
  for (; i < end && (i & 7) !== 0; i++) bitmap[i >> 3] |= 1 << (i & 7);
  const fullEnd = end & ~7;
  if (i < fullEnd) {
    bitmap.fill(0xff, i >> 3, fullEnd >> 3);
    i = fullEnd;
  }
  for (; i < end; i++) bitmap[i >> 3] |= 1 << (i & 7);
}

/**
 * Copies `length` bits from `src` at bit `srcOffset` to `dst` at bit `dstOffset`. The destination range must
 * still be all zeros (it is filled by OR for its unaligned edges).
 */
export function copyBits(dst: Uint8Array, dstOffset: number, src: Uint8Array, srcOffset: number, length: number): void {
  let i = 0;
  for (; i < length && ((dstOffset + i) & 7) !== 0; i++) {
    if (isBitSet(src, srcOffset + i)) dst[(dstOffset + i) >> 3] |= 1 << ((dstOffset + i) & 7);
  }
  const fullBytes = (length - i) >> 3;
  const d = (dstOffset + i) >> 3;
  const s = (srcOffset + i) >> 3;
  const shift = (srcOffset + i) & 7;
  if (shift === 0) {
    dst.set(src.subarray(s, s + fullBytes), d);
  } else {
    const back = 8 - shift;
    for (let b = 0; b < fullBytes; b++) {
      dst[d + b] = ((src[s + b] >> shift) | (src[s + b + 1] << back)) & 0xff;
    }
  }
  i += fullBytes << 3;
  for (; i < length; i++) {
    if (isBitSet(src, srcOffset + i)) dst[(dstOffset + i) >> 3] |= 1 << ((dstOffset + i) & 7);
  }
}

/** Number of set bits among the first `length` bits of `bitmap`. */
export function countSetBits(bitmap: Uint8Array, length: number): number {
  let count = 0;
  const fullBytes = length >> 3;
  for (let b = 0; b < fullBytes; b++) {
    let x = bitmap[b];
    x = x - ((x >> 1) & 0x55);
    x = (x & 0x33) + ((x >> 2) & 0x33);
    count += (x + (x >> 4)) & 0x0f;
  }
  for (let i = fullBytes << 3; i < length; i++) if (isBitSet(bitmap, i)) count++;
  return count;
}

/** Number of set bits among bits `[offset, offset + length)` of `bitmap`. */
export function countSetBitRange(bitmap: Uint8Array, offset: number, length: number): number {
  let i = offset;
  const end = offset + length;
  let count = 0;
  for (; i < end && (i & 7) !== 0; i++) if (isBitSet(bitmap, i)) count++;
  const fullEnd = i + ((end - i) & ~7);
  for (let b = i >> 3, last = fullEnd >> 3; b < last; b++) {
    let x = bitmap[b];
    x = x - ((x >> 1) & 0x55);
    x = (x & 0x33) + ((x >> 2) & 0x33);
    count += (x + (x >> 4)) & 0x0f;
  }
  for (i = Math.max(i, fullEnd); i < end; i++) if (isBitSet(bitmap, i)) count++;
  return count;
}
