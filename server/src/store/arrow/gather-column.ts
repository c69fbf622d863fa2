import { Data } from "apache-arrow";
import type { DataType, Dictionary } from "apache-arrow";
import { OupsError } from "../errors.js";
import { bitmapByteLength } from "./bitmap.js";
import { columnLayout } from "./column-layout.js";
import { DictionaryUnifier, checkDictionarySize, sharedDictionary } from "./dictionary-unifier.js";
import { type IndexArray, newIndexArray } from "./index-array.js";
import { toLargeOffsets, valueOffsetsOf } from "./value-offsets.js";

/** Row numbers or chunk numbers of a pick list. */
export type PickIndex = Uint8Array | Uint16Array | Uint32Array;

/** Output row `k` is row `rows[k]` of chunk `chunkIds[k]`. */
export interface ChunkPicks {
  readonly chunkIds: PickIndex;
  readonly rows: Uint32Array;
}

/** A validity bitmap with its null count; no bitmap when nothing is null. */
export interface Validity {
  readonly nullBitmap: Uint8Array | undefined;
  readonly nullCount: number;
}

type WordArray = Uint8Array | Uint16Array | Uint32Array;

/**
 * Builds one contiguous column of type `type` whose row `k` is row `picks.rows[k]` of
 * `chunks[picks.chunkIds[k]]`. The chunks must have types that `gatherableInto` accepts; dictionaries
 * that differ between chunks are unified into one, holding only the values the picked rows use.
 */
export function gatherColumn(name: string, type: DataType, chunks: readonly Data[], picks: ChunkPicks): Data {
  const layout = columnLayout(name, type);
  const length = picks.rows.length;
  if (layout.kind === "null") return new Data(type, 0, length, length);
  const validity = gatherValidity(chunks, picks);
  switch (layout.kind) {
    case "fixed":
      return gatherFixed(type, layout.byteWidth, chunks, picks, validity);
    case "bool":
      return gatherBool(type, chunks, picks, validity);
    case "binary":
      return gatherBinary(name, type, layout.large, chunks, picks, validity);
    case "dictionary":
      return gatherDictionary(name, type as Dictionary, layout.largeValues, chunks, picks, validity);
  }
}

/** The validity of the picked rows. */
export function gatherValidity(chunks: readonly Data[], picks: ChunkPicks): Validity {
  const bitmaps: (Uint8Array | null)[] = [];
  const bitOffsets: number[] = [];
  let anyNull = false;
  for (const chunk of chunks) {
    const hasNulls = chunk.nullCount > 0;
    anyNull ||= hasNulls;
    bitmaps.push(hasNulls ? (chunk.nullBitmap as Uint8Array) : null);
    bitOffsets.push(chunk.offset);
  }
  if (!anyNull) return { nullBitmap: undefined, nullCount: 0 };
  const { chunkIds, rows } = picks;
  const length = rows.length;
  const out = new Uint8Array(bitmapByteLength(length));
  let nullCount = 0;
  for (let k = 0; k < length; k++) {
    const c = chunkIds[k];
    const bitmap = bitmaps[c];
    if (bitmap !== null) {
      const bit = bitOffsets[c] + rows[k];
      if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) {
        nullCount++;
        continue;
      }
    }
    out[k >> 3] |= 1 << (k & 7);
  }
  return nullCount === 0 ? { nullBitmap: undefined, nullCount: 0 } : { nullBitmap: out, nullCount };
}

/**
 * The widest word (4, 2 or 1 bytes) that divides `byteWidth` and every chunk's buffer alignment, so that
 * values are copied as a few unboxed integers: a 64-bit value is two 32-bit words, never a BigInt.
 */
export function wordSizeFor(byteWidth: number, chunks: readonly Data[]): 1 | 2 | 4 {
  const alignedTo = (size: number) =>
    byteWidth % size === 0 && chunks.every((chunk) => (chunk.values as ArrayBufferView).byteOffset % size === 0);
  return alignedTo(4) ? 4 : alignedTo(2) ? 2 : 1;
}

/** A `wordSize`-byte integer view of `words` words of `buffer` from `byteOffset`. */
export function wordView(buffer: ArrayBufferLike, byteOffset: number, words: number, wordSize: 1 | 2 | 4): WordArray {
  return wordSize === 4
    ? new Uint32Array(buffer, byteOffset, words)
    : wordSize === 2
      ? new Uint16Array(buffer, byteOffset, words)
      : new Uint8Array(buffer, byteOffset, words);
}

function gatherFixed(
  type: DataType,
  byteWidth: number,
  chunks: readonly Data[],
  picks: ChunkPicks,
  validity: Validity,
): Data {
  const { chunkIds, rows } = picks;
  const length = rows.length;
  const wordSize = wordSizeFor(byteWidth, chunks);
  const perRow = byteWidth / wordSize;
  const buffer = new ArrayBuffer(length * byteWidth);
  const dst = wordView(buffer, 0, length * perRow, wordSize);
  const srcs = chunks.map((chunk) => {
    const values = chunk.values as ArrayBufferView;
    return wordView(values.buffer, values.byteOffset, chunk.length * perRow, wordSize);
  });
  if (srcs.length === 1) {
    copyWordsFromOne(dst, srcs[0], perRow, rows);
  } else if (perRow === 1) {
    for (let k = 0; k < length; k++) dst[k] = srcs[chunkIds[k]][rows[k]];
  } else if (perRow === 2) {
    for (let k = 0; k < length; k++) {
      const src = srcs[chunkIds[k]];
      const r = rows[k] << 1;
      dst[k << 1] = src[r];
      dst[(k << 1) + 1] = src[r + 1];
    }
  } else {
    for (let k = 0; k < length; k++) {
      const src = srcs[chunkIds[k]];
      const from = rows[k] * perRow;
      const to = k * perRow;
      for (let w = 0; w < perRow; w++) dst[to + w] = src[from + w];
    }
  }
  const ArrayType = type.ArrayType as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new Data(type, 0, length, validity.nullCount, [undefined, new ArrayType(buffer), validity.nullBitmap]);
}

function copyWordsFromOne(dst: WordArray, src: WordArray, perRow: number, rows: Uint32Array): void {
  const length = rows.length;
  if (perRow === 1) {
    for (let k = 0; k < length; k++) dst[k] = src[rows[k]];
  } else if (perRow === 2) {
    for (let k = 0; k < length; k++) {
      const r = rows[k] << 1;
      dst[k << 1] = src[r];
      dst[(k << 1) + 1] = src[r + 1];
    }
  } else {
    for (let k = 0; k < length; k++) {
      const from = rows[k] * perRow;
      const to = k * perRow;
      for (let w = 0; w < perRow; w++) dst[to + w] = src[from + w];
    }
  }
}

function gatherBool(type: DataType, chunks: readonly Data[], picks: ChunkPicks, validity: Validity): Data {
  const { chunkIds, rows } = picks;
  const length = rows.length;
  const srcs = chunks.map((chunk) => chunk.values as Uint8Array);
  const bitOffsets = chunks.map((chunk) => chunk.offset);
  const out = new Uint8Array(bitmapByteLength(length));
  for (let k = 0; k < length; k++) {
    const c = chunkIds[k];
    const bit = bitOffsets[c] + rows[k];
    if ((srcs[c][bit >> 3] & (1 << (bit & 7))) !== 0) out[k >> 3] |= 1 << (k & 7);
  }
  return new Data(type, 0, length, validity.nullCount, [undefined, out, validity.nullBitmap]);
}

/** Values at most this long are copied byte by byte: cheaper than creating a `subarray` for `set`. */
const SHORT_VALUE_BYTES = 32;

function gatherBinary(
  name: string,
  type: DataType,
  large: boolean,
  chunks: readonly Data[],
  picks: ChunkPicks,
  validity: Validity,
): Data {
  const { chunkIds, rows } = picks;
  const length = rows.length;
  const offsets = chunks.map(valueOffsetsOf);
  const srcs = chunks.map((chunk) => chunk.values as Uint8Array);
  let total = 0;
  for (let k = 0; k < length; k++) {
    const o = offsets[chunkIds[k]];
    const r = rows[k];
    total += o[r + 1] - o[r];
  }
  if (!large && total > 0x7fffffff) {
    throw new OupsError("TOO_LARGE", `column "${name}": ${total} bytes of values exceed what a ${String(type)} column holds`);
  }
  const bytes = new Uint8Array(total);
  const outOffsets = large ? new Float64Array(length + 1) : new Int32Array(length + 1);
  let position = 0;
  for (let k = 0; k < length; k++) {
    const c = chunkIds[k];
    const o = offsets[c];
    const r = rows[k];
    const start = o[r];
    const end = o[r + 1];
    if (end - start > SHORT_VALUE_BYTES) {
      bytes.set(srcs[c].subarray(start, end), position);
      position += end - start;
    } else {
      const src = srcs[c];
      for (let b = start; b < end; b++) bytes[position++] = src[b];
    }
    outOffsets[k + 1] = position;
  }
  const valueOffsets = outOffsets instanceof Float64Array ? toLargeOffsets(outOffsets) : outOffsets;
  return new Data(type, 0, length, validity.nullCount, [valueOffsets, bytes, validity.nullBitmap]);
}

function gatherDictionary(
  name: string,
  type: Dictionary,
  largeValues: boolean,
  chunks: readonly Data[],
  picks: ChunkPicks,
  validity: Validity,
): Data {
  const { chunkIds, rows } = picks;
  const length = rows.length;
  const out = newIndexArray(type.indices, length);
  const srcs = chunks.map((chunk) => chunk.values as IndexArray);
  const shared = sharedDictionary(chunks);
  if (shared !== undefined) {
    checkDictionarySize(name, type, shared.length);
    for (let k = 0; k < length; k++) out[k] = srcs[chunkIds[k]][rows[k]];
    return new Data(type, 0, length, validity.nullCount, [undefined, out, validity.nullBitmap], [], shared);
  }
  const unifier = new DictionaryUnifier(name, chunks);
  const bitmap = validity.nullBitmap;
  for (let k = 0; k < length; k++) {
    if (bitmap !== undefined && (bitmap[k >> 3] & (1 << (k & 7))) === 0) continue;
    const c = chunkIds[k];
    out[k] = unifier.id(c, srcs[c][rows[k]]);
  }
  const dictionary = unifier.dictionary(type, largeValues);
  return new Data(type, 0, length, validity.nullCount, [undefined, out, validity.nullBitmap], [], dictionary);
}
