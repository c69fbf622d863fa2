import type { Schema } from "apache-arrow";
import { AsyncByteQueue, RecordBatch, RecordBatchStreamWriter } from "apache-arrow";
import { END_OF_STREAM, encodeSchemaMessage, rowsPerChunk, sameColumns } from "#shared/arrow/ipc-stream.js";
import { withKnownNullCounts } from "#shared/arrow/known-null-counts.js";
import { allocateFramed } from "./framed-payload.js";

/** Keeps the pieces an Arrow writer hands over (views of the batch's own buffers, mostly) instead of queueing them. */
class PieceSink extends AsyncByteQueue {
  pieces: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    this.pieces.push(value);
  }
}

/**
 * The IPC messages of one batch (dictionaries, then the record batch), as {@link encodeBatchMessages} makes them,
 * gathered straight into a payload with room for its protobuf framing: one copy of the column bytes, where
 * `tableToIPC` then a protobuf encoder made two (the writer's join, then the message's).
 */
export function encodeFramedBatch(batch: RecordBatch, schema: Schema): Uint8Array {
  const labelled = schema === batch.schema || !sameColumns(batch.schema, schema) ? batch : new RecordBatch(schema, batch.data);
  const sink = new PieceSink();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink);
  writer.write(withKnownNullCounts(labelled));
  writer.finish();
  const { pieces } = sink;
  let total = 0;
  for (const piece of pieces) total += piece.byteLength;
  // Drop the schema message the writer opens with (its length prefix says how long) and the end marker.
  const head = new Uint8Array(8);
  for (let at = 0, i = 0; at < 8; i++) {
    const piece = pieces[i]!;
    const n = Math.min(piece.byteLength, 8 - at);
    head.set(piece.subarray(0, n), at);
    at += n;
  }
  const skip = 8 + new DataView(head.buffer).getInt32(4, true);
  const end = total - END_OF_STREAM.byteLength;
  const out = allocateFramed(end - skip);
  let position = 0;
  for (const piece of pieces) {
    const from = Math.max(0, skip - position);
    const to = Math.min(piece.byteLength, end - position);
    if (to > from) out.set(from === 0 && to === piece.byteLength ? piece : piece.subarray(from, to), position + from - skip);
    position += piece.byteLength;
  }
  return out;
}

/**
 * Encodes batches as one IPC stream cut in chunks of about `maxChunkBytes` at most, as {@link encodeIpcStream} does
 * (a batch larger than that sliced without copying), each chunk framed in place (see framed-payload.ts).
 */
export async function* encodeFramedIpcStream(
  schema: Schema,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: { maxChunkBytes: number },
): AsyncGenerator<Uint8Array> {
  yield encodeSchemaMessage(schema);
  for await (const batch of batches) {
    const step = rowsPerChunk(batch, options.maxChunkBytes);
    for (let offset = 0; offset < batch.numRows; offset += step) {
      yield encodeFramedBatch(step >= batch.numRows ? batch : batch.slice(offset, offset + step), schema);
    }
  }
  yield END_OF_STREAM;
}
