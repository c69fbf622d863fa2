import { RecordBatch, Type, makeData } from "apache-arrow";
import type { Data } from "apache-arrow";

/**
 * `batch` with the null count of every Null-typed column stated. A slice of such a column (it has no validity
 * bitmap) gets apache-arrow's "unknown" count, -1, which its IPC writer sends as is; Arrow C++ and Rust readers
 * (parquet-wasm among them) refuse it ("NullArray has unequal null_count -1"). Other columns are left alone.
 */
export function withKnownNullCounts(batch: RecordBatch): RecordBatch {
  const children = batch.data.children as Data[];
  if (!children.some(unknownNullColumn)) return batch;
  const fixed = children.map((child) => (unknownNullColumn(child) ? makeData({ type: child.type, length: child.length }) : child));
  return new RecordBatch(batch.schema, makeData({ type: batch.data.type, length: batch.numRows, nullCount: 0, children: fixed }));
}

function unknownNullColumn(data: Data): boolean {
  return data.typeId === Type.Null && data.nullCount !== data.length;
}
