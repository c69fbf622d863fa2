import { Data } from "apache-arrow";
import type { DataType, Dictionary } from "apache-arrow";
import { OupsError } from "../errors.js";
import { bitmapByteLength, copyBits, countSetBits, setBitRange } from "./bitmap.js";
import { columnLayout } from "./column-layout.js";
import { DictionaryUnifier, checkDictionarySize, sharedDictionary } from "./dictionary-unifier.js";
import type { Validity } from "./gather-column.js";
import { type IndexArray, newIndexArray } from "./index-array.js";
import type { PickRuns } from "./pick-runs.js";
import { toLargeOffsets, valueOffsetsOf } from "./value-offsets.js";

/**
 * Builds one contiguous column of type `type` and `length` rows from `runs` of rows of `chunks`, copying each
 * run's buffers whole. Same contract as `gatherColumn`, for picks made of long runs (and for
 * concatenations, one run per chunk).
 */
export function gatherColumnRuns(name: string, type: DataType, chunks: readonly Data[], runs: PickRuns, length: number): Data {
  const layout = columnLayout(name, type);
  if (layout.kind === "null") return new Data(type, 0, length, length);
  const validity = validityRuns(chunks, runs, length);
  switch (layout.kind) {
    case "fixed":
      return fixedRuns(type, layout.byteWidth, chunks, runs, length, validity);
    case "bool": {
      const bits = new Uint8Array(bitmapByteLength(length));
      for (let r = 0; r < runs.count; r++) {
        const chunk = chunks[runs.chunkIds[r]];
        copyBits(bits, runs.outStarts[r], chunk.values as Uint8Array, chunk.offset + runs.rows[r], runs.lengths[r]);
      }
      return new Data(type, 0, length, validity.nullCount, [undefined, bits, validity.nullBitmap]);
    }
    case "binary":
      return binaryRuns(name, type, layout.large, chunks, runs, length, validity);
    case "dictionary":
      return dictionaryRuns(name, type as Dictionary, layout.largeValues, chunks, runs, length, validity);
  }
}

function validityRuns(chunks: readonly Data[], runs: PickRuns, length: number): Validity {
  if (!chunks.some((chunk) => chunk.nullCount > 0)) return { nullBitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(bitmapByteLength(length));
  for (let r = 0; r < runs.count; r++) {
    const chunk = chunks[runs.chunkIds[r]];
    if (chunk.nullCount > 0) {
      copyBits(bitmap, runs.outStarts[r], chunk.nullBitmap as Uint8Array, chunk.offset + runs.rows[r], runs.lengths[r]);
    } else {
      setBitRange(bitmap, runs.outStarts[r], runs.lengths[r]);
    }
  }
  const nullCount = length - countSetBits(bitmap, length);
  return nullCount === 0 ? { nullBitmap: undefined, nullCount: 0 } : { nullBitmap: bitmap, nullCount };
}

function fixedRuns(
  type: DataType,
  byteWidth: number,
  chunks: readonly Data[],
  runs: PickRuns,
  length: number,
  validity: Validity,
): Data {
  const bytes = new Uint8Array(length * byteWidth);
  const srcs = chunks.map((chunk) => {
    const values = chunk.values as ArrayBufferView;
    return new Uint8Array(values.buffer, values.byteOffset, chunk.length * byteWidth);
  });
  for (let r = 0; r < runs.count; r++) {
    const from = runs.rows[r] * byteWidth;
    bytes.set(srcs[runs.chunkIds[r]].subarray(from, from + runs.lengths[r] * byteWidth), runs.outStarts[r] * byteWidth);
  }
  const ArrayType = type.ArrayType as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new Data(type, 0, length, validity.nullCount, [undefined, new ArrayType(bytes.buffer), validity.nullBitmap]);
}

function binaryRuns(
  name: string,
  type: DataType,
  large: boolean,
  chunks: readonly Data[],
  runs: PickRuns,
  length: number,
  validity: Validity,
): Data {
  const offsets = chunks.map(valueOffsetsOf);
  let total = 0;
  for (let r = 0; r < runs.count; r++) {
    const o = offsets[runs.chunkIds[r]];
    total += o[runs.rows[r] + runs.lengths[r]] - o[runs.rows[r]];
  }
  if (!large && total > 0x7fffffff) {
    throw new OupsError("TOO_LARGE", `column "${name}": ${total} bytes of values exceed what a ${String(type)} column holds`);
  }
  const bytes = new Uint8Array(total);
  const outOffsets = large ? new Float64Array(length + 1) : new Int32Array(length + 1);
  let position = 0;
  for (let r = 0; r < runs.count; r++) {
    const c = runs.chunkIds[r];
    const o = offsets[c];
    const row = runs.rows[r];
    const runLength = runs.lengths[r];
    const outStart = runs.outStarts[r];
    const start = o[row];
    const end = o[row + runLength];
    bytes.set((chunks[c].values as Uint8Array).subarray(start, end), position);
    const shift = position - start;
    for (let i = 1; i <= runLength; i++) outOffsets[outStart + i] = o[row + i] + shift;
    position += end - start;
  }
  const valueOffsets = outOffsets instanceof Float64Array ? toLargeOffsets(outOffsets) : outOffsets;
  return new Data(type, 0, length, validity.nullCount, [valueOffsets, bytes, validity.nullBitmap]);
}

function dictionaryRuns(
  name: string,
  type: Dictionary,
  largeValues: boolean,
  chunks: readonly Data[],
  runs: PickRuns,
  length: number,
  validity: Validity,
): Data {
  const out = newIndexArray(type.indices, length);
  const srcs = chunks.map((chunk) => chunk.values as IndexArray);
  const shared = sharedDictionary(chunks);
  if (shared !== undefined) {
    checkDictionarySize(name, type, shared.length);
    for (let r = 0; r < runs.count; r++) {
      const row = runs.rows[r];
      out.set(srcs[runs.chunkIds[r]].subarray(row, row + runs.lengths[r]), runs.outStarts[r]);
    }
    return new Data(type, 0, length, validity.nullCount, [undefined, out, validity.nullBitmap], [], shared);
  }
  const unifier = new DictionaryUnifier(name, chunks);
  const bitmap = validity.nullBitmap;
  for (let r = 0; r < runs.count; r++) {
    const c = runs.chunkIds[r];
    const src = srcs[c];
    const row = runs.rows[r];
    const outStart = runs.outStarts[r];
    for (let i = 0; i < runs.lengths[r]; i++) {
      const k = outStart + i;
      if (bitmap !== undefined && (bitmap[k >> 3] & (1 << (k & 7))) === 0) continue;
      out[k] = unifier.id(c, src[row + i]);
    }
  }
  const dictionary = unifier.dictionary(type, largeValues);
  return new Data(type, 0, length, validity.nullCount, [undefined, out, validity.nullBitmap], [], dictionary);
}
