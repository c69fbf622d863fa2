import { DataType, Field, Message, MessageHeader } from "apache-arrow";
import type { Schema } from "apache-arrow";
import { OupsError } from "../errors.js";
import { type IpcNode, ipcNodes } from "./ipc-node-layout.js";
import { IpcStreamFraming } from "./ipc-stream-framing.js";
import { FLATBUFFER_TYPE_NAMES, isUnknownToArrowJs, schemaFieldTypes } from "./schema-field-types.js";

/**
 * Checks the header of every message of an IPC stream before the reader sees it (the framing hands each one over):
 * for record and dictionary batches, field node lengths and null counts, one node and the right buffers per column,
 * buffers inside the message body, a dictionary sent for every dictionary column; for the stream, one schema and no
 * message of another type. The reader trusts these headers and repairs what does not fit: a batch whose header says
 * fewer rows than its columns hold is silently cut to that many, one whose columns are cut short is padded with
 * nulls, a missing dictionary is taken as empty, a second schema restarts the stream, a message of another type is
 * skipped. Throws `INVALID_ARGUMENT` naming the batch (counted from 1) and column. Streams of types the store does
 * not keep are left for the schema check to report.
 */
export class IpcHeaderCheck {
  /** The schema's layout once it arrived; `null` when a type is not one the store keeps (nothing more is judged). */
  #layout: Layout | null | undefined;
  /** Dictionary ids sent so far. */
  #sent = new Set<number>();
  #messages = 0;
  #batches = 0;

  /** Checks one message, given its decoded header, its body length and (for naming columns) its metadata bytes. */
  check(message: Message, bodyLength: number, metadata?: Uint8Array): void {
    try {
      this.#check(message, bodyLength, metadata);
    } finally {
      this.#messages++;
    }
  }

  #check(message: Message, bodyLength: number, metadata: Uint8Array | undefined): void {
    switch (message.headerType) {
      case MessageHeader.Schema:
        // The reader would start over with the new schema, and the batches after it would not match the first.
        if (this.#layout !== undefined) this.#fail("is a second schema message: a Write carries one IPC stream, with one schema");
        this.#layout = layoutOf(schemaOf(message, metadata)) ?? null;
        return;
      case MessageHeader.RecordBatch: {
        if (!this.#layout) return;
        const at = `batch ${++this.#batches}`;
        const header = headerOf(message, at) as BatchHeader;
        checkBatch(header, this.#layout.nodes, bodyLength, at);
        if (header.length > 0) this.#checkDictionariesSent(at);
        return;
      }
      case MessageHeader.DictionaryBatch: {
        if (!this.#layout) return;
        const where = `the dictionary batch before batch ${this.#batches + 1}`;
        const header = headerOf(message, where) as DictionaryHeader;
        const dictionary = this.#layout.dictionaries.get(header.id);
        if (dictionary === undefined) throw new OupsError("INVALID_ARGUMENT", `${where} has dictionary id ${header.id}, which no column of the schema declares`);
        checkBatch(header.data, dictionary.nodes, bodyLength, where);
        this.#sent.add(header.id);
        return;
      }
      default:
        // The reader skips messages of other types (tensors, or a garbled type) without their bodies.
        this.#fail(`is of type ${MessageHeader[message.headerType] ?? message.headerType}, not a schema, dictionary batch or record batch`);
    }
  }

  /** A record batch with rows needs every dictionary of its columns: the reader would stand in an empty one. */
  #checkDictionariesSent(at: string): void {
    for (const [id, { path }] of this.#layout!.dictionaries) {
      if (!this.#sent.has(id)) {
        throw new OupsError("INVALID_ARGUMENT", `${at}, column "${path}": dictionary-encoded, but no dictionary batch for it came before this batch`);
      }
    }
  }

  #fail(problem: string): never {
    throw new OupsError("INVALID_ARGUMENT", `Arrow IPC message ${this.#messages} ${problem}`);
  }
}

/** Columns of the stream's schema, and of each dictionary it declares (by id). */
interface Layout {
  nodes: IpcNode[];
  /** The column each dictionary encodes, and the nodes of its values (named after that column). */
  dictionaries: Map<number, { path: string; nodes: IpcNode[] }>;
}

/** A framing of IPC stream bytes that checks every message's header as it arrives (see {@link IpcHeaderCheck}). */
export function checkedIpcFraming(): IpcStreamFraming {
  const headers = new IpcHeaderCheck();
  return new IpcStreamFraming((message, bodyLength, metadata) => headers.check(message, bodyLength, metadata));
}

/** The parts of a record batch header (or of a dictionary batch's data) this check reads. */
interface BatchHeader {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  /** Data buffers of each view column, in column order. */
  variadicBufferCounts?: number[];
}

interface DictionaryHeader {
  id: number;
  data: BatchHeader;
}

/**
 * The schema of a Schema message; `INVALID_ARGUMENT` naming the column when a type is one apache-arrow cannot decode
 * (ListView, LargeListView, RunEndEncoded...), where its reader would only name the type.
 */
function schemaOf(message: Message, metadata: Uint8Array | undefined): Schema {
  try {
    return message.header() as Schema;
  } catch (err) {
    const unknown = metadata === undefined ? undefined : schemaFieldTypes(metadata).find((f) => isUnknownToArrowJs(f.typeId));
    if (unknown === undefined) throw err;
    const name = FLATBUFFER_TYPE_NAMES[unknown.typeId] ?? `type ${unknown.typeId}`;
    throw new OupsError(
      "INVALID_ARGUMENT",
      `column "${unknown.path}" has unsupported type ${name}: the store keeps flat columns (string and binary views are converted, list views and run-end encoded columns are not)`,
      { cause: err },
    );
  }
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
  const views = nodes.filter((node) => node.variadic).length;
  const variadic = header.variadicBufferCounts ?? [];
  if (variadic.length !== views) {
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header has ${variadic.length} variadic buffer counts, the schema's view columns need ${views}`);
  }
  if (!variadic.every((count) => Number.isSafeInteger(count) && count >= 0)) {
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header has a variadic buffer count that is not a count (${variadic.join(", ")})`);
  }
  const buffers = nodes.reduce((n, node) => n + node.buffers, 0) + variadic.reduce((n, count) => n + count, 0);
  if (header.buffers.length !== buffers) {
    throw new OupsError("INVALID_ARGUMENT", `${at}: its header has ${header.buffers.length} buffers, the schema's columns need ${buffers}`);
  }
  let b = 0;
  let view = 0;
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
    const owned = nodes[i].buffers + (nodes[i].variadic ? variadic[view++] : 0);
    for (let j = 0; j < owned; j++) {
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


