import type { Data, RecordBatch } from "apache-arrow";
import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import { gather } from "./gather.js";
import { orderedColumn } from "./ordered-column.js";
import { type RowEquality, rowCodes, rowEquality } from "./row-equality.js";
import { keyReader } from "./row-key.js";

/**
 * Runs of equal ordered values up to this long are deduped by comparing rows pair by pair, straight from the
 * buffers; longer runs build a string key per row, so that their cost stays linear.
 */
const PAIRWISE_MAX_RUN = 16;

/**
 * Drops rows of `batch` (sorted on `orderedOn`) that equal a later row on `orderedOn` and `columns` (every
 * column for "all"), keeping the last of each set of duplicates at its own position, as pandas'
 * `drop_duplicates(keep="last")`. Null equals null, NaN equals NaN and -0 equals 0. Returns `batch` itself
 * when nothing is dropped. Throws `INVALID_ARGUMENT` for an unknown column.
 */
export function dropDuplicatesKeepLast(
  batch: RecordBatch,
  columns: readonly string[] | "all",
  orderedOn: string,
): RecordBatch {
  const kept = keptRowsKeepLast(batch, columns, orderedOn);
  if (kept === null) return batch;
  return gather([batch], { source: new Uint8Array(kept.length), row: kept }, batch.schema);
}

/**
 * The rows {@link dropDuplicatesKeepLast} keeps, in order, or `null` when it keeps them all. `batch` needs only
 * `orderedOn` and the key columns.
 */
export function keptRowsKeepLast(
  batch: RecordBatch,
  columns: readonly string[] | "all",
  orderedOn: string,
): Uint32Array | null {
  const length = batch.numRows;
  const names = columns === "all" ? batch.schema.fields.map((field) => field.name) : columns;
  const others = [...new Set(names)]
    .filter((name) => name !== orderedOn)
    .map((name) => {
      const index = batch.schema.fields.findIndex((field) => field.name === name);
      if (index < 0) throw new OupsError("INVALID_ARGUMENT", `duplicate key column "${name}" not found`);
      return { name, data: batch.data.children[index] as Data };
    });
  const ordered = orderedColumn(batch, orderedOn).values;
  if (length < 2) return null;

  const equal = allEqual(others.map(({ name, data }) => rowEquality(name, data)));
  // One key column besides the ordered one (a symbol, an id): its rows compared as integers, not through closures.
  const codes = others.length === 1 ? rowCodes(others[0]!.name, others[0]!.data) : undefined;
  const same = sameAsPrevious(ordered);
  let keyOf: ((row: number) => string) | undefined;
  const kept = new Uint32Array(length);
  let keptCount = 0;
  let start = 0;
  // Rows with different ordered values are never duplicates, so only runs of equal values are compared.
  while (start < length) {
    let end = start + 1;
    while (end < length && same[end] === 1) end++;
    if (end - start === 1) kept[keptCount++] = start;
    else if (equal === undefined) kept[keptCount++] = end - 1;
    else if (end - start <= PAIRWISE_MAX_RUN) {
      keptCount = codes ? keepLastByCode(codes, start, end, kept, keptCount) : keepLastPairwise(equal, start, end, kept, keptCount);
    }
    else {
      keyOf ??= rowKeys(others);
      keptCount = keepLastByKey(keyOf, start, end, kept, keptCount);
    }
    start = end;
  }
  return keptCount === length ? null : kept.subarray(0, keptCount);
}

/**
 * For each row of `values`, 1 when it equals the row before it, else 0; found in one pass, without reading a
 * 64-bit value as a BigInt (that allocates one).
 */
function sameAsPrevious(values: ArrayLike<Ordinal>): Uint8Array {
  const same = new Uint8Array(values.length);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 1; i < values.length; i++) {
      if (words[2 * i] === words[2 * i - 2] && words[2 * i + 1] === words[2 * i - 1]) same[i] = 1;
    }
  } else {
    for (let i = 1; i < values.length; i++) if (values[i] === values[i - 1]) same[i] = 1;
  }
  return same;
}

/** The conjunction of `equalities`, built once (not a closure per pair of rows); undefined when there are none. */
function allEqual(equalities: readonly RowEquality[]): RowEquality | undefined {
  if (equalities.length <= 1) return equalities[0];
  return (i, j) => {
    for (const equal of equalities) if (!equal(i, j)) return false;
    return true;
  };
}

function keepLastByCode(codes: Int32Array, start: number, end: number, kept: Uint32Array, keptCount: number): number {
  let count = keptCount;
  for (let i = start; i < end; i++) {
    const code = codes[i];
    let j = i + 1;
    while (j < end && codes[j] !== code) j++;
    if (j === end) kept[count++] = i;
  }
  return count;
}

function keepLastPairwise(equal: RowEquality, start: number, end: number, kept: Uint32Array, keptCount: number): number {
  let count = keptCount;
  for (let i = start; i < end; i++) {
    let duplicated = false;
    for (let j = i + 1; j < end && !duplicated; j++) duplicated = equal(i, j);
    if (!duplicated) kept[count++] = i;
  }
  return count;
}

function rowKeys(columns: readonly { name: string; data: Data }[]): (row: number) => string {
  const readers = columns.map(({ name, data }) => keyReader(name, data));
  return readers.length === 1 ? readers[0] : (row) => readers.map((read) => read(row)).join("|");
}

function keepLastByKey(
  keyOf: (row: number) => string,
  start: number,
  end: number,
  kept: Uint32Array,
  keptCount: number,
): number {
  const keys = new Array<string>(end - start);
  const lastRowOfKey = new Map<string, number>();
  for (let row = start; row < end; row++) {
    const key = keyOf(row);
    keys[row - start] = key;
    lastRowOfKey.set(key, row);
  }
  let count = keptCount;
  for (let row = start; row < end; row++) {
    if (lastRowOfKey.get(keys[row - start]) === row) kept[count++] = row;
  }
  return count;
}
