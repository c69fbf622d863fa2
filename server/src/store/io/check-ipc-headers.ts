import { DataType, Field, Message, MessageHeader } from "apache-arrow";
import type { Schema } from "apache-arrow";
import { OupsError } from "../errors.js";
import { type IpcNode, ipcNodes } from "./ipc-node-layout.js";

/** Metadata bytes a message may announce: a schema of many thousand columns stays far below. */
export const MAX_IPC_METADATA_BYTES = 64 * 1024 * 1024;

/**
 * Passes an IPC stream's chunks through unchanged, checking the header of every message before the reader sees it:
 * for record and dictionary batches, field node lengths and null counts, one node and the right buffers per column,
 * buffers inside the message body, a dictionary sent for every dictionary column; for the stream, one schema and no
 * message of another type. The reader trusts these headers and repairs what does not fit: a batch whose header says
 * fewer rows than its columns hold is silently cut to that many, one whose columns are cut short is padded with
 * nulls, a missing dictionary is taken as empty, a second schema restarts the stream, a message of another type is
 * skipped. Throws `INVALID_ARGUMENT` naming the batch (0-based, as they come) and column.
 *
 * It only judges well-framed messages of types the store keeps: anything it does not recognise (not an IPC stream,
 * legacy framing, unsupported types, bytes after the end marker) is left for the reader and the schema check to
 * report.
 */
export async function* checkIpcHeaders(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const check = new IpcHeaderCheck();
  for await (const chunk of chunks) {
    check.push(chunk);
    yield chunk;
  }
}

type Stage = "marker" | "length" | "metadata" | "body" | "passive";

/** Columns of the stream's schema, and of each dictionary it declares (by id). */
interface Layout {
  nodes: IpcNode[];
  /** The column each dictionary encodes, and the nodes of its values (named after that column). */
  dictionaries: Map<number, { path: string; nodes: IpcNode[] }>;
}

class IpcHeaderCheck {
  #stage: Stage = "marker";
  /** Bytes the stage still needs (or body bytes to skip). */
  #need = 4;
  #parts: Uint8Array[] = [];
  #have = 0;
  /** The schema's layout once it arrived; `null` when a type is not one the store keeps (nothing more is judged). */
  #layout: Layout | null | undefined;
  /** Dictionary ids sent so far. */
  #sent = new Set<number>();
  #messages = 0;
  #batches = 0;

  push(chunk: Uint8Array): void {
    let p = 0;
    while (p < chunk.byteLength && this.#stage !== "passive") {
      const take = Math.min(this.#need - this.#have, chunk.byteLength - p);
      if (this.#stage === "body") {
        this.#have += take;
      } else {
        this.#parts.push(chunk.subarray(p, p + take));
        this.#have += take;
      }
      p += take;
      if (this.#have === this.#need) this.#advance();
    }
  }

  #advance(): void {
    const bytes = this.#parts.length === 1 ? this.#parts[0] : concat(this.#parts);
    this.#parts = [];
    this.#have = 0;
    switch (this.#stage) {
      case "marker": {
        // Without the continuation marker, the stream is legacy-framed or not an IPC stream: the reader says which.
        if (int32(bytes) === -1) return this.#expect("length", 4);
        return this.#expect("passive", 0);
      }
      case "length":
        return this.#metadataLength(int32(bytes));
      case "metadata":
        return this.#message(bytes);
      case "body":
        return this.#expect("marker", 4);
    }
  }

  #metadataLength(length: number): void {
    // A zero length is the end-of-stream marker: what follows is not this check's concern.
    if (length === 0) return this.#expect("passive", 0);
    if (length < 0) this.#fail(`announces a negative metadata length (${length})`);
    if (length > MAX_IPC_METADATA_BYTES) this.#fail(`announces ${length} bytes of metadata, more than the ${MAX_IPC_METADATA_BYTES} a message may have`);
    this.#expect("metadata", length);
  }

  #message(metadata: Uint8Array): void {
    let message: Message;
    let bodyLength: number;
    try {
      message = Message.decode(metadata);
      bodyLength = Number(message.bodyLength);
    } catch {
      return this.#expect("passive", 0);
    }
    if (!(bodyLength >= 0)) this.#fail(`announces a negative body length (${bodyLength})`);
    switch (message.headerType) {
      case MessageHeader.Schema:
        // The reader would start over with the new schema, and the batches after it would not match the first.
        if (this.#layout !== undefined) this.#fail("is a second schema message: a Write carries one IPC stream, with one schema");
        this.#layout = layoutOf(message.header() as Schema) ?? null;
        break;
      case MessageHeader.RecordBatch: {
        if (!this.#layout) return this.#expect("passive", 0);
        const at = `batch ${++this.#batches}`;
        const header = headerOf(message, at) as BatchHeader;
        checkBatch(header, this.#layout.nodes, bodyLength, at);
        if (header.length > 0) this.#checkDictionariesSent(at);
        break;
      }
      case MessageHeader.DictionaryBatch: {
        if (!this.#layout) return this.#expect("passive", 0);
        const where = `the dictionary batch before batch ${this.#batches + 1}`;
        const header = headerOf(message, where) as DictionaryHeader;
        const dictionary = this.#layout.dictionaries.get(header.id);
        if (dictionary === undefined) throw new OupsError("INVALID_ARGUMENT", `${where} has dictionary id ${header.id}, which no column of the schema declares`);
        checkBatch(header.data, dictionary.nodes, bodyLength, where);
        this.#sent.add(header.id);
        break;
      }
      default:
        // The reader skips messages of other types (tensors, or a garbled type) without their bodies.
        this.#fail(`is of type ${MessageHeader[message.headerType] ?? message.headerType}, not a schema, dictionary batch or record batch`);
    }
    this.#messages++;
    this.#expect(bodyLength > 0 ? "body" : "marker", bodyLength > 0 ? bodyLength : 4);
  }

  /** A record batch with rows needs every dictionary of its columns: the reader would stand in an empty one. */
  #checkDictionariesSent(at: string): void {
    for (const [id, { path }] of this.#layout!.dictionaries) {
      if (!this.#sent.has(id)) {
        throw new OupsError("INVALID_ARGUMENT", `${at}, column "${path}": dictionary-encoded, but no dictionary batch for it came before this batch`);
      }
    }
  }

  #expect(stage: Stage, need: number): void {
    this.#stage = stage;
    this.#need = need;
  }

  #fail(problem: string): never {
    throw new OupsError("INVALID_ARGUMENT", `Arrow IPC message ${this.#messages} ${problem}`);
  }
}

/** The parts of a record batch header (or of a dictionary batch's data) this check reads. */
interface BatchHeader {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
}

interface DictionaryHeader {
  id: number;
  data: BatchHeader;
}

function headerOf(message: Message, at: string): BatchHeader | DictionaryHeader {
  try {
    return message.header() as BatchHeader | DictionaryHeader;
  } catch (err) {
    // Typically a length beyond 2^53, which no body can back.
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header cannot be decoded: ${(err as Error).message}`, { cause: err });
  }
}

function checkBatch(header: BatchHeader, nodes: readonly IpcNode[], bodyLength: number, at: string): void {
  const { length } = header;
  if (!Number.isSafeInteger(length) || length < 0) throw new OupsError("INVALID_ARGUMENT", `${at}: its header claims ${length} rows`);
  if (header.nodes.length !== nodes.length) {
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header has ${header.nodes.length} field nodes, the schema's columns need ${nodes.length}`);
  }
  const buffers = nodes.reduce((n, node) => n + node.buffers, 0);
  if (header.buffers.length !== buffers) {
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header has ${header.buffers.length} buffers, the schema's columns need ${buffers}`);
  }
  let b = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = header.nodes[i];
    const column = `${at}, column "${nodes[i].path}"`;
    if (!Number.isSafeInteger(node.length) || node.length < 0) throw new OupsError("INVALID_ARGUMENT", `${column}: its header claims ${node.length} rows`);
    if (!(node.nullCount >= 0 && node.nullCount <= node.length)) {
      throw new OupsError("INVALID_ARGUMENT", `${column}: null count ${node.nullCount} is outside 0..${node.length}, its row count`);
    }
    if (nodes[i].topLevel && node.length !== length) {
      throw new OupsError("INVALID_ARGUMENT", `${column}: ${node.length} rows, but the batch header says ${length}`);
    }
    for (let j = 0; j < nodes[i].buffers; j++) {
      const { offset, length: size } = header.buffers[b++];
      if (!(offset >= 0 && size >= 0 && offset + size <= bodyLength)) {
        throw new OupsError("INVALID_ARGUMENT", `${column}: buffer ${j} spans bytes ${offset} to ${offset + size}, outside the message body of ${bodyLength} bytes`);
      }
    }
  }
}

/** The node layout of `schema` and of its dictionaries, or `undefined` when a type is not one the store keeps. */
function layoutOf(schema: Schema): Layout | undefined {
  const nodes = ipcNodes(schema.fields);
  if (nodes === undefined) return undefined;
  const dictionaries: Layout["dictionaries"] = new Map();
  const visit = (fields: readonly Field[], parent: string): boolean =>
    fields.every((field) => {
      const path = `${parent}${field.name}`;
      const { type } = field;
      if (DataType.isDictionary(type)) {
        const valueNodes = ipcNodes([new Field(path, type.dictionary, true)]);
        if (valueNodes === undefined) return false;
        dictionaries.set(type.id, { path, nodes: valueNodes });
        return visit(type.dictionary.children ?? [], `${path}.`);
      }
      return visit(type.children ?? [], `${path}.`);
    });
  return visit(schema.fields, "") ? { nodes, dictionaries } : undefined;
}

function int32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
