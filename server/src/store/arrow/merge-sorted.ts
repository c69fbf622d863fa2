import type { RecordBatch, Schema, Table } from "apache-arrow";
import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals, compareText } from "../ordinal.js";
import { batchesOf } from "./column-chunks.js";
import { dropDuplicatesKeepLast, keptRowsKeepLast } from "./dedupe.js";
import { concatBatches, gather, pickFromBatches, type Picks } from "./gather.js";
import { orderedColumn } from "./ordered-column.js";
import { searchSorted } from "./search-sorted.js";

/**
 * Stable merge of two tables each already sorted on `orderedOn` into one record batch of `existing`'s schema
 * (`incoming`'s when there is no `existing`). On equal `orderedOn` values, existing rows come before incoming
 * rows, so that a later keep-last dedupe lets incoming rows win. When one side is empty or the two do not
 * interleave, the sides are just concatenated.
 */
export function mergeSorted(
  existing: Table | RecordBatch | null,
  incoming: Table | RecordBatch,
  orderedOn: string,
): RecordBatch {
  const schema = (existing ?? incoming).schema;
  return merged(planMergeOf(existing, incoming, orderedOn), schema);
}

/**
 * {@link mergeSorted} followed by {@link dropDuplicatesKeepLast} on `duplicatesOn`, gathering the rows once:
 * duplicates are found on the merged key columns alone, and only the rows kept are gathered from both sides.
 */
export function mergeSortedKeepLast(
  existing: Table | RecordBatch | null,
  incoming: Table | RecordBatch,
  orderedOn: string,
  duplicatesOn: readonly string[] | "all",
): RecordBatch {
  const schema = (existing ?? incoming).schema;
  const keys = [...new Set([orderedOn, ...(duplicatesOn === "all" ? schema.fields.map((f) => f.name) : duplicatesOn)])];
  const merge = planMergeOf(existing, incoming, orderedOn);
  // With every column a key, gathering the keys would be gathering everything: dedupe the merged rows instead.
  if (!("picks" in merge) || keys.length >= schema.fields.length) {
    return dropDuplicatesKeepLast(merged(merge, schema), duplicatesOn, orderedOn);
  }
  const { batches: sources, picks } = pickFromBatches(merge.sources, merge.picks);
  const kept = keptRowsKeepLast(gather(sources, picks, schema.select(keys)), keys, orderedOn);
  if (kept === null) return gather(sources, picks, schema);
  const source = new Uint32Array(kept.length);
  const row = new Uint32Array(kept.length);
  for (let k = 0; k < kept.length; k++) {
    source[k] = picks.source[kept[k]!]!;
    row[k] = picks.row[kept[k]!]!;
  }
  return gather(sources, { source, row }, schema);
}

/** How to merge two sides: batches to concatenate, or picks of a stable merge of both. */
type MergePlan = { batches: readonly RecordBatch[] } | { sources: [Table | RecordBatch, Table | RecordBatch]; picks: Picks };

/** The rows of a merge, as one batch of `schema`. */
function merged(merge: MergePlan, schema: Schema): RecordBatch {
  return "picks" in merge ? gather(merge.sources, merge.picks, schema) : concatBatches(merge.batches, schema);
}

/**
 * How to merge the two sides: batches to concatenate when one side is empty or ends before the other starts,
 * picks of a stable merge otherwise.
 */
function planMergeOf(existing: Table | RecordBatch | null, incoming: Table | RecordBatch, orderedOn: string): MergePlan {
  if (existing === null || existing.numRows === 0) return { batches: batchesOf(incoming) };
  if (incoming.numRows === 0) return { batches: batchesOf(existing) };
  const a = orderedColumn(existing, orderedOn);
  const b = orderedColumn(incoming, orderedOn);
  if (a.kind !== b.kind) {
    throw new OupsError(
      "SCHEMA_MISMATCH",
      `ordered column "${orderedOn}" holds ${a.kind} values in existing rows but ${b.kind} values in incoming rows`,
    );
  }
  if (compareOrdinals(a.values[a.length - 1]!, b.values[0]!) <= 0) return { batches: [...batchesOf(existing), ...batchesOf(incoming)] };
  if (compareOrdinals(b.values[b.length - 1]!, a.values[0]!) < 0) return { batches: [...batchesOf(incoming), ...batchesOf(existing)] };
  return { sources: [existing, incoming], picks: mergePicks(a.values, b.values) };
}

/** Rows taken from one side in a row before the merge starts galloping on that side, as timsort does. */
const MIN_GALLOP = 7;

/**
 * Picks of the stable merge of sorted `a` (source 0) and `b` (source 1). Rows are compared one by one
 * while the sides interleave; once one side wins {@link MIN_GALLOP} times in a row, its run is found by
 * galloping, so that long runs cost a few comparisons.
 */
export function mergePicks(a: ArrayLike<Ordinal>, b: ArrayLike<Ordinal>): Picks {
  if (typeof a[0] === "string") return mergePicksText(a as ArrayLike<string>, b as ArrayLike<string>);
  const na = a.length;
  const nb = b.length;
  const source = new Uint8Array(na + nb);
  const row = new Uint32Array(na + nb);
  let i = 0;
  let j = 0;
  let k = 0;
  let runA = 0;
  let runB = 0;
  while (i < na && j < nb) {
    if (runA >= MIN_GALLOP) {
      const endA = gallop(a, b[j], "right", i, na);
      for (; i < endA; i++) row[k++] = i;
      runA = 0;
    } else if (runB >= MIN_GALLOP) {
      const endB = gallop(b, a[i], "left", j, nb);
      source.fill(1, k, k + endB - j);
      for (; j < endB; j++) row[k++] = j;
      runB = 0;
    } else if (a[i] <= b[j]) {
      row[k++] = i++;
      runA++;
      runB = 0;
    } else {
      source[k] = 1;
      row[k++] = j++;
      runB++;
      runA = 0;
    }
  }
  for (; i < na; i++) row[k++] = i;
  source.fill(1, k);
  for (; j < nb; j++) row[k++] = j;
  return { source, row };
}

/** {@link mergePicks} of text, compared by code point ({@link compareText}) rather than with `<=`. */
function mergePicksText(a: ArrayLike<string>, b: ArrayLike<string>): Picks {
  const na = a.length;
  const nb = b.length;
  const source = new Uint8Array(na + nb);
  const row = new Uint32Array(na + nb);
  let i = 0;
  let j = 0;
  let k = 0;
  let runA = 0;
  let runB = 0;
  while (i < na && j < nb) {
    if (runA >= MIN_GALLOP) {
      const endA = gallop(a, b[j]!, "right", i, na);
      for (; i < endA; i++) row[k++] = i;
      runA = 0;
    } else if (runB >= MIN_GALLOP) {
      const endB = gallop(b, a[i]!, "left", j, nb);
      source.fill(1, k, k + endB - j);
      for (; j < endB; j++) row[k++] = j;
      runB = 0;
    } else if (compareText(a[i]!, b[j]!) <= 0) {
      row[k++] = i++;
      runA++;
      runB = 0;
    } else {
      source[k] = 1;
      row[k++] = j++;
      runB++;
      runA = 0;
    }
  }
  for (; i < na; i++) row[k++] = i;
  source.fill(1, k);
  for (; j < nb; j++) row[k++] = j;
  return { source, row };
}

/** {@link searchSorted} probing `lo, lo+1, lo+3, lo+7...` first, so that a short answer is found quickly. */
function gallop(values: ArrayLike<Ordinal>, v: Ordinal, side: "left" | "right", lo: number, hi: number): number {
  let low = lo;
  let probe = lo;
  let step = 1;
  const text = typeof v === "string";
  while (probe < hi) {
    const x = values[probe]!;
    const order = text ? compareText(x as string, v) : (x as number | bigint) < v ? -1 : (x as number | bigint) > v ? 1 : 0;
    if (side === "right" ? order > 0 : order >= 0) return searchSorted(values, v, side, low, probe);
    low = probe + 1;
    probe += step;
    step *= 2;
  }
  return searchSorted(values, v, side, low, hi);
}
