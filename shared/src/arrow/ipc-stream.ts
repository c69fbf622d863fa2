import type { Schema } from "apache-arrow";
import { Message, MessageHeader, RecordBatch, RecordBatchReader, Table, tableToIPC } from "apache-arrow";
import { withKnownNullCounts } from "./known-null-counts.js";

/** Bytes of the IPC end-of-stream marker: continuation token then a zero length. */
const EOS_BYTES = 8;

/** Length of the first IPC message of `ipc` (the schema message: 8 prefix bytes, then its padded metadata). */
export function firstMessageLength(ipc: Uint8Array): number {
  return 8 + new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength).getInt32(4, true);
}

/**
 * Splits the messages of an IPC stream (after its schema message, up to its end marker) into one view per record
 * batch, each with the dictionary messages before it, so that a stream can be forwarded batch by batch without
 * decoding the batches.
 */
export function* batchMessageGroups(ipc: Uint8Array): Generator<Uint8Array> {
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  let offset = firstMessageLength(ipc);
  let groupStart = offset;
  while (offset + 8 <= ipc.byteLength) {
    const metadataLength = view.getInt32(offset + 4, true);
    if (metadataLength === 0) break; // end-of-stream marker
    const message = Message.decode(ipc.subarray(offset + 8, offset + 8 + metadataLength));
    offset += 8 + metadataLength + Number(message.bodyLength);
    if (message.headerType === MessageHeader.RecordBatch) {
      yield ipc.subarray(groupStart, offset);
      groupStart = offset;
    }
  }
}

/** The IPC stream bytes of a schema alone: the opening message of every stream this project writes. */
export function encodeSchemaMessage(schema: Schema): Uint8Array {
  const ipc = tableToIPC(new Table(schema), "stream");
  return ipc.subarray(0, ipc.byteLength - EOS_BYTES);
}

/** A schema-only IPC stream, as Describe returns it. */
export function encodeSchema(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), "stream");
}

/** Decodes a schema-only (or any) IPC stream's schema. */
export function decodeSchema(ipc: Uint8Array): Schema {
  return RecordBatchReader.from(ipc).open().schema;
}

/**
 * The IPC messages of one batch (its dictionaries, then the record batch), without schema or end marker, so that
 * messages of successive batches concatenate into one stream. Dictionaries are always sent whole: a later
 * dictionary message replaces the earlier one, which the IPC stream format allows.
 *
 * Dictionary messages carry the ids of `schema`, the schema the stream opened with, not those of the batch's own
 * schema: a batch decoded elsewhere (another stream, a Parquet file) numbers its dictionaries its own way, and a
 * reader resolves each dictionary column through the ids its schema message declared. A batch whose columns are not
 * `schema`'s is encoded as it is, for the reader to refuse: relabelling it would pass its buffers off as other types.
 */
export function encodeBatchMessages(batch: RecordBatch, schema: Schema = batch.schema): Uint8Array {
  const labelled = schema === batch.schema || !sameColumns(batch.schema, schema) ? batch : new RecordBatch(schema, batch.data);
  const ipc = tableToIPC(new Table([withKnownNullCounts(labelled)]), "stream");
  return ipc.subarray(firstMessageLength(ipc), ipc.byteLength - EOS_BYTES);
}

/** Same names and types in the same order; a dictionary type's text names its index and value types, not its id. */
export function sameColumns(a: Schema, b: Schema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type));
}

/** The IPC end-of-stream marker. */
export const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Rows per slice so that one slice's IPC body stays near `maxBytes`. */
export function rowsPerChunk(batch: RecordBatch, maxBytes: number, maxRows = Number.POSITIVE_INFINITY): number {
  const bytesPerRow = batch.numRows === 0 ? 1 : Math.max(1, batch.data.byteLength / batch.numRows);
  return Math.max(1, Math.min(maxRows, Math.floor(maxBytes / bytesPerRow)));
}

/**
 * Encodes batches as one IPC stream cut in chunks of about `maxChunkBytes` at most (a batch larger than that is
 * sliced, without copying, before encoding). The schema message comes first, the end marker last.
 */
export async function* encodeIpcStream(
  schema: Schema,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: { maxChunkBytes: number; maxRowsPerBatch?: number },
): AsyncGenerator<Uint8Array> {
  yield encodeSchemaMessage(schema);
  for await (const batch of batches) {
    const step = rowsPerChunk(batch, options.maxChunkBytes, options.maxRowsPerBatch);
    for (let offset = 0; offset < batch.numRows; offset += step) {
      yield encodeBatchMessages(step >= batch.numRows ? batch : batch.slice(offset, offset + step), schema);
    }
  }
  yield END_OF_STREAM;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes an IPC stream arriving as arbitrary byte chunks into its schema and batches. Fails (with an Error naming
 * the problem) when the bytes are not an Arrow IPC stream: the reader itself would report an empty stream instead.
 * A consumer that stops early (break, error) closes `chunks`, which cancels the call they come from.
 */
export async function openIpcStream(chunks: AsyncIterable<Uint8Array>): Promise<{ schema: Schema; batches: AsyncIterable<RecordBatch> }> {
  let received = 0;
  const source = chunks[Symbol.asyncIterator]();
  async function* counted() {
    for (let next = await source.next(); !next.done; next = await source.next()) {
      received += next.value.byteLength;
      yield next.value;
      // apache-arrow's async byte source serves a read from what it holds only while more is held than asked for
      // (adapters fromAsyncIterable: `while (size < bufferLength)`): a chunk that ends where a message ends, as
      // every chunk of the daemon and the SDK does, leaves that message waiting for the next chunk. An empty chunk
      // makes it look again, with `<=`, without waiting for the network.
      yield EMPTY;
    }
  }
  const open = async () => (await RecordBatchReader.from(counted())).open();
  const reader = await open().catch(async (err: unknown) => {
    await source.return?.();
    throw err;
  });
  if (reader.closed || !reader.schema) {
    await source.return?.();
    throw new Error(received === 0 ? "no Arrow IPC data received" : `the ${received} bytes received are not an Arrow IPC stream`);
  }
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      yield* reader;
    } finally {
      // Arrow's reader does not pass return() on to its source: close it here, or an abandoned call stays open.
      await source.return?.();
    }
  }
  return { schema: reader.schema, batches: batches() };
}
