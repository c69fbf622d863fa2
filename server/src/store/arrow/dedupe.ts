import { Buffer } from "node:buffer";
import type { Data, RecordBatch } from "apache-arrow";
import { OupsError } from "../errors.js";
import { isBitSet } from "./bitmap.js";
import { columnLayout } from "./column-layout.js";
import { gather } from "./gather.js";
import type { IndexArray } from "./index-array.js";
import { orderedColumn } from "./ordered-column.js";
import { dictionaryStrings } from "./string-values.js";
import { valueOffsetsOf } from "./value-offsets.js";

/** The key part of a null value; no other part is this string. */
const NULL_PART = "\u0000";

/**
 * Drops rows of `batch` (sorted on `orderedOn`) that equal a later row on `orderedOn` and `columns` (every
 * column for "all"), keeping the last of each set of duplicates at its own position, as pandas'
 * `drop_duplicates(keep="last")`. Null equals null, NaN equals NaN and -0 equals 0. Returns `batch` itself
 * when nothing is dropped.
 */
export function dropDuplicatesKeepLast(
  batch: RecordBatch,
  columns: readonly string[] | "all",
  orderedOn: string,
): RecordBatch {
  const length = batch.numRows;
  const names = columns === "all" ? batch.schema.fields.map((field) => field.name) : columns;
  const others = [...new Set(names)].filter((name) => name !== orderedOn);
  const readers = others.map((name) => {
    const index = batch.schema.fields.findIndex((field) => field.name === name);
    if (index < 0) throw new OupsError("INVALID_ARGUMENT", `duplicate key column "${name}" not found`);
    return keyReader(name, batch.data.children[index] as Data);
  });
  const ordered = orderedColumn(batch, orderedOn).values;
  if (length < 2) return batch;

  // Rows with different ordered values are never duplicates, so only runs of equal values need keys.
  const kept = new Uint32Array(length);
  let keptCount = 0;
  let start = 0;
  while (start < length) {
    const value = ordered[start];
    let end = start + 1;
    while (end < length && ordered[end] === value) end++;
    if (end - start === 1) kept[keptCount++] = start;
    else if (readers.length === 0) kept[keptCount++] = end - 1;
    else keptCount = keepLastInRun(readers, start, end, kept, keptCount);
    start = end;
  }
  if (keptCount === length) return batch;
  return gather([batch], { source: new Uint8Array(keptCount), row: kept.subarray(0, keptCount) }, batch.schema);
}

function keepLastInRun(
  readers: readonly ((row: number) => string)[],
  start: number,
  end: number,
  kept: Uint32Array,
  keptCount: number,
): number {
  const keys = new Array<string>(end - start);
  const lastRowOfKey = new Map<string, number>();
  for (let row = start; row < end; row++) {
    const key = readers.length === 1 ? readers[0](row) : readers.map((read) => read(row)).join("|");
    keys[row - start] = key;
    lastRowOfKey.set(key, row);
  }
  let count = keptCount;
  for (let row = start; row < end; row++) {
    if (lastRowOfKey.get(keys[row - start]) === row) kept[count++] = row;
  }
  return count;
}

/**
 * A function giving the key part of a row of `data`: equal values give equal parts, different values
 * different parts. Text and bytes are length-prefixed, so parts joined with "|" stay unambiguous.
 */
function keyReader(name: string, data: Data): (row: number) => string {
  const layout = columnLayout(name, data.type);
  const read = valueReader(layout, data);
  if (data.nullCount <= 0) return read;
  const bitmap = data.nullBitmap as Uint8Array;
  const offset = data.offset;
  return (row) => (isBitSet(bitmap, offset + row) ? read(row) : NULL_PART);
}

function valueReader(layout: ReturnType<typeof columnLayout>, data: Data): (row: number) => string {
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
      return (row) => bytes.toString("latin1", row * width, (row + 1) * width);
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
