import type { RecordBatch } from "apache-arrow";
import { firstUnordered } from "./check-order.js";
import { compareText } from "../ordinal.js";
import { gather } from "./gather.js";
import { orderedColumn } from "./ordered-column.js";

/**
 * Sorts `batch` on `orderedOn`, stably (rows with equal values keep their order, so the later of two duplicates
 * stays later and wins a keep-last dedupe). Returns `batch` itself when it is already sorted.
 */
export function sortBatch(batch: RecordBatch, orderedOn: string): RecordBatch {
  const values = orderedColumn(batch, orderedOn).values;
  if (firstUnordered(values) < 0) return batch;
  const order = Array.from({ length: batch.numRows }, (_, i) => i);
  // Array#sort is stable; the index tie-break keeps that explicit.
  if (typeof values[0] === "string") {
    const text = values as ArrayLike<string>;
    order.sort((a, b) => compareText(text[a]!, text[b]!) || a - b);
  } else {
    order.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  }
  return gather([batch], { source: new Uint8Array(order.length), row: Uint32Array.from(order) }, batch.schema);
}
