import type { Data } from "apache-arrow";
import { isBitSet } from "./bitmap.js";
import { type ColumnLayout, columnLayout } from "./column-layout.js";
import { wordSizeFor, wordView } from "./gather-column.js";
import type { IndexArray } from "./index-array.js";
import { dictionaryStrings } from "./string-values.js";
import { valueOffsetsOf } from "./value-offsets.js";

/** Whether rows `i` and `j` of a column hold equal values. */
export type RowEquality = (i: number, j: number) => boolean;

/**
 * Equality of two rows of `data`, read straight from its buffers: null equals null, NaN equals NaN,
 * -0 equals 0 (as pandas compares), dictionary entries compare by value, not by index.
 */
export function rowEquality(name: string, data: Data): RowEquality {
  const layout = columnLayout(name, data.type);
  // A Null column has no validity bitmap: every row is null, so all rows are equal.
  if (layout.kind === "null") return () => true;
  if (layout.kind === "dictionary" && (data.dictionary?.nullCount ?? 0) > 0) return nullableDictionaryEquality(data);
  const equal = valueEquality(layout, data);
  if (data.nullCount <= 0) return equal;
  const bitmap = data.nullBitmap as Uint8Array;
  const offset = data.offset;
  return (i, j) => {
    const valid = isBitSet(bitmap, offset + i);
    return valid === isBitSet(bitmap, offset + j) && (!valid || equal(i, j));
  };
}

function valueEquality(layout: ColumnLayout, data: Data): RowEquality {
  switch (layout.kind) {
    case "null":
      return () => true;
    case "bool": {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return (i, j) => isBitSet(bits, offset + i) === isBitSet(bits, offset + j);
    }
    case "fixed": {
      if (layout.isFloat) {
        const values = data.values as Float32Array | Float64Array;
        return (i, j) => {
          const x = values[i];
          const y = values[j];
          return x === y || (x !== x && y !== y);
        };
      }
      const wordSize = wordSizeFor(layout.byteWidth, [data]);
      const perRow = layout.byteWidth / wordSize;
      const values = data.values as ArrayBufferView;
      const words = wordView(values.buffer, values.byteOffset, data.length * perRow, wordSize);
      if (perRow === 1) return (i, j) => words[i] === words[j];
      if (perRow === 2) return (i, j) => words[2 * i] === words[2 * j] && words[2 * i + 1] === words[2 * j + 1];
      return (i, j) => {
        for (let w = 0; w < perRow; w++) if (words[i * perRow + w] !== words[j * perRow + w]) return false;
        return true;
      };
    }
    case "binary": {
      const offsets = valueOffsetsOf(data);
      const bytes = data.values as Uint8Array;
      return (i, j) => {
        const a = offsets[i];
        const b = offsets[j];
        const length = offsets[i + 1] - a;
        if (offsets[j + 1] - b !== length) return false;
        for (let n = 0; n < length; n++) if (bytes[a + n] !== bytes[b + n]) return false;
        return true;
      };
    }
    case "dictionary": {
      const indices = data.values as IndexArray;
      let canonical: Int32Array | undefined;
      return (i, j) => {
        const x = indices[i];
        const y = indices[j];
        if (x === y) return true;
        canonical ??= canonicalIndices(dictionaryStrings(data.dictionary));
        return canonical[x] === canonical[y];
      };
    }
  }
}

/**
 * One integer per row of `data` such that two rows hold equal values exactly when their codes are equal, for
 * the columns where that costs one pass: dictionaries (canonical entry, -1 for null) and integers of at most 32
 * bits without nulls. Undefined for other columns.
 */
export function rowCodes(name: string, data: Data): Int32Array | undefined {
  const layout = columnLayout(name, data.type);
  if (layout.kind === "dictionary") {
    const canonical = canonicalIndices(dictionaryStrings(data.dictionary));
    const indices = data.values as IndexArray;
    const bitmap = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : undefined;
    const codes = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      codes[i] = bitmap === undefined || isBitSet(bitmap, data.offset + i) ? canonical[indices[i]!]! : -1;
    }
    return codes;
  }
  const values = data.values as ArrayBufferView;
  if (layout.kind === "fixed" && !layout.isFloat && data.nullCount <= 0 && layout.byteWidth <= 4) {
    // Signed and unsigned 32-bit values alike: equality only needs the bits.
    const bits = values as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
    return bits instanceof Int32Array ? bits : Int32Array.from(bits);
  }
  return undefined;
}

/** Equality of rows of a dictionary column whose dictionary holds nulls: a row pointing to one is null. */
function nullableDictionaryEquality(data: Data): RowEquality {
  const indices = data.values as IndexArray;
  const canonical = canonicalIndices(dictionaryStrings(data.dictionary));
  const bitmap = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : undefined;
  const offset = data.offset;
  const valueOf = (i: number) => (bitmap === undefined || isBitSet(bitmap, offset + i) ? canonical[indices[i]] : -1);
  return (i, j) => valueOf(i) === valueOf(j);
}

/**
 * For each dictionary entry, the first entry with the same value (so equal values share one number), or -1
 * for a null entry.
 */
function canonicalIndices(values: readonly (string | null)[]): Int32Array {
  const first = new Map<string, number>();
  return Int32Array.from(values, (value, i) => {
    if (value === null) return -1;
    const seen = first.get(value);
    if (seen !== undefined) return seen;
    first.set(value, i);
    return i;
  });
}
