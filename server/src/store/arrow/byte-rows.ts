import type { Data } from "apache-arrow";
import { DataType, Type } from "apache-arrow";
import { isBitSet } from "./bitmap.js";
import type { IndexArray } from "./index-array.js";

/** The bytes of row `i` of a text or binary column (a view into its buffers), or `null` for a null row. */
export type ByteRows = (i: number) => Uint8Array | null;

/** Bytes a view holds inline: shorter values sit in the view itself. */
export const VIEW_INLINE_BYTES = 12;
/** Bytes of one view: length, then the inline bytes or a prefix, a buffer index and an offset. */
export const VIEW_BYTES = 16;

/**
 * The rows of a validated column of a string or binary logical type (see `logicalTypeOf`): offsets (Utf8, Binary and
 * their large forms), views (Utf8View, BinaryView) or a dictionary of any of these. Rows are counted from the
 * chunk's start.
 */
export function byteRows(data: Data): ByteRows {
  const valid = validity(data);
  const rows = valueRows(data);
  return valid === undefined ? rows : (i) => (valid(i) ? rows(i) : null);
}

function valueRows(data: Data): ByteRows {
  switch (data.type.typeId) {
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const bytes = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      if (offsets instanceof BigInt64Array) return (i) => bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]));
      return (i) => bytes.subarray(offsets[i], offsets[i + 1]);
    }
    case Type.Utf8View:
    case Type.BinaryView: {
      const views = data.values as Uint8Array;
      const words = new DataView(views.buffer, views.byteOffset, views.byteLength);
      const buffers = (data as Data & { variadicBuffers?: readonly Uint8Array[] }).variadicBuffers ?? [];
      // apache-arrow slices the views buffer with the chunk (its offset only applies to the validity bitmap).
      return (i) => {
        const at = i * VIEW_BYTES;
        const length = words.getInt32(at, true);
        if (length <= VIEW_INLINE_BYTES) return views.subarray(at + 4, at + 4 + length);
        const start = words.getInt32(at + 12, true);
        return buffers[words.getInt32(at + 8, true)].subarray(start, start + length);
      };
    }
    case Type.Dictionary: {
      if (!DataType.isDictionary(data.type) || data.dictionary === undefined) break;
      // Dictionary chunks (delta dictionaries) are numbered on from one another.
      const chunks = data.dictionary.data as Data[];
      const entries: (Uint8Array | null)[] = [];
      for (const chunk of chunks) {
        const rows = byteRows(chunk);
        for (let i = 0; i < chunk.length; i++) entries.push(rows(i));
      }
      const indices = data.values as IndexArray | BigInt64Array | BigUint64Array;
      if (indices instanceof BigInt64Array || indices instanceof BigUint64Array) return (i) => entries[Number(indices[i])];
      return (i) => entries[indices[i]];
    }
  }
  throw new Error(`not a text or binary column: ${String(data.type)}`);
}

function validity(data: Data): ((i: number) => boolean) | undefined {
  if (data.nullCount <= 0) return undefined;
  const bitmap = data.nullBitmap as Uint8Array;
  const offset = data.offset;
  return (i) => isBitSet(bitmap, offset + i);
}
