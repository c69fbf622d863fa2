import type { DataType, RecordBatch, Schema } from "apache-arrow";
import {
  Binary,
  Field,
  FixedSizeList,
  Int32,
  Int64,
  LargeUtf8,
  List,
  SparseUnion,
  Struct,
  Table,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
} from "apache-arrow";
import type { BatchHeader, IpcMessage } from "./ipc-craft.js";
import { editBatch, streamOf, validMessages } from "./ipc-craft.js";

/**
 * Small valid batches of the column kinds the hostile-request tests corrupt, all ordered on an Int64 `ts` column,
 * and the editing of one message of their IPC stream.
 */

/** `rows` ascending `ts` values. */
export function tsColumn(rows: number) {
  return makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)));
}

/** A one-batch table of `ts` and one more column. */
export function batchWith(name: string, values: ReturnType<typeof makeVector> | ReturnType<typeof vectorFromArray>): RecordBatch {
  return new Table({ ts: tsColumn(values.length), [name]: values }).batches[0]!;
}

const words = (rows: number) => Array.from({ length: rows }, (_, i) => `w${i}é`);

/** Batches of the kinds the cases corrupt, 20 rows each. */
export const kinds = {
  text: () => batchWith("name", vectorFromArray(words(20), new Utf8())),
  largeText: () => batchWith("name", vectorFromArray(words(20), new LargeUtf8())),
  binary: () => batchWith("blob", vectorFromArray(words(20).map((w) => new TextEncoder().encode(w)), new Binary())),
  nulls: () => batchWith("q", vectorFromArray(Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? null : i)), new Int32())),
  struct: () => batchWith("s", vectorFromArray(Array.from({ length: 20 }, (_, i) => ({ a: i })), new Struct([new Field("a", new Int32(), true)]))),
  list: () => batchWith("l", vectorFromArray(Array.from({ length: 20 }, (_, i) => [i, i + 1]), new List(new Field("item", new Int32(), true)))),
  fixedList: () => batchWith("f", vectorFromArray(Array.from({ length: 20 }, (_, i) => [i, -i]), new FixedSizeList(2, new Field("item", new Int32(), true)))),
  union: () => {
    const type = new SparseUnion([0], [new Field("a", new Int32(), true)]);
    const child = makeData({ type: new Int32(), length: 20, data: new Int32Array(20) });
    return batchWith("u", makeVector(makeData({ type, length: 20, nullCount: 0, typeIds: new Int8Array(20), children: [child] })));
  },
} satisfies Record<string, () => RecordBatch>;

/** The stream of `batches` (schema, dictionaries, record batches, end marker) with message `index` of `type` edited. */
export function editedStream(
  schema: Schema,
  batches: readonly RecordBatch[],
  edit: (header: BatchHeader) => void,
  options: { type?: IpcMessage["type"]; index?: number } = {},
): Uint8Array {
  const messages = validMessages(schema, batches);
  const positions = messages.flatMap((m, i) => (m.type === (options.type ?? "record") ? [i] : []));
  const at = positions[options.index ?? 0];
  if (at === undefined) throw new Error(`no ${options.type ?? "record"} message ${options.index ?? 0}`);
  messages[at] = editBatch(messages[at]!, edit);
  return streamOf(messages);
}

/** Sets 32-bit value `index` of buffer `buffer` of a message body. */
export function setInt32(header: BatchHeader, buffer: number, index: number, value: number): void {
  new DataView(header.body.buffer, header.body.byteOffset).setInt32(header.buffers[buffer]!.offset + 4 * index, value, true);
}

/** Sets 64-bit value `index` of buffer `buffer` of a message body. */
export function setInt64(header: BatchHeader, buffer: number, index: number, value: bigint): void {
  new DataView(header.body.buffer, header.body.byteOffset).setBigInt64(header.buffers[buffer]!.offset + 8 * index, value, true);
}

/** Sets byte `index` of buffer `buffer` of a message body. */
export function setByte(header: BatchHeader, buffer: number, index: number, value: number): void {
  header.body[header.buffers[buffer]!.offset + index] = value;
}

/** A schema of `ts` then columns of these names and types, in order (duplicates allowed). */
export function fieldsOf(...columns: [string, DataType][]): Field[] {
  return [new Field("ts", new Int64(), true), ...columns.map(([name, type]) => new Field(name, type, true))];
}
