import type { RecordBatch, Schema } from "apache-arrow";
import { Table, tableToIPC } from "apache-arrow";
import type { Output } from "./output.js";

/** Bytes of the IPC end-of-stream marker. */
const EOS_BYTES = 8;
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Writes batches as one Arrow IPC stream (what `pyarrow.ipc.open_stream` and `RecordBatchReader` read), one batch
 * at a time; an empty result is a stream of the schema from `emptySchema()` alone. Returns the number of rows.
 */
export async function writeArrowStream(
  batches: AsyncIterable<RecordBatch>,
  emptySchema: () => Promise<Schema>,
  out: Output,
): Promise<number> {
  let rows = 0;
  let started = false;
  for await (const batch of batches) {
    // Each batch is encoded as a stream of its own; the schema message opens the first one only, and the end
    // marker is written once at the end.
    const ipc = tableToIPC(new Table([batch]), "stream");
    const from = started ? schemaMessageLength(ipc) : 0;
    await out.write(ipc.subarray(from, ipc.byteLength - EOS_BYTES));
    started = true;
    rows += batch.numRows;
    if (out.closed) break;
  }
  await out.write(started ? END_OF_STREAM : tableToIPC(new Table(await emptySchema()), "stream"));
  return rows;
}

/** Length of the first message of an IPC stream: 8 prefix bytes, then its metadata (padded, no body). */
function schemaMessageLength(ipc: Uint8Array): number {
  return 8 + new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength).getInt32(4, true);
}
