import { RecordBatch, Type } from "apache-arrow";
import type { Data, Table } from "apache-arrow";

/** The record batches of `source`: a table's batches, or the batch itself. */
export function batchesOf(source: Table | RecordBatch): readonly RecordBatch[] {
  return source instanceof RecordBatch ? [source] : source.batches;
}

/**
 * The chunks of column `name` in `source`, one per record batch and in row order, or `undefined` when
 * `source` has no such column.
 */
export function columnChunks(source: Table | RecordBatch, name: string): Data[] | undefined {
  const index = source.schema.fields.findIndex((field) => field.name === name);
  if (index < 0) return undefined;
  return batchesOf(source).map((batch) => batch.data.children[index] as Data);
}

/** Row position of the first null of `data` (relative to its own start), or -1 when it has none. */
export function firstNullIndex(data: Data): number {
  // A Null column has no validity bitmap (and, sliced, an unknown null count): every row is null.
  if (data.typeId === Type.Null) return data.length > 0 ? 0 : -1;
  if (data.nullCount <= 0) return -1;
  const bitmap = data.nullBitmap as Uint8Array;
  const { offset, length } = data;
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) return i;
  }
  return -1;
}
