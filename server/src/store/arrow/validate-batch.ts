import { Type } from "apache-arrow";
import type { Data, DataType, Dictionary, Field, FixedSizeList, RecordBatch, Schema } from "apache-arrow";
import { OupsError } from "../errors.js";
import { countSetBitRange, isBitSet } from "./bitmap.js";
import { isUtf8 } from "node:buffer";
import { VIEW_BYTES, VIEW_INLINE_BYTES } from "./byte-rows.js";
import { sameType } from "./same-type.js";
import { schemaDifferences } from "./schema-diff.js";
import { checkBytes, checkIndices, checkLargeOffsets, checkOffsets, failValidation, firstInvalidUtf8 } from "./validate-buffers.js";

/**
 * Checks that batch `index` of a write holds what its column types and lengths require, down to nested children and
 * dictionaries (Arrow C++'s `ValidateFull`, for the types `validateSchema` accepts), and, given `expected`, that it
 * has the stream's columns; throws `INVALID_ARGUMENT` naming the batch and column otherwise. The IPC reader trusts a message's header: a row count larger than the body
 * holds gives columns whose buffers are too short, a buffer region past the body is silently cut to what is there,
 * a record batch for a dictionary never sent has no dictionary. Each would commit rows that were never sent, or lose
 * rows that were. Fixed-width columns cost a length check; offsets, dictionary indices, UTF-8 and counted null
 * bitmaps cost one pass over their rows.
 */
export function validateBatch(batch: RecordBatch, index: number, expected?: Schema): void {
  if (expected !== undefined && batch.schema !== expected) checkColumns(batch.schema, expected, index);
  const fields = batch.schema.fields;
  const columns = batch.data.children;
  if (columns.length !== fields.length) {
    throw new OupsError("INVALID_ARGUMENT", `batch ${index} has ${columns.length} columns, its schema ${fields.length}`);
  }
  for (let i = 0; i < fields.length; i++) {
    const column = columns[i] as Data;
    const at: Place = { batch: index, path: fields[i].name };
    if (column.length !== batch.numRows) fail(at, `${column.length} rows, but the batch has ${batch.numRows}`);
    checkData(column, at);
  }
}

/**
 * The batch has the stream's columns: a reader that meets a second schema carries on with it, and the batches after it
 * would reach a dataset of the first. Nullability may differ (the reader relaxes it when it pads a column).
 */
function checkColumns(actual: Schema, expected: Schema, index: number): void {
  const same =
    actual.fields.length === expected.fields.length &&
    actual.fields.every((field, i) => field.name === expected.fields[i].name && sameType(field.type, expected.fields[i].type));
  if (!same) {
    throw new OupsError("INVALID_ARGUMENT", `batch ${index} does not have the stream's columns: ${schemaDifferences(expected, actual).join("; ")}`);
  }
}

/** Where a check is: the batch, and the column path (`parent.child` for nested fields). */
interface Place {
  batch: number;
  path: string;
  /** Set inside a column's dictionary. */
  dictionary?: boolean;
}

function describe(at: Place): string {
  return `batch ${at.batch}, column "${at.path}"${at.dictionary ? " (dictionary)" : ""}`;
}

function inside(at: Place, child: string): Place {
  return { ...at, path: `${at.path}.${child}` };
}

function fail(at: Place, problem: string): never {
  failValidation(describe(at), problem);
}

/** Dictionaries already checked: the reader hands the same dictionary to every batch until a new one arrives. */
const checkedDictionaries = new WeakSet<Data>();

function checkData(data: Data, at: Place): void {
  const { type, length } = data;
  if (!Number.isSafeInteger(length) || length < 0) fail(at, `invalid length ${length}`);
  if (type.typeId === Type.Null) return;
  checkValidity(data, at);
  switch (type.typeId) {
    case Type.Bool:
      return checkBytes(data.values as Uint8Array | undefined, (data.offset + length + 7) >> 3, describe(at), "values");
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
      return checkFixed(data, at);
    case Type.Utf8:
    case Type.Binary:
      return checkBinary(data, false, type.typeId === Type.Utf8, at);
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return checkBinary(data, true, type.typeId === Type.LargeUtf8, at);
    case Type.Utf8View:
    case Type.BinaryView:
      return checkViews(data, type.typeId === Type.Utf8View, at);
    case Type.List:
    case Type.LargeList:
    case Type.Map:
      return checkList(data, at);
    case Type.FixedSizeList:
      return checkFixedSizeList(data, at);
    case Type.Struct:
      return checkStruct(data, at);
    case Type.Dictionary:
      return checkDictionary(data as Data<Dictionary>, at);
  }
  fail(at, `unsupported type ${String(type)}`);
}

/** The validity bitmap covers the rows when something is null, and holds as many nulls as the null count says. */
function checkValidity(data: Data, at: Place): void {
  const { offset, length } = data;
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  const hasBitmap = bitmap !== undefined && bitmap.byteLength > 0;
  // Checked before reading `nullCount`, which counts an unknown null count from the bitmap.
  if (hasBitmap && bitmap.byteLength < (offset + length + 7) >> 3) {
    fail(at, `validity bitmap holds ${Math.max(0, bitmap.byteLength * 8 - offset)} of its ${length} rows (a buffer past the message body?)`);
  }
  const nullCount = data.nullCount;
  if (nullCount > length) fail(at, `null count ${nullCount} exceeds its ${length} rows`);
  if (nullCount <= 0) return;
  if (!hasBitmap) fail(at, `null count ${nullCount} but no validity bitmap`);
  const counted = length - countSetBitRange(bitmap, offset, length);
  if (counted !== nullCount) fail(at, `null count ${nullCount} but its validity bitmap has ${counted} nulls`);
}

function checkFixed(data: Data, at: Place): void {
  const values = data.values as ArrayLike<unknown> | undefined;
  // arrow-js slices fixed-width values with the data (its offset only applies to the bitmap); `stride` elements a row.
  const needed = data.length * data.stride;
  const held = values?.length ?? 0;
  if (held < needed) {
    fail(at, `values buffer holds ${Math.floor(held / data.stride)} of its ${data.length} rows (a buffer past the message body, or a row count larger than the body?)`);
  }
}

function checkBinary(data: Data, large: boolean, text: boolean, at: Place): void {
  const bytes = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
  if (data.length === 0) return;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  const range = large
    ? checkLargeOffsets(offsets as BigInt64Array | undefined, data.length, bytes.byteLength, describe(at))
    : checkOffsets(offsets as Int32Array | undefined, data.length, bytes.byteLength, describe(at));
  if (!text) return;
  const row = firstInvalidUtf8(bytes, offsets!, data.length, range);
  if (row >= 0) fail(at, `value at row ${row + 1} is not valid UTF-8`);
}

/**
 * Every view of a non-null row points inside its buffers: a length of at least 0; up to 12 bytes inline,
 * else a buffer index among the variadic buffers, an offset and length within that buffer, and a prefix equal to
 * the value's first 4 bytes (as Arrow C++'s full validation checks). Text values must be valid UTF-8.
 */
function checkViews(data: Data, text: boolean, at: Place): void {
  const views = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
  checkBytes(views, data.length * VIEW_BYTES, describe(at), "views");
  const buffers = (data as Data & { variadicBuffers?: readonly Uint8Array[] }).variadicBuffers ?? [];
  const words = new DataView(views.buffer, views.byteOffset, views.byteLength);
  const bitmap = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : undefined;
  for (let i = 0; i < data.length; i++) {
    if (bitmap !== undefined && !isBitSet(bitmap, data.offset + i)) continue;
    const base = i * VIEW_BYTES;
    const length = words.getInt32(base, true);
    let value: Uint8Array;
    if (length < 0) fail(at, `view of row ${i + 1} has a negative length (${length})`);
    if (length <= VIEW_INLINE_BYTES) {
      value = views.subarray(base + 4, base + 4 + length);
    } else {
      const index = words.getInt32(base + 8, true);
      const offset = words.getInt32(base + 12, true);
      const buffer = buffers[index];
      if (buffer === undefined) fail(at, `view of row ${i + 1} points to data buffer ${index}, but the column has ${buffers.length}`);
      if (offset < 0 || offset + length > buffer.byteLength) {
        fail(at, `view of row ${i + 1} spans bytes ${offset} to ${offset + length} of data buffer ${index}, which holds ${buffer.byteLength}`);
      }
      value = buffer.subarray(offset, offset + length);
      for (let k = 0; k < 4; k++) {
        if (views[base + 4 + k] !== value[k]) fail(at, `view of row ${i + 1} has a prefix that is not its value's first 4 bytes`);
      }
    }
    if (text && !isUtf8(value)) fail(at, `value at row ${i + 1} is not valid UTF-8`);
  }
}

function checkList(data: Data, at: Place): void {
  const [child] = data.children as Data[];
  const childAt = inside(at, childName(data.type, 0));
  if (child === undefined) fail(at, "no child values");
  checkData(child, childAt);
  if (data.length === 0) return;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (data.type.typeId === Type.LargeList) checkLargeOffsets(offsets as BigInt64Array | undefined, data.length, child.length, describe(at), "child rows");
  else checkOffsets(offsets as Int32Array | undefined, data.length, child.length, describe(at), "child rows");
  if (data.type.typeId === Type.Map) {
    const keys = child.children[0] as Data | undefined;
    if (keys === undefined || child.children.length !== 2) fail(childAt, "map entries must have a key and a value");
    if (keys.nullCount > 0) fail(inside(childAt, childName(child.type, 0)), "map keys must not be null");
  }
}

function checkFixedSizeList(data: Data, at: Place): void {
  const [child] = data.children as Data[];
  const { listSize } = data.type as FixedSizeList;
  const needed = data.length * listSize;
  if (child === undefined) fail(at, "no child values");
  const childAt = inside(at, childName(data.type, 0));
  if (child.length !== needed) fail(childAt, `${child.length} rows, but ${data.length} lists of ${listSize} need ${needed}`);
  checkData(child, childAt);
}

function checkStruct(data: Data, at: Place): void {
  const fields = data.type.children as Field[];
  if (data.children.length !== fields.length) fail(at, `${data.children.length} children, but its type has ${fields.length}`);
  for (let i = 0; i < fields.length; i++) {
    const child = data.children[i] as Data;
    const childAt = inside(at, fields[i].name);
    if (child.length !== data.length) fail(childAt, `${child.length} rows, but its struct has ${data.length}`);
    checkData(child, childAt);
  }
}

function checkDictionary(data: Data<Dictionary>, at: Place): void {
  const dictionary = data.dictionary;
  if (dictionary === undefined) fail(at, "dictionary-encoded, but no dictionary batch for it came before this batch");
  let size = 0;
  for (const chunk of dictionary.data) {
    if (!checkedDictionaries.has(chunk)) {
      checkData(chunk, { ...at, dictionary: true });
      checkedDictionaries.add(chunk);
    }
    size += chunk.length;
  }
  const indices = data.values as ArrayLike<number | bigint> | undefined;
  if ((indices?.length ?? 0) < data.length) {
    fail(at, `indices buffer holds ${indices?.length ?? 0} of its ${data.length} rows (a buffer past the message body, or a row count larger than the body?)`);
  }
  const isNull = data.nullCount > 0 ? (row: number) => !isBitSet(data.nullBitmap as Uint8Array, data.offset + row) : undefined;
  const bad = checkIndices(indices!, data.length, size, isNull);
  if (bad >= 0 && size === 0) fail(at, "dictionary-encoded, but its dictionary is empty (no dictionary batch for it came before this batch?)");
  if (bad >= 0) fail(at, `dictionary index ${String(indices![bad])} at row ${bad + 1} is outside the dictionary's ${size} values`);
}

function childName(type: DataType, i: number): string {
  return (type.children as Field[] | undefined)?.[i]?.name ?? "item";
}
