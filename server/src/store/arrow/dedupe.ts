import type { Data, RecordBatch } from "apache-arrow";
import { OupsError } from "../errors.js";
import { gather } from "./gather.js";
import { orderedColumn } from "./ordered-column.js";
import { type RowEquality, rowEquality } from "./row-equality.js";
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
  if (length < 2) return batch;

  const equalities = others.map(({ name, data }) => rowEquality(name, data));
  let keyOf: ((row: number) => string) | undefined;
  const kept = new Uint32Array(length);
  let keptCount = 0;
  let start = 0;
  // Rows with different ordered values are never duplicates, so only runs of equal values are compared.
  while (start < length) {
    const value = ordered[start];
    let end = start + 1;
    while (end < length && ordered[end] === value) end++;
    if (end - start === 1) kept[keptCount++] = start;
    else if (equalities.length === 0) kept[keptCount++] = end - 1;
    else if (end - start <= PAIRWISE_MAX_RUN) keptCount = keepLastPairwise(equalities, start, end, kept, keptCount);
    else {
      keyOf ??= rowKeys(others);
      keptCount = keepLastByKey(keyOf, start, end, kept, keptCount);
    }
    start = end;
  }
  if (keptCount === length) return batch;
  return gather([batch], { source: new Uint8Array(keptCount), row: kept.subarray(0, keptCount) }, batch.schema);
}

function keepLastPairwise(
  equalities: readonly RowEquality[],
  start: number,
  end: number,
  kept: Uint32Array,
  keptCount: number,
): number {
  let count = keptCount;
  for (let i = start; i < end; i++) {
    let duplicated = false;
    for (let j = i + 1; j < end && !duplicated; j++) {
      duplicated = equalities.every((equal) => equal(i, j));
    }
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
