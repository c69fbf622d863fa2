import { Buffer } from "node:buffer";
import type { Data } from "apache-arrow";
import { isBitSet } from "./bitmap.js";
import { type ColumnLayout, columnLayout } from "./column-layout.js";
import type { IndexArray } from "./index-array.js";
import { dictionaryStrings } from "./string-values.js";
import { valueOffsetsOf } from "./value-offsets.js";

/** The key part of a null value; no other part is this string. */
const NULL_PART = "\u0000";

/**
 * A function giving the key part of a row of `data`: equal values give equal parts, different values
 * different parts. Text and bytes are length-prefixed, so parts joined with "|" stay unambiguous.
 */
export function keyReader(name: string, data: Data): (row: number) => string {
  const layout = columnLayout(name, data.type);
  const read = valueReader(layout, data);
  // A Null column has no validity bitmap: every row reads as null.
  if (layout.kind === "null" || data.nullCount <= 0) return read;
  const bitmap = data.nullBitmap as Uint8Array;
  const offset = data.offset;
  return (row) => (isBitSet(bitmap, offset + row) ? read(row) : NULL_PART);
}

function valueReader(layout: ColumnLayout, data: Data): (row: number) => string {
  switch (layout.kind) {
    case "null":
      return () => NULL_PART;
    case "bool": {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return (row) => (isBitSet(bits, offset + row) ? "1" : "0");
    }
    case "fixed": {
      const values = data.values as ArrayBufferView & ArrayLike<number | bigint>;
      if (layout.isFloat) {
        // String(-0) is "0" and every NaN reads "NaN", so both compare as pandas compares them.
        return (row) => String(values[row]);
      }
      if (data.stride === 1) return (row) => String(values[row]);
      const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
      const width = layout.byteWidth;
      return (row) => `${width}:${bytes.toString("latin1", row * width, (row + 1) * width)}`;
    }
    case "binary": {
      const offsets = valueOffsetsOf(data);
      const values = data.values as Uint8Array;
      const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
      // Latin-1 maps bytes one to one, so distinct byte strings never decode to the same key.
      return (row) => {
        const part = bytes.toString("latin1", offsets[row], offsets[row + 1]);
        return `${part.length}:${part}`;
      };
    }
    case "dictionary": {
      const indices = data.values as IndexArray;
      let strings: (string | null)[] | undefined;
      return (row) => {
        strings ??= dictionaryStrings(data.dictionary);
        const value = strings[indices[row]];
        return value === null || value === undefined ? NULL_PART : `${value.length}:${value}`;
      };
    }
  }
}
