import type { RecordBatch as ArrowRecordBatch, Schema } from "apache-arrow";
import { Message, MessageHeader } from "apache-arrow";
import { BufferRegion, DictionaryBatch, FieldNode, RecordBatch } from "apache-arrow/ipc/metadata/message";
import { END_OF_STREAM, encodeBatchMessages, encodeSchemaMessage } from "#shared/arrow/ipc-stream.js";

/**
 * Hand-made Arrow IPC streams for hostile-request tests: a valid stream is encoded with apache-arrow, split into its
 * messages, and the flatbuffer header of a message is decoded, edited as plain numbers and re-encoded, so that a test
 * can make a header lie about its body (lengths, null counts, buffer regions) without byte offsets.
 */

/** The header of a record batch or dictionary batch message, as plain editable numbers. */
export interface BatchHeader {
  /** Rows the batch claims. */
  length: number;
  /** One per column and nested child, depth first. */
  nodes: { length: number; nullCount: number }[];
  /** Regions of the body, three or fewer per node (validity, offsets, data). */
  buffers: { offset: number; length: number }[];
  /** Bytes of body announced by the message; the body itself is left as it was unless `body` is edited. */
  bodyLength: number;
  /** The body bytes sent after the header. */
  body: Uint8Array;
  /** Dictionary batches only: the dictionary id and whether it is a delta. */
  id?: number;
  isDelta?: boolean;
}

/** One message of an IPC stream, with its body. */
export interface IpcMessage {
  type: "schema" | "dictionary" | "record";
  /** The whole framed message: continuation, metadata length, metadata, body. */
  bytes: Uint8Array;
}

/** The messages of an IPC stream, up to its end-of-stream marker (excluded). */
export function messagesOf(ipc: Uint8Array): IpcMessage[] {
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  const out: IpcMessage[] = [];
  let offset = 0;
  while (offset + 8 <= ipc.byteLength) {
    const metadataLength = view.getInt32(offset + 4, true);
    if (metadataLength === 0) break;
    const message = Message.decode(ipc.subarray(offset + 8, offset + 8 + metadataLength));
    const end = offset + 8 + metadataLength + Number(message.bodyLength);
    const type = message.headerType === MessageHeader.Schema ? "schema" : message.headerType === MessageHeader.DictionaryBatch ? "dictionary" : "record";
    out.push({ type, bytes: ipc.slice(offset, end) });
    offset = end;
  }
  return out;
}

/** The messages of a valid stream of `batches` (schema first, no end marker). */
export function validMessages(schema: Schema, batches: readonly ArrowRecordBatch[]): IpcMessage[] {
  return [...messagesOf(encodeSchemaMessage(schema)), ...batches.flatMap((batch) => messagesOf(encodeBatchMessages(batch)))];
}

/** Concatenates framed messages (or raw byte strings) into one stream, with the end-of-stream marker unless told not to. */
export function streamOf(parts: readonly (IpcMessage | Uint8Array)[], endMarker = true): Uint8Array {
  const chunks = parts.map((p) => (p instanceof Uint8Array ? p : p.bytes));
  if (endMarker) chunks.push(END_OF_STREAM);
  return concatBytes(chunks);
}

/** Joins byte strings. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** The editable header of a record batch or dictionary batch message. */
export function batchHeaderOf(message: IpcMessage): BatchHeader {
  const { metadata, body } = split(message.bytes);
  const decoded = Message.decode(metadata);
  const data = batchOf(decoded);
  const header: BatchHeader = {
    length: data.length,
    nodes: data.nodes.map((n) => ({ length: n.length, nullCount: n.nullCount })),
    buffers: data.buffers.map((b) => ({ offset: b.offset, length: b.length })),
    bodyLength: Number(decoded.bodyLength),
    body,
  };
  if (decoded.isDictionaryBatch()) {
    const dictionary = decoded.header();
    header.id = dictionary.id;
    header.isDelta = dictionary.isDelta;
  }
  return header;
}

/** `message` with its header replaced by what `edit` makes of it (the body follows as `header.body`). */
export function editBatch(message: IpcMessage, edit: (header: BatchHeader) => void): IpcMessage {
  const header = batchHeaderOf(message);
  edit(header);
  return { type: message.type, bytes: encodeBatch(message.type, header) };
}

/** A framed record batch (or dictionary batch) message made of `header`. */
export function encodeBatch(type: IpcMessage["type"], header: BatchHeader): Uint8Array {
  const data = new RecordBatch(
    header.length,
    header.nodes.map((n) => new FieldNode(n.length, n.nullCount)),
    header.buffers.map((b) => new BufferRegion(b.offset, b.length)),
    null,
  );
  const batch = type === "dictionary" ? new DictionaryBatch(data, header.id ?? 0, header.isDelta ?? false) : data;
  const metadata = Message.encode(Message.from(batch, header.bodyLength));
  return frame(metadata, header.body);
}

/** The body of a framed message. */
export function bodyOf(message: IpcMessage): Uint8Array {
  return split(message.bytes).body;
}

/** A framed message: continuation marker, padded metadata length, metadata padded to 8 bytes, then the body. */
export function frame(metadata: Uint8Array, body: Uint8Array): Uint8Array {
  const padded = (metadata.byteLength + 7) & ~7;
  const out = new Uint8Array(8 + padded + body.byteLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  out.set(metadata, 8);
  out.set(body, 8 + padded);
  return out;
}

/** A message prefix alone: the continuation marker and a metadata length (what a length lie looks like). */
export function prefix(metadataLength: number, continuation = true): Uint8Array {
  const out = new Uint8Array(continuation ? 8 : 4);
  const view = new DataView(out.buffer);
  if (continuation) view.setInt32(0, -1, true);
  view.setInt32(continuation ? 4 : 0, metadataLength, true);
  return out;
}

function split(bytes: Uint8Array): { metadata: Uint8Array; body: Uint8Array } {
  const metadataLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(4, true);
  return { metadata: bytes.subarray(8, 8 + metadataLength), body: bytes.slice(8 + metadataLength) };
}

function batchOf(message: Message): RecordBatch {
  if (message.isRecordBatch()) return message.header();
  if (message.isDictionaryBatch()) return message.header().data;
  throw new Error("not a record batch or dictionary batch message");
}
