import { Buffer } from "node:buffer";
import { DataType, Type, makeData, makeVector } from "apache-arrow";
import type { Data, Dictionary, Utf8 } from "apache-arrow";
import { OupsError } from "../errors.js";
import { bitmapByteLength } from "./bitmap.js";
import { byteRows } from "./byte-rows.js";
import { maxIndexOf, newIndexArray } from "./index-array.js";

const MAX_INT32 = 0x7fff_ffff;

/**
 * Column `data` of a string or binary logical type re-encoded as `target`, a type a dataset keeps for it: Utf8,
 * LargeUtf8, Binary, LargeBinary, or a dictionary of Utf8 or LargeUtf8 values with indices of 32 bits at most.
 * Values and nulls are kept (a null dictionary entry is a null row). `column` names the column in errors:
 * `TOO_LARGE` when the values outgrow the target (2 GiB of bytes in 32-bit offsets, more distinct values than its
 * dictionary indices hold).
 */
export function convertText(data: Data, target: DataType, column: string): Data {
  const { length } = data;
  const rows = byteRows(data);
  const nullBitmap = new Uint8Array(bitmapByteLength(length));
  let nullCount = 0;
  const values: (Uint8Array | null)[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const value = rows(i);
    values[i] = value;
    if (value === null) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  const validity = nullCount > 0 ? { nullCount, nullBitmap } : { nullCount: 0 };
  if (DataType.isDictionary(target)) return dictionaryOf(values, target, validity, column);
  const large = target.typeId === Type.LargeUtf8 || target.typeId === Type.LargeBinary;
  const { offsets, bytes } = concatenate(values, large, target, column);
  // Typed as Utf8 for makeData's overloads; the large and binary forms take the same props.
  return makeData({ type: target as Utf8, length, ...validity, valueOffsets: offsets as Int32Array, data: bytes });
}

function dictionaryOf(
  values: readonly (Uint8Array | null)[],
  target: Dictionary,
  validity: { nullCount: number; nullBitmap?: Uint8Array },
  column: string,
): Data {
  const indices = newIndexArray(target.indices, values.length);
  const limit = maxIndexOf(target.indices);
  // Keyed by the bytes read as latin1: one character per byte, so equal keys are equal bytes.
  const seen = new Map<string, number>();
  const entries: Uint8Array[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) continue;
    const key = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
    let index = seen.get(key);
    if (index === undefined) {
      index = entries.length;
      if (index > limit) {
        throw new OupsError("TOO_LARGE", `column "${column}": more than ${limit + 1} distinct values, which its dictionary indices (${String(target.indices)}) cannot hold`);
      }
      seen.set(key, index);
      entries.push(value);
    }
    indices[i] = index;
  }
  const valueType = target.dictionary;
  const { offsets, bytes } = concatenate(entries, valueType.typeId === Type.LargeUtf8, valueType, column);
  const dictionary = makeVector(makeData({ type: valueType as Utf8, length: entries.length, nullCount: 0, valueOffsets: offsets as Int32Array, data: bytes }));
  return makeData({ type: target, length: values.length, ...validity, data: indices, dictionary });
}

function concatenate(values: readonly (Uint8Array | null)[], large: boolean, type: DataType, column: string): { offsets: Int32Array | BigInt64Array; bytes: Uint8Array } {
  let total = 0;
  for (const value of values) total += value?.byteLength ?? 0;
  if (!large && total > MAX_INT32) {
    throw new OupsError("TOO_LARGE", `column "${column}": ${total} bytes of values, more than the 2 GiB a ${String(type)} column holds`);
  }
  const bytes = new Uint8Array(total);
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null) {
      bytes.set(value, position);
      position += value.byteLength;
    }
    if (offsets instanceof BigInt64Array) offsets[i + 1] = BigInt(position);
    else offsets[i + 1] = position;
  }
  return { offsets, bytes };
}
