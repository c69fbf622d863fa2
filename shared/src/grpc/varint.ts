/**
 * Protobuf base-128 varints for the hand-framed messages of the hot paths (Write chunks, ListKeys pages), which
 * write their field headers straight into buffers instead of building messages.
 * @module
 */

/** Bytes the varint of `value` (a non-negative safe integer) takes. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Writes the varint of `value` into `out` at `at`; returns the position after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  let position = at;
  let v = value;
  // Division rather than shifts: values may exceed 2^31.
  while (v >= 0x80) {
    out[position++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[position++] = v;
  return position;
}
