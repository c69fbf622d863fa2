import type { RecordBatch, Schema } from "apache-arrow";
import { Table as ArrowTable, tableToIPC } from "apache-arrow";
import type { RecordBatch as WasmRecordBatch } from "parquet-wasm";
import { Compression, Table as WasmTable, WriterPropertiesBuilder, transformParquetStream, writeParquet } from "parquet-wasm";
import type { Output } from "./output.js";

// Importing this module instantiates parquet-wasm (a few MB of wasm): `oups query` loads it only for --format parquet.

/**
 * Writes batches as one zstd-compressed Parquet file, streamed: parquet-wasm cuts row groups of about a million rows
 * as batches arrive. An empty result is a file with the schema from `emptySchema()` and no rows. Returns the number
 * of rows.
 */
export async function writeParquetFile(
  batches: AsyncIterable<RecordBatch>,
  emptySchema: () => Promise<Schema>,
  out: Output,
): Promise<number> {
  // Batches without rows are skipped: parquet-wasm turns their IPC into a table of no batch at all.
  const iterator = nonEmpty(batches)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    const schema = first.value ?? (await emptySchema());
    await out.write(writeParquet(toWasmTable(new ArrowTable(schema)), properties()));
    return 0;
  }
  let rows = 0;
  let pending: RecordBatch | undefined = first.value;
  const source = new ReadableStream<WasmRecordBatch>({
    async pull(controller) {
      let batch = pending;
      pending = undefined;
      if (batch === undefined && !out.closed) {
        const next = await iterator.next();
        if (!next.done) batch = next.value;
      }
      if (batch === undefined) {
        controller.close();
        return;
      }
      rows += batch.numRows;
      controller.enqueue(toWasmBatch(batch));
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  const parquet = await transformParquetStream(source, properties());
  for await (const chunk of parquet as unknown as AsyncIterable<Uint8Array>) {
    await out.write(chunk);
  }
  return rows;
}

/** The batches that have rows; returns the schema of the batches when none has (undefined when there is none). */
async function* nonEmpty(batches: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch, Schema | undefined> {
  let schema: Schema | undefined;
  for await (const batch of batches) {
    schema = batch.schema;
    if (batch.numRows > 0) yield batch;
  }
  return schema;
}

function properties() {
  // Each builder call consumes its receiver and returns a new builder; build() consumes the last one.
  return new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
}

function toWasmTable(table: ArrowTable): WasmTable {
  return WasmTable.fromIPCStream(tableToIPC(table, "stream"));
}

function toWasmBatch(batch: RecordBatch): WasmRecordBatch {
  const table = toWasmTable(new ArrowTable([batch]));
  try {
    // recordBatch() hands out a batch of its own, which outlives the table and the stream consumes.
    return table.recordBatch(0)!;
  } finally {
    table.free();
  }
}
