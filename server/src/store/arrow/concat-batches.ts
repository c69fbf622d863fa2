import { Data } from "apache-arrow";
import type { DataType, Dictionary, RecordBatch, Schema } from "apache-arrow";
import { OupsError } from "../errors.js";
import { bitmapByteLength, copyBits, setBitRange } from "./bitmap.js";
import { columnLayout } from "./column-layout.js";
import { type ChunkPicks, type Validity, gatherColumn } from "./gather-column.js";
import { type IndexArray, maxIndexOf, newIndexArray } from "./index-array.js";
import { fieldChunks, makeBatch } from "./make-batch.js";
import { sameType } from "./same-type.js";
import { toLargeOffsets, valueOffsetsOf } from "./value-offsets.js";

/**
 * Concatenates `batches` into one record batch of `schema` with contiguous buffers, copying buffers whole
 * rather than row by row. Columns are matched by name, so the batches may order them differently; dictionaries
 * that differ between batches are unified. A single batch is returned without copying.
 */
export function concatBatches(batches: readonly RecordBatch[], schema: Schema): RecordBatch {
  const length = batches.reduce((total, batch) => total + batch.numRows, 0);
  const sourceOf = (i: number) => `batch ${i}`;
  const children = schema.fields.map((field) => {
    const chunks = fieldChunks(batches, field, sourceOf);
    const [first] = chunks;
    if (chunks.length === 1 && sameType(first.type, field.type)) {
      return first.type === field.type ? first : first.clone(field.type);
    }
    return concatColumn(field.name, field.type, chunks, length);
  });
  return makeBatch(schema, length, children);
}

/** One contiguous column of type `type` holding the rows of `chunks` in order (`length` rows in all). */
function concatColumn(name: string, type: DataType, chunks: readonly Data[], length: number): Data {
  const layout = columnLayout(name, type);
  if (layout.kind === "null") return new Data(type, 0, length, length);
  const validity = concatValidity(chunks, length);
  switch (layout.kind) {
    case "fixed": {
      const bytes = new Uint8Array(length * layout.byteWidth);
      let position = 0;
      for (const chunk of chunks) {
        const values = chunk.values as ArrayBufferView;
        const size = chunk.length * layout.byteWidth;
        bytes.set(new Uint8Array(values.buffer, values.byteOffset, size), position);
        position += size;
      }
      const ArrayType = type.ArrayType as new (buffer: ArrayBuffer) => ArrayBufferView;
      return new Data(type, 0, length, validity.nullCount, [undefined, new ArrayType(bytes.buffer), validity.nullBitmap]);
    }
    case "bool": {
      const bits = new Uint8Array(bitmapByteLength(length));
      let position = 0;
      for (const chunk of chunks) {
        copyBits(bits, position, chunk.values as Uint8Array, chunk.offset, chunk.length);
        position += chunk.length;
      }
      return new Data(type, 0, length, validity.nullCount, [undefined, bits, validity.nullBitmap]);
    }
    case "binary":
      return concatBinary(name, type, layout.large, chunks, length, validity);
    case "dictionary":
      return concatDictionary(name, type as Dictionary, chunks, length, validity);
  }
}

function concatValidity(chunks: readonly Data[], length: number): Validity {
  const nullCount = chunks.reduce((total, chunk) => total + Math.max(chunk.nullCount, 0), 0);
  if (nullCount === 0) return { nullBitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(bitmapByteLength(length));
  let position = 0;
  for (const chunk of chunks) {
    if (chunk.nullCount > 0) copyBits(bitmap, position, chunk.nullBitmap as Uint8Array, chunk.offset, chunk.length);
    else setBitRange(bitmap, position, chunk.length);
    position += chunk.length;
  }
  return { nullBitmap: bitmap, nullCount };
}

function concatBinary(
  name: string,
  type: DataType,
  large: boolean,
  chunks: readonly Data[],
  length: number,
  validity: Validity,
): Data {
  const offsets = chunks.map(valueOffsetsOf);
  const total = chunks.reduce((sum, chunk, i) => sum + offsets[i][chunk.length] - offsets[i][0], 0);
  if (!large && total > 0x7fffffff) {
    throw new OupsError("TOO_LARGE", `column "${name}": ${total} bytes of values exceed what a ${String(type)} column holds`);
  }
  const bytes = new Uint8Array(total);
  const outOffsets = large ? new Float64Array(length + 1) : new Int32Array(length + 1);
  let row = 0;
  let position = 0;
  chunks.forEach((chunk, i) => {
    const o = offsets[i];
    const start = o[0];
    const end = o[chunk.length];
    bytes.set((chunk.values as Uint8Array).subarray(start, end), position);
    const shift = position - start;
    for (let r = 1; r <= chunk.length; r++) outOffsets[row + r] = o[r] + shift;
    row += chunk.length;
    position += end - start;
  });
  const valueOffsets = outOffsets instanceof Float64Array ? toLargeOffsets(outOffsets) : outOffsets;
  return new Data(type, 0, length, validity.nullCount, [valueOffsets, bytes, validity.nullBitmap]);
}

function concatDictionary(name: string, type: Dictionary, chunks: readonly Data[], length: number, validity: Validity): Data {
  const shared = chunks[0]?.dictionary;
  if (
    shared === undefined ||
    !chunks.every((chunk) => chunk.dictionary === shared) ||
    shared.length - 1 > maxIndexOf(type.indices)
  ) {
    return gatherColumn(name, type, chunks, sequentialPicks(chunks, length));
  }
  const indices = newIndexArray(type.indices, length);
  let position = 0;
  for (const chunk of chunks) {
    indices.set((chunk.values as IndexArray).subarray(0, chunk.length), position);
    position += chunk.length;
  }
  return new Data(type, 0, length, validity.nullCount, [undefined, indices, validity.nullBitmap], [], shared);
}

/** Picks of every row of `chunks` in order. */
function sequentialPicks(chunks: readonly Data[], length: number): ChunkPicks {
  const chunkIds = new Uint32Array(length);
  const rows = new Uint32Array(length);
  let k = 0;
  chunks.forEach((chunk, c) => {
    chunkIds.fill(c, k, k + chunk.length);
    for (let r = 0; r < chunk.length; r++) rows[k++] = r;
  });
  return { chunkIds, rows };
}
