import test from "ava";
import { status } from "@grpc/grpc-js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RecordBatch, Schema as ArrowSchema } from "apache-arrow";
import {
  Dictionary,
  Field,
  Int32,
  Int64,
  Message,
  MessageHeader,
  MetadataVersion,
  RecordBatch as ArrowRecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from "apache-arrow";
import { randomBytes } from "node:crypto";
import { END_OF_STREAM, encodeSchemaMessage } from "#shared/arrow/ipc-stream.js";
import type {
  QueryIntersectionsRequestSchema,
  RangeQueryRequestSchema,
  UpdateMetadataRequestSchema,
  WriteHeader as WriteHeaderMessage,
  WriteHeaderSchema,
  WriteRequestSchema,
} from "#gen/oups/v1/store_pb.js";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import type { BatchHeader, IpcMessage } from "./helpers/ipc-craft.js";
import { concatBytes, frame, messagesOf, prefix, streamOf, validMessages } from "./helpers/ipc-craft.js";
import { editedStream, fieldsOf, kinds, setByte, setInt32, setInt64 } from "./helpers/hostile-streams.js";
import { marketBatch, marketSchema } from "./helpers/market-data.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { digestTree } from "../helpers/tree-digest.js";

/**
 * Malformed and hostile requests over the raw wire (`client.rpc`, not the SDK, which validates client-side), one
 * table row each. Every case asserts the gRPC status and a message naming the problem, then that the store did not
 * change by a byte (every file hashed before and after) and that the daemon still serves a seeded dataset. The cases
 * run one at a time on one daemon, so that the whole store can be compared.
 */

type WriteRequest = MessageInitShape<typeof WriteRequestSchema>;
/** Write header fields other than the key, as an init object. */
type WriteHeader = Omit<Exclude<MessageInitShape<typeof WriteHeaderSchema>, WriteHeaderMessage>, "$typeName" | "key">;

const shared = useSharedDaemon(test);

/**
 * Seeded datasets: market rows ordered on `timestamp` (the one every case reads back afterwards), text rows ordered on
 * `name`, float and integer rows both ordered on an `x` column, and a dataset for metadata cases (kept apart: a metadata
 * case that a daemon wrongly accepted would leave it too large to describe).
 */
const MARKET = { symbol: "SEED", year: "2024", month: "1" };
const TEXT = { symbol: "TEXT", year: "2024", month: "1" };
const FLOAT = { symbol: "FLOAT", year: "2024", month: "1" };
const INTS = { symbol: "INTS", year: "2024", month: "1" };
const META = { symbol: "META", year: "2024", month: "1" };

test.serial.before(async () => {
  const { client } = shared();
  await client.write(MARKET, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
  await client.write(TEXT, new Table({ name: vectorFromArray(["a", "b", "c"], new Utf8()), n: makeVector(Int32Array.of(1, 2, 3)) }), { orderedOn: "name" });
  await client.write(FLOAT, new Table({ x: makeVector(Float64Array.of(0.5, 1.5, 2.5)) }), { orderedOn: "x" });
  await client.write(INTS, new Table({ x: makeVector(BigInt64Array.of(1n, 2n, 3n)) }), { orderedOn: "x" });
  await client.write(META, new Table({ x: makeVector(BigInt64Array.of(1n)) }), { orderedOn: "x", metadata: { source: "seed" } });
});

let fresh = 0;
/** A key of its own for a case, with no dataset (a failed first write must leave no directory). */
function absent(): KeyFields {
  return { symbol: `H${fresh++}`, year: "2024", month: "1" };
}

const wireKey = (fields: KeyFields) => ({ fields: { ...fields } });

function header(key: KeyFields, extra: Partial<WriteHeader> = {}): WriteRequest {
  return { kind: { case: "header", value: { key: wireKey(key), orderedOn: "ts", ...extra } } };
}

function chunk(bytes: Uint8Array): WriteRequest {
  return { kind: { case: "arrowIpc", value: bytes } };
}

/** A raw Write of `bytes` in one chunk to a key of its own (ordered on `ts` unless told otherwise). */
function writeBytes(bytes: Uint8Array, extra: Partial<WriteHeader> = {}, key: KeyFields = absent()) {
  return () => shared().client.rpc.write([header(key, extra), chunk(bytes)]);
}

/** A raw Write of the market stream (`batches`, ordered on `timestamp`) with record batch `index` edited. */
function writeMarket(edit: (h: BatchHeader) => void, options: { type?: "record" | "dictionary"; index?: number; batches?: RecordBatch[] } = {}) {
  const batches = options.batches ?? [marketBatch(0, 50)];
  return writeBytes(editedStream(marketSchema, batches, edit, options), { orderedOn: "timestamp" });
}

/** A raw Write of one batch of `kind` with its record batch edited. */
function writeKind(batch: RecordBatch, edit: (h: BatchHeader) => void) {
  return writeBytes(editedStream(batch.schema, [batch], edit));
}

async function drain(responses: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of responses);
}

function rangeQuery(request: MessageInitShape<typeof RangeQueryRequestSchema>) {
  return () => drain(shared().client.rpc.rangeQuery(request));
}

function queryIntersections(request: MessageInitShape<typeof QueryIntersectionsRequestSchema>) {
  return () => drain(shared().client.rpc.queryIntersections(request));
}

function updateMetadata(request: MessageInitShape<typeof UpdateMetadataRequestSchema>) {
  return () => shared().client.rpc.updateMetadata(request);
}

/** A batch of `schema` built from its columns as they are (duplicate names allowed). */
function rawBatch(schema: ArrowSchema, columns: ReturnType<typeof makeData>[]): RecordBatch {
  return new ArrowRecordBatch(schema, makeData({ type: new Struct(schema.fields), length: columns[0]!.length, nullCount: 0, children: columns }));
}

const int32s = (n: number) => makeData({ type: new Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i) });
const ts = (n: number) => makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) });

interface HostileCase {
  title: string;
  call: () => Promise<unknown>;
  status: status;
  message: RegExp;
}

/** The market stream's columns, in order: each owns two body buffers of its record batches, validity then data. */
const MARKET_COLUMNS = ["timestamp", "symbol", "price", "qty"] as const;

const streamFraming: HostileCase[] = [
  { title: "a Write with no message at all", call: () => shared().client.rpc.write([]), status: status.INVALID_ARGUMENT, message: /first message of a Write must be its header/ },
  { title: "a Write starting with an arrow_ipc chunk", call: () => shared().client.rpc.write([chunk(encodeSchemaMessage(marketSchema))]), status: status.INVALID_ARGUMENT, message: /first message of a Write must be its header/ },
  { title: "a Write whose first message sets no field", call: () => shared().client.rpc.write([{}]), status: status.INVALID_ARGUMENT, message: /first message of a Write must be its header/ },
  { title: "a Write of a header alone", call: () => shared().client.rpc.write([header(absent())]), status: status.INVALID_ARGUMENT, message: /carries an Arrow IPC stream after its header/ },
  { title: "a Write with two headers", call: () => { const key = absent(); return shared().client.rpc.write([header(key), header(key)]); }, status: status.INVALID_ARGUMENT, message: /one header, first/ },
  { title: "a Write with a header after its chunks", call: () => { const key = absent(); return shared().client.rpc.write([header(key, { orderedOn: "timestamp" }), chunk(encodeSchemaMessage(marketSchema)), header(key)]); }, status: status.INVALID_ARGUMENT, message: /one header, first/ },
  { title: "a Write with an empty message among its chunks", call: () => shared().client.rpc.write([header(absent(), { orderedOn: "timestamp" }), chunk(encodeSchemaMessage(marketSchema)), {}]), status: status.INVALID_ARGUMENT, message: /then only arrow_ipc chunks/ },
  { title: "a Write of zero-length chunks only", call: () => shared().client.rpc.write([header(absent()), chunk(new Uint8Array(0)), chunk(new Uint8Array(0))]), status: status.INVALID_ARGUMENT, message: /no Arrow IPC data received/ },
  { title: "a Write of random bytes", call: writeBytes(randomBytes(4096)), status: status.INVALID_ARGUMENT, message: /not an Arrow IPC stream|not a valid Arrow IPC stream/ },
  { title: "a Write of one zero byte", call: writeBytes(new Uint8Array(1)), status: status.INVALID_ARGUMENT, message: /Arrow IPC/ },
  { title: "a Write of the end marker alone", call: writeBytes(END_OF_STREAM), status: status.INVALID_ARGUMENT, message: /not an Arrow IPC stream/ },
  { title: "a schema followed by random bytes", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), randomBytes(4096)]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /Arrow IPC/ },
  { title: "a valid stream without its end marker", call: writeBytes(streamOf(validMessages(marketSchema, [marketBatch(0, 50)]), false), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /without its end-of-stream marker/ },
  { title: "a schema alone without its end marker", call: writeBytes(encodeSchemaMessage(marketSchema), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /without its end-of-stream marker/ },
  {
    title: "a stream cut in the middle of a record batch body",
    call: () => {
      const whole = streamOf(validMessages(marketSchema, [marketBatch(0, 50)]), false);
      return writeBytes(whole.subarray(0, whole.byteLength - 300), { orderedOn: "timestamp" })();
    },
    status: status.INVALID_ARGUMENT,
    message: /bytes for message body|end-of-stream/,
  },
  {
    title: "a stream cut in the middle of a message's metadata",
    call: () => writeBytes(concatBytes([encodeSchemaMessage(marketSchema), validMessages(marketSchema, [marketBatch(0, 50)])[1]!.bytes.subarray(0, 20)]), { orderedOn: "timestamp" })(),
    status: status.INVALID_ARGUMENT,
    message: /metadata bytes|end-of-stream/,
  },
  { title: "a metadata length prefix of 0x7FFFFFFF after the schema (nothing of it allocated)", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), prefix(0x7fffffff), new Uint8Array(64)]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /announces 2147483647 bytes of metadata, more than the 67108864/ },
  { title: "a metadata length prefix of 0x7FFFFFFF as the first message", call: writeBytes(concatBytes([prefix(0x7fffffff), new Uint8Array(64)])), status: status.INVALID_ARGUMENT, message: /announces 2147483647 bytes of metadata/ },
  { title: "a negative metadata length", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), prefix(-8), END_OF_STREAM]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /negative metadata length \(-8\)/ },
  { title: "a metadata length larger than the bytes that follow", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), prefix(4096), new Uint8Array(16)]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /Expected to read 4096 metadata bytes/ },
  { title: "metadata of zero bytes that is not a message", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), prefix(16), new Uint8Array(16), END_OF_STREAM]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /Arrow IPC message 1 is of type NONE|Arrow IPC/ },
  { title: "a message of type NONE", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), frame(Message.encode(new Message(0, MetadataVersion.V5, MessageHeader.NONE)), new Uint8Array(0)), END_OF_STREAM]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /^Arrow IPC message 1 is of type NONE, not a schema, dictionary batch or record batch$/ },
  { title: "a tensor message", call: writeBytes(concatBytes([encodeSchemaMessage(marketSchema), frame(Message.encode(new Message(8, MetadataVersion.V5, MessageHeader.Tensor)), new Uint8Array(8)), END_OF_STREAM]), { orderedOn: "timestamp" }), status: status.INVALID_ARGUMENT, message: /Arrow IPC message 1 is of type Tensor/ },
  {
    title: "a second schema message, of other columns, before more batches",
    call: () => {
      const other = kinds.text();
      const first = validMessages(marketSchema, [marketBatch(0, 50)]);
      return writeBytes(streamOf([...first, ...validMessages(other.schema, [other])]), { orderedOn: "timestamp" })();
    },
    status: status.INVALID_ARGUMENT,
    message: /^Arrow IPC message 3 is a second schema message/,
  },
  {
    title: "the same schema message twice",
    call: () => {
      const [schema, ...rest] = validMessages(marketSchema, [marketBatch(0, 50)]);
      return writeBytes(streamOf([schema!, schema!, ...rest]), { orderedOn: "timestamp" })();
    },
    status: status.INVALID_ARGUMENT,
    message: /Arrow IPC message 1 is a second schema message/,
  },
  {
    title: "a record batch before any schema",
    call: writeBytes(streamOf(validMessages(marketSchema, [marketBatch(0, 50)]).filter((m) => m.type === "record")), { orderedOn: "timestamp" }),
    status: status.INVALID_ARGUMENT,
    message: /Expected Schema Message|Arrow IPC/,
  },
  {
    title: "a record batch announcing a negative body length",
    call: writeMarket((h) => void (h.bodyLength = -8)),
    status: status.INVALID_ARGUMENT,
    message: /announces a negative body length \(-8\)/,
  },
  {
    title: "a record batch announcing more body than the stream holds",
    call: writeMarket((h) => void (h.bodyLength += 4096)),
    status: status.INVALID_ARGUMENT,
    message: /Expected to read \d+ bytes for message body|end-of-stream/,
  },
  {
    title: "a record batch announcing less body than it carries",
    call: writeMarket((h) => void (h.bodyLength -= 400)),
    status: status.INVALID_ARGUMENT,
    message: /batch 1, column "(price|qty)": buffer 1 spans bytes \d+ to \d+, outside the message body of 800 bytes/,
  },
];

const batchHeaderLies: HostileCase[] = [
  { title: "a batch claiming 100,000,000 rows over a 50-row body", call: writeMarket((h) => void (h.length = 100_000_000)), status: status.INVALID_ARGUMENT, message: /^batch 1, column "timestamp": 50 rows, but the batch header says 100000000$/ },
  { title: "a batch claiming 10 rows over a 50-row body", call: writeMarket((h) => void (h.length = 10)), status: status.INVALID_ARGUMENT, message: /^batch 1, column "timestamp": 50 rows, but the batch header says 10$/ },
  { title: "a batch claiming no rows over a 50-row body", call: writeMarket((h) => void (h.length = 0)), status: status.INVALID_ARGUMENT, message: /batch 1, column "timestamp": 50 rows, but the batch header says 0/ },
  { title: "a batch claiming -1 rows", call: writeMarket((h) => void (h.length = -1)), status: status.INVALID_ARGUMENT, message: /batch 1: its header claims -1 rows/ },
  {
    title: "a batch and all its columns claiming 100,000,000 rows over a 50-row body",
    call: writeMarket((h) => {
      h.length = 100_000_000;
      for (const node of h.nodes) node.length = 100_000_000;
    }),
    status: status.INVALID_ARGUMENT,
    message: /^batch 1, column "timestamp": values buffer holds 50 of its 100000000 rows/,
  },
  {
    title: "the third batch of a stream claiming more rows than its body holds",
    call: writeMarket(
      (h) => {
        h.length = 80;
        for (const node of h.nodes) node.length = 80;
      },
      { index: 2, batches: [marketBatch(0, 50), marketBatch(50, 50), marketBatch(100, 50)] },
    ),
    status: status.INVALID_ARGUMENT,
    message: /^batch 3, column "timestamp": values buffer holds 50 of its 80 rows/,
  },
  ...MARKET_COLUMNS.map((column, i) => ({
    title: `a batch whose "${column}" column claims one row less than the batch`,
    call: writeMarket((h) => void (h.nodes[i]!.length = 49)),
    status: status.INVALID_ARGUMENT,
    message: new RegExp(`^batch 1, column "${column}": 49 rows, but the batch header says 50$`),
  })),
  { title: "a column with a negative row count", call: writeMarket((h) => void (h.nodes[2]!.length = -5)), status: status.INVALID_ARGUMENT, message: /batch 1, column "price": its header claims -5 rows/ },
  { title: "a column whose null count exceeds its rows", call: writeMarket((h) => void (h.nodes[3]!.nullCount = 51)), status: status.INVALID_ARGUMENT, message: /batch 1, column "qty": null count 51 is outside 0\.\.50/ },
  { title: "a column with a negative null count", call: writeMarket((h) => void (h.nodes[0]!.nullCount = -1)), status: status.INVALID_ARGUMENT, message: /batch 1, column "timestamp": null count -1 is outside/ },
  { title: "a column with nulls but no validity bitmap", call: writeMarket((h) => void (h.nodes[2]!.nullCount = 3)), status: status.INVALID_ARGUMENT, message: /batch 1, column "price": null count 3 but no validity bitmap/ },
  { title: "a header with one field node too few", call: writeMarket((h) => void h.nodes.pop()), status: status.INVALID_ARGUMENT, message: /batch 1: its header has 3 field nodes, the schema's columns need 4/ },
  { title: "a header with one field node too many", call: writeMarket((h) => void h.nodes.push({ length: 50, nullCount: 0 })), status: status.INVALID_ARGUMENT, message: /batch 1: its header has 5 field nodes/ },
  { title: "a header with one buffer too few", call: writeMarket((h) => void h.buffers.pop()), status: status.INVALID_ARGUMENT, message: /batch 1: its header has 7 buffers, the schema's columns need 8/ },
  { title: "a header with one buffer too many", call: writeMarket((h) => void h.buffers.push({ offset: 0, length: 0 })), status: status.INVALID_ARGUMENT, message: /batch 1: its header has 9 buffers/ },
  { title: "a header with no nodes and no buffers", call: writeMarket((h) => { h.nodes = []; h.buffers = []; }), status: status.INVALID_ARGUMENT, message: /its header has 0 field nodes/ },
  ...MARKET_COLUMNS.map((column, i) => ({
    title: `a "${column}" data buffer pointing past the body`,
    call: writeMarket((h) => void (h.buffers[2 * i + 1]!.offset += 100_000)),
    status: status.INVALID_ARGUMENT,
    message: new RegExp(`^batch 1, column "${column}": buffer 1 spans bytes \\d+ to \\d+, outside the message body of 1200 bytes$`),
  })),
  { title: "a data buffer longer than the body", call: writeMarket((h) => void (h.buffers[5]!.length = 1 << 20)), status: status.INVALID_ARGUMENT, message: /column "price": buffer 1 spans bytes 600 to 1049176/ },
  { title: "a buffer at a negative offset", call: writeMarket((h) => void (h.buffers[1]!.offset = -400)), status: status.INVALID_ARGUMENT, message: /column "timestamp": buffer 1 spans bytes -400 to 0/ },
  { title: "a buffer of negative length", call: writeMarket((h) => void (h.buffers[7]!.length = -200)), status: status.INVALID_ARGUMENT, message: /column "qty": buffer 1 spans bytes 1000 to 800/ },
  { title: "a validity buffer pointing past the body", call: writeMarket((h) => void (h.buffers[0]!.offset = 5000)), status: status.INVALID_ARGUMENT, message: /column "timestamp": buffer 0 spans bytes 5000/ },
  { title: "a data buffer cut short inside the body", call: writeMarket((h) => void (h.buffers[5]!.length = 80)), status: status.INVALID_ARGUMENT, message: /^batch 1, column "price": values buffer holds 10 of its 50 rows/ },
  { title: "an indices buffer cut short inside the body", call: writeMarket((h) => void (h.buffers[3]!.length = 40)), status: status.INVALID_ARGUMENT, message: /^batch 1, column "symbol": indices buffer holds 10 of its 50 rows/ },
  { title: "a data buffer misaligned for its type", call: writeMarket((h) => void (h.buffers[5]!.offset += 4)), status: status.INVALID_ARGUMENT, message: /not a valid Arrow IPC stream: .*multiple of 8/ },
  { title: "a zero-length data buffer for 50 rows", call: writeMarket((h) => void (h.buffers[1]!.length = 0)), status: status.INVALID_ARGUMENT, message: /column "timestamp": values buffer holds 0 of its 50 rows/ },
];

// The nullable Int32 column `q` of kinds.nulls(): buffers [ts validity, ts data, q validity, q data]; 7 nulls in 20 rows.
const nullsCases: HostileCase[] = [
  { title: "a null count lower than the bitmap's nulls", call: writeKind(kinds.nulls(), (h) => void (h.nodes[1]!.nullCount = 2)), status: status.INVALID_ARGUMENT, message: /column "q": null count 2 but its validity bitmap has 7 nulls/ },
  { title: "a null count higher than the bitmap's nulls", call: writeKind(kinds.nulls(), (h) => void (h.nodes[1]!.nullCount = 12)), status: status.INVALID_ARGUMENT, message: /column "q": null count 12 but its validity bitmap has 7 nulls/ },
  { title: "a validity bitmap shorter than the rows", call: writeKind(kinds.nulls(), (h) => void (h.buffers[2]!.length = 1)), status: status.INVALID_ARGUMENT, message: /column "q": validity bitmap holds 8 of its 20 rows/ },
  { title: "nulls with a zero-length validity bitmap", call: writeKind(kinds.nulls(), (h) => void (h.buffers[2]!.length = 0)), status: status.INVALID_ARGUMENT, message: /column "q": null count 7 but no validity bitmap/ },
  { title: "a validity bitmap pointing past the body", call: writeKind(kinds.nulls(), (h) => void (h.buffers[2]!.offset = 1 << 16)), status: status.INVALID_ARGUMENT, message: /column "q": buffer 0 spans bytes 65536/ },
];

// Utf8 `name` of kinds.text(): buffers [ts validity, ts data, name validity, name offsets, name data].
const offsetsCases: HostileCase[] = [
  { title: "string offsets that decrease", call: writeKind(kinds.text(), (h) => setInt32(h, 3, 5, 2)), status: status.INVALID_ARGUMENT, message: /column "name": offsets decrease at row 5/ },
  { title: "a negative first string offset", call: writeKind(kinds.text(), (h) => setInt32(h, 3, 0, -4)), status: status.INVALID_ARGUMENT, message: /column "name": offset of row 0 is negative/ },
  { title: "a last string offset past the string bytes", call: writeKind(kinds.text(), (h) => setInt32(h, 3, 20, 10_000)), status: status.INVALID_ARGUMENT, message: /column "name": last offset 10000 is past its \d+ bytes of values/ },
  { title: "a string offsets buffer cut short", call: writeKind(kinds.text(), (h) => void (h.buffers[3]!.length = 40)), status: status.INVALID_ARGUMENT, message: /column "name": offsets buffer holds 10 of its 21 offsets/ },
  { title: "a string bytes buffer cut short", call: writeKind(kinds.text(), (h) => void (h.buffers[4]!.length = 8)), status: status.INVALID_ARGUMENT, message: /column "name": last offset \d+ is past its 8 bytes of values/ },
  { title: "string bytes that are not UTF-8", call: writeKind(kinds.text(), (h) => setByte(h, 4, 1, 0xff)), status: status.INVALID_ARGUMENT, message: /column "name": value at row 1 is not valid UTF-8/ },
  { title: "a string offset inside a two-byte character", call: writeKind(kinds.text(), (h) => setInt32(h, 3, 1, 3)), status: status.INVALID_ARGUMENT, message: /column "name": value at row 1 is not valid UTF-8/ },
  { title: "large-string offsets that decrease", call: writeKind(kinds.largeText(), (h) => setInt64(h, 3, 5, 2n)), status: status.INVALID_ARGUMENT, message: /column "name": offsets decrease at row 5/ },
  { title: "a large-string offset past 2^32", call: writeKind(kinds.largeText(), (h) => setInt64(h, 3, 20, 2n ** 33n)), status: status.INVALID_ARGUMENT, message: /column "name": last offset 8589934592 is past/ },
  { title: "binary offsets past the bytes", call: writeKind(kinds.binary(), (h) => setInt32(h, 3, 20, 5000)), status: status.INVALID_ARGUMENT, message: /column "blob": last offset 5000 is past/ },
  { title: "binary offsets that decrease", call: writeKind(kinds.binary(), (h) => setInt32(h, 3, 10, 0)), status: status.INVALID_ARGUMENT, message: /column "blob": offsets decrease at row 10/ },
];

/** The market stream with its dictionary message (index 1) dropped, replaced or followed by `extra` messages. */
function marketWithDictionary(dictionary: (messages: IpcMessage[]) => IpcMessage[]) {
  return writeBytes(streamOf(dictionary(validMessages(marketSchema, [marketBatch(0, 50)]))), { orderedOn: "timestamp" });
}

// Dictionary batch of the market `symbol` column: 4 strings, buffers [validity, offsets, data].
const dictionaryCases: HostileCase[] = [
  { title: "a dictionary index past the dictionary", call: writeMarket((h) => setInt32(h, 3, 7, 4)), status: status.INVALID_ARGUMENT, message: /^batch 1, column "symbol": dictionary index 4 at row 8 is outside the dictionary's 4 values$/ },
  { title: "a negative dictionary index", call: writeMarket((h) => setInt32(h, 3, 0, -1)), status: status.INVALID_ARGUMENT, message: /column "symbol": dictionary index -1 at row 1/ },
  { title: "a huge dictionary index", call: writeMarket((h) => setInt32(h, 3, 49, 0x7fffffff)), status: status.INVALID_ARGUMENT, message: /dictionary index 2147483647 at row 50/ },
  { title: "a dictionary column with no dictionary message", call: marketWithDictionary((m) => m.filter((x) => x.type !== "dictionary")), status: status.INVALID_ARGUMENT, message: /batch 1, column "symbol": dictionary-encoded, but no dictionary batch for it came before this batch/ },
  { title: "a dictionary message of an unknown id", call: writeMarket((h) => void (h.id = 9), { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /dictionary batch before batch 1 has dictionary id 9, which no column of the schema declares/ },
  { title: "a dictionary message claiming more values than it holds", call: writeMarket((h) => { h.length = 100; h.nodes[0]!.length = 100; }, { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /batch 1, column "symbol" \(dictionary\): offsets buffer holds \d+ of its 101 offsets/ },
  { title: "a dictionary message whose node disagrees with its length", call: writeMarket((h) => void (h.nodes[0]!.length = 3), { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /dictionary batch before batch 1, column "symbol": 3 rows, but the batch header says 4/ },
  { title: "dictionary values past the body", call: writeMarket((h) => void (h.buffers[2]!.offset = 4096), { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /dictionary batch before batch 1, column "symbol": buffer 2 spans bytes 4096/ },
  { title: "dictionary values that are not UTF-8", call: writeMarket((h) => setByte(h, 2, 0, 0xc3), { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /column "symbol" \(dictionary\): value at row 1 is not valid UTF-8/ },
  { title: "dictionary offsets that decrease", call: writeMarket((h) => setInt32(h, 1, 2, 1), { type: "dictionary" }), status: status.INVALID_ARGUMENT, message: /column "symbol" \(dictionary\): offsets decrease at row 2/ },
  {
    title: "a replacement dictionary too small for the next batch's indices",
    call: marketWithDictionary((m) => {
      // Rows 50.. start with symbol 2, which the replacement no longer has.
      const [, , record] = validMessages(marketSchema, [marketBatch(50, 50)]);
      return [...m, twoSymbolDictionary(), record!];
    }),
    status: status.INVALID_ARGUMENT,
    message: /^batch 2, column "symbol": dictionary index 2 at row 1 is outside the dictionary's 2 values$/,
  },
];

/** A dictionary message for the market `symbol` column (id 0) holding only its first two values. */
function twoSymbolDictionary(): IpcMessage {
  const schema = new Schema([new Field("symbol", new Dictionary(new Utf8(), new Int32(), 0), true)]);
  const symbols = vectorFromArray(["AAPL", "MSFT"], new Utf8());
  const batch = rawBatch(schema, [makeData({ type: schema.fields[0]!.type as Dictionary<Utf8, Int32>, length: 1, data: Int32Array.of(0), dictionary: symbols })]);
  return validMessages(schema, [batch]).find((m) => m.type === "dictionary")!;
}

// Nested columns (the store refuses them at the schema; the first cases are refused earlier, by the header check):
// struct s {a} (nodes [ts, s, s.a]; buffers [ts v, ts d, s v, a v, a d]), list l<item> (nodes [ts, l,
// l.item]; buffers [ts v, ts d, l v, l offsets, item v, item d]), fixed-size list f (nodes [ts, f, f.item]).
const nestedCases: HostileCase[] = [
  { title: "a struct child claiming fewer rows than its struct", call: writeKind(kinds.struct(), (h) => void (h.nodes[2]!.length = 15)), status: status.INVALID_ARGUMENT, message: /^column "s" has unsupported type / },
  { title: "a struct child claiming more rows than its body holds", call: writeKind(kinds.struct(), (h) => { h.nodes[2]!.length = 40; }), status: status.INVALID_ARGUMENT, message: /^column "s" has unsupported type / },
  { title: "a struct child with a null count beyond its rows", call: writeKind(kinds.struct(), (h) => void (h.nodes[2]!.nullCount = 21)), status: status.INVALID_ARGUMENT, message: /column "s\.a": null count 21 is outside 0\.\.20/ },
  { title: "a struct child's buffer past the body", call: writeKind(kinds.struct(), (h) => void (h.buffers[4]!.offset = 1 << 20)), status: status.INVALID_ARGUMENT, message: /column "s\.a": buffer 1 spans bytes 1048576/ },
  { title: "list offsets past the list's child rows", call: writeKind(kinds.list(), (h) => setInt32(h, 3, 20, 41)), status: status.INVALID_ARGUMENT, message: /^column "l" has unsupported type / },
  { title: "list offsets that decrease", call: writeKind(kinds.list(), (h) => setInt32(h, 3, 3, 0)), status: status.INVALID_ARGUMENT, message: /^column "l" has unsupported type / },
  { title: "a list child claiming fewer rows than the offsets reach", call: writeKind(kinds.list(), (h) => void (h.nodes[2]!.length = 30)), status: status.INVALID_ARGUMENT, message: /^column "l" has unsupported type / },
  { title: "a list child whose values are cut short", call: writeKind(kinds.list(), (h) => void (h.buffers[5]!.length = 16)), status: status.INVALID_ARGUMENT, message: /^column "l" has unsupported type / },
  { title: "a fixed-size list child claiming fewer rows than the lists need", call: writeKind(kinds.fixedList(), (h) => void (h.nodes[2]!.length = 39)), status: status.INVALID_ARGUMENT, message: /^column "f" has unsupported type / },
];

const schemaCases: HostileCase[] = [
  {
    title: "duplicate column names",
    call: () => {
      const schema = new Schema(fieldsOf(["x", new Int32()], ["x", new Int32()]));
      return writeBytes(streamOf(validMessages(schema, [rawBatch(schema, [ts(5), int32s(5), int32s(5)])])))();
    },
    status: status.INVALID_ARGUMENT,
    message: /duplicate column name "x"/,
  },
  {
    title: "duplicate field names in a struct",
    call: () => {
      const inner = new Struct([new Field("a", new Int32(), true), new Field("a", new Int32(), true)]);
      const schema = new Schema(fieldsOf(["s", inner]));
      const s = makeData({ type: inner, length: 5, nullCount: 0, children: [int32s(5), int32s(5)] });
      return writeBytes(streamOf(validMessages(schema, [rawBatch(schema, [ts(5), s])])))();
    },
    status: status.INVALID_ARGUMENT,
    message: /duplicate field name "s\.a"/,
  },
  { title: "a union column", call: () => writeBytes(streamOf(validMessages(kinds.union().schema, [kinds.union()])))(), status: status.INVALID_ARGUMENT, message: /column "u" has unsupported type .*Parquet has no union type/ },
  { title: "a write ordered on a column it lacks", call: () => writeBytes(streamOf(validMessages(kinds.text().schema, [kinds.text()])), { orderedOn: "nope" })(), status: status.INVALID_ARGUMENT, message: /"nope"/ },
  { title: "a write ordered on a struct column", call: () => writeBytes(streamOf(validMessages(kinds.struct().schema, [kinds.struct()])), { orderedOn: "s" })(), status: status.INVALID_ARGUMENT, message: /^ordered column "s" has type Struct<\{a:Int32\}>, which cannot be ordered/ },
  { title: "a first write without ordered_on", call: () => writeBytes(streamOf(validMessages(kinds.text().schema, [kinds.text()])), { orderedOn: "" })(), status: status.INVALID_ARGUMENT, message: /ordered_on is required/ },
  {
    title: "rows with an extra column written to the seeded dataset",
    call: () => {
      const extra = new Table({ ...Object.fromEntries(marketSchema.fields.map((f) => [f.name, marketBatch(200, 5).getChild(f.name)!])), x: makeVector(Int32Array.of(1, 2, 3, 4, 5)) });
      return writeBytes(streamOf(validMessages(extra.schema, extra.batches)), { orderedOn: "timestamp" }, MARKET)();
    },
    status: status.FAILED_PRECONDITION,
    message: /extra column "x"/,
  },
  {
    title: "rows of another type written to the seeded text dataset",
    call: () => writeBytes(streamOf(validMessages(new Table({ name: makeVector(Int32Array.of(1)), n: makeVector(Int32Array.of(1)) }).schema, new Table({ name: makeVector(Int32Array.of(1)), n: makeVector(Int32Array.of(1)) }).batches)), { orderedOn: "name" }, TEXT)(),
    status: status.FAILED_PRECONDITION,
    message: /column "name": expected Utf8, got Int32/,
  },
  { title: "an ordered_on other than the seeded dataset's", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])), { orderedOn: "qty" }, MARKET)(), status: status.FAILED_PRECONDITION, message: /ordered_on "qty" does not match the dataset's "timestamp"/ },
  { title: "rows out of order", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 10, { timestampMs: (i) => (i === 205 ? 0 : i) })])), { orderedOn: "timestamp" }, MARKET)(), status: status.INVALID_ARGUMENT, message: /rows not ordered on "timestamp": batch 1, row 6 / },
  { title: "a NaN in a float ordered column", call: () => writeBytes(streamOf(validMessages(new Table({ x: makeVector(Float64Array.of(3, Number.NaN)) }).schema, new Table({ x: makeVector(Float64Array.of(3, Number.NaN)) }).batches)), { orderedOn: "x" }, FLOAT)(), status: status.INVALID_ARGUMENT, message: /NaN in ordered column "x" at row 2/ },
  { title: "duplicates_on naming an unknown column", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])), { orderedOn: "timestamp", duplicatesOn: ["nope"] }, MARKET)(), status: status.INVALID_ARGUMENT, message: /nope/ },
  { title: "a row-group period on an integer ordered column", call: () => writeBytes(streamOf(validMessages(kinds.text().schema, [kinds.text()])), { rowGroupTarget: { target: { case: "period", value: "2h" } } })(), status: status.INVALID_ARGUMENT, message: /needs a timestamp ordered_on column/ },
  { title: "an unknown row-group period", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])), { orderedOn: "timestamp", rowGroupTarget: { target: { case: "period", value: "3x" } } }, MARKET)(), status: status.INVALID_ARGUMENT, message: /3x/ },
  { title: "a row-group target of zero rows", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])), { orderedOn: "timestamp", rowGroupTarget: { target: { case: "rows", value: 0n } } }, MARKET)(), status: status.INVALID_ARGUMENT, message: /row group target/ },
  { title: "an unknown compression codec", call: () => writeBytes(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])), { orderedOn: "timestamp", compression: "lzma" }, MARKET)(), status: status.INVALID_ARGUMENT, message: /lzma/ },
];

/** Invalid keys and what the daemon says of them. */
const badKeys: { title: string; key: Record<string, string>; message: RegExp }[] = [
  { title: '".." as a value', key: { ...MARKET, symbol: ".." }, message: /dots are not allowed/ },
  { title: '"." as a value', key: { ...MARKET, symbol: "." }, message: /dots are not allowed/ },
  { title: "a slash in a value", key: { ...MARKET, symbol: "a/b" }, message: /path separator "\/"/ },
  { title: "a leading slash", key: { ...MARKET, symbol: "/etc" }, message: /path separator "\/"/ },
  { title: "a backslash in a value", key: { ...MARKET, symbol: "..\\x" }, message: /dots are not allowed|path separator/ },
  { title: "a NUL in a value", key: { ...MARKET, symbol: "a\0b" }, message: /non-printable character U\+0000/ },
  { title: "a newline in a value", key: { ...MARKET, symbol: "a\nb" }, message: /non-printable character U\+000A/ },
  { title: "a bidi override in a value", key: { ...MARKET, symbol: "a\u202eb" }, message: /non-printable character U\+202E/ },
  { title: "a 10,000-character value", key: { ...MARKET, symbol: "A".repeat(10_000) }, message: /10000 characters long, over the limit of 128/ },
  { title: "an empty value", key: { ...MARKET, symbol: "" }, message: /is empty/ },
  { title: "the field separator in a value", key: { ...MARKET, symbol: "A-B" }, message: /field separator "-"/ },
  { title: "an unknown field", key: { ...MARKET, day: "3" }, message: /unknown field "day"/ },
  { title: "a missing field", key: { symbol: "SEED", year: "2024" }, message: /missing field "month"/ },
  { title: "no field at all", key: {}, message: /missing field "symbol"/ },
  { title: "a non-canonical integer", key: { ...MARKET, month: "01" }, message: /canonical base-10 integer/ },
  { title: "an integer with a plus sign", key: { ...MARKET, month: "+1" }, message: /canonical base-10 integer/ },
  { title: "an integer beyond 2^53", key: { ...MARKET, year: "99999999999999999999" }, message: /canonical base-10 integer within the safe integer range/ },
  { title: "a field named __proto__", key: { ...MARKET, ["__proto__"]: "x" }, message: /unknown field "__proto__"/ },
];

const keyCalls: { name: string; call: (key: Record<string, string>) => () => Promise<unknown> }[] = [
  { name: "Describe", call: (key) => () => shared().client.rpc.describe({ key: { fields: key } }) },
  { name: "Write", call: (key) => () => shared().client.rpc.write([{ kind: { case: "header", value: { key: { fields: key }, orderedOn: "timestamp" } } }, chunk(streamOf(validMessages(marketSchema, [marketBatch(200, 5)])))]) },
  { name: "RangeQuery", call: (key) => rangeQuery({ key: { fields: key } }) },
  { name: "GetMetadata", call: (key) => () => shared().client.rpc.getMetadata({ key: { fields: key } }) },
  { name: "UpdateMetadata", call: (key) => updateMetadata({ key: { fields: key }, set: { a: "b" } }) },
  { name: "Remove", call: (key) => () => shared().client.rpc.remove({ key: { fields: key } }) },
];

const keyCases: HostileCase[] = [
  ...badKeys.flatMap(({ title, key, message }) =>
    // Every call for the path tricks; Describe and Write for the rest.
    keyCalls
      .filter(({ name }) => /\.|slash|NUL|10,000/.test(title) || name === "Describe" || name === "Write")
      .map(({ name, call }) => ({ title: `${name} with a key holding ${title}`, call: call(key), status: status.INVALID_ARGUMENT, message })),
  ),
  { title: "Describe without a key", call: () => shared().client.rpc.describe({}), status: status.INVALID_ARGUMENT, message: /missing field "symbol"/ },
  { title: "QueryIntersections with an invalid key among valid ones", call: queryIntersections({ keys: [wireKey(MARKET), { fields: { ...MARKET, symbol: ".." } }] }), status: status.INVALID_ARGUMENT, message: /dots are not allowed/ },
  { title: "ListKeys filtering on an unknown field", call: () => shared().client.rpc.listKeys({ prefix: { fields: { day: "1" } } }), status: status.INVALID_ARGUMENT, message: /unknown field "day"/ },
  { title: "ListKeys filtering on a path trick", call: () => shared().client.rpc.listKeys({ prefix: { fields: { symbol: "../x" } } }), status: status.INVALID_ARGUMENT, message: /dots are not allowed|path separator/ },
  { title: "Describe of a key holding no dataset", call: () => shared().client.rpc.describe({ key: wireKey(absent()) }), status: status.NOT_FOUND, message: /no dataset/ },
  { title: "Remove of a key holding no dataset", call: () => shared().client.rpc.remove({ key: wireKey(absent()) }), status: status.NOT_FOUND, message: /no dataset/ },
  { title: "UpdateMetadata of a key holding no dataset", call: updateMetadata({ key: wireKey(absent()), set: { a: "b" } }), status: status.NOT_FOUND, message: /no dataset/ },
];

const queryCases: HostileCase[] = [
  { title: "RangeQuery projecting an unknown column", call: rangeQuery({ key: wireKey(MARKET), columns: ["price", "nope"] }), status: status.INVALID_ARGUMENT, message: /"nope"/ },
  { title: "RangeQuery projecting a column twice", call: rangeQuery({ key: wireKey(MARKET), columns: ["price", "price"] }), status: status.INVALID_ARGUMENT, message: /columns asked for twice: price/ },
  { title: "RangeQuery projecting an empty column name", call: rangeQuery({ key: wireKey(MARKET), columns: [""] }), status: status.INVALID_ARGUMENT, message: /""/ },
  { title: "RangeQuery with a string bound on a timestamp column", call: rangeQuery({ key: wireKey(MARKET), start: { value: { case: "stringValue", value: "2024-01-02" } } }), status: status.INVALID_ARGUMENT, message: /string.*"timestamp"/ },
  { title: "RangeQuery with a timestamp bound on a text column", call: rangeQuery({ key: wireKey(TEXT), end: { value: { case: "timestampValue", value: { seconds: 0n, nanos: 0 } } } }), status: status.INVALID_ARGUMENT, message: /timestamp/ },
  { title: "RangeQuery of a key holding no dataset", call: rangeQuery({ key: wireKey(absent()) }), status: status.NOT_FOUND, message: /no dataset/ },
  { title: "QueryIntersections projecting an unknown column", call: queryIntersections({ keys: [wireKey(MARKET)], columns: ["nope"] }), status: status.INVALID_ARGUMENT, message: /"nope"/ },
  { title: "QueryIntersections of a key holding no dataset", call: queryIntersections({ keys: [wireKey(MARKET), wireKey(absent())] }), status: status.NOT_FOUND, message: /no dataset/ },
  { title: "QueryIntersections of no key", call: queryIntersections({ keys: [] }), status: status.INVALID_ARGUMENT, message: /key/ },
];

/** Metadata over its limits, invalid bounds, mismatched ordered columns and IPC payloads of other formats. */
const limitsAndContract: HostileCase[] = [
  { title: "UpdateMetadata with a 40 MiB value", call: () => updateMetadata({ key: wireKey(META), set: { big: "x".repeat(40 * 1024 * 1024) } })(), status: status.INVALID_ARGUMENT, message: /limit/ },
  { title: "UpdateMetadata with 100,000 keys", call: () => updateMetadata({ key: wireKey(META), set: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, "v"])) })(), status: status.INVALID_ARGUMENT, message: /limit/ },
  { title: "UpdateMetadata with a 1 MiB key name", call: () => updateMetadata({ key: wireKey(META), set: { ["k".repeat(1 << 20)]: "v" } })(), status: status.INVALID_ARGUMENT, message: /limit/ },
  { title: "a Write header carrying 40 MiB of metadata", call: () => writeBytes(streamOf(validMessages(new Table({ x: makeVector(BigInt64Array.of(5n)) }).schema, new Table({ x: makeVector(BigInt64Array.of(5n)) }).batches)), { orderedOn: "x", metadata: { big: "x".repeat(40 * 1024 * 1024) } }, META)(), status: status.INVALID_ARGUMENT, message: /limit/ },
  { title: "RangeQuery with a NaN bound", call: rangeQuery({ key: wireKey(FLOAT), start: { value: { case: "doubleValue", value: Number.NaN } } }), status: status.INVALID_ARGUMENT, message: /NaN/ },
  { title: "QueryIntersections with a NaN bound", call: queryIntersections({ keys: [wireKey(FLOAT)], end: { value: { case: "doubleValue", value: Number.NaN } } }), status: status.INVALID_ARGUMENT, message: /NaN/ },
  { title: "RangeQuery with Timestamp nanos out of range", call: rangeQuery({ key: wireKey(MARKET), start: { value: { case: "timestampValue", value: { seconds: 0n, nanos: 1_000_000_000 } } } }), status: status.INVALID_ARGUMENT, message: /nanos/ },
  { title: "RangeQuery with negative Timestamp nanos", call: rangeQuery({ key: wireKey(MARKET), start: { value: { case: "timestampValue", value: { seconds: 0n, nanos: -1 } } } }), status: status.INVALID_ARGUMENT, message: /nanos/ },
  { title: "QueryIntersections with Timestamp nanos out of range", call: queryIntersections({ keys: [wireKey(MARKET)], start: { value: { case: "timestampValue", value: { seconds: 0n, nanos: 2_000_000_000 } } } }), status: status.INVALID_ARGUMENT, message: /nanos/ },
  { title: "RangeQuery with start after end", call: rangeQuery({ key: wireKey(FLOAT), start: { value: { case: "doubleValue", value: 2 } }, end: { value: { case: "doubleValue", value: 1 } } }), status: status.INVALID_ARGUMENT, message: /start.*after.*end|after its end/ },
  { title: "QueryIntersections with start after end", call: queryIntersections({ keys: [wireKey(FLOAT)], start: { value: { case: "doubleValue", value: 2 } }, end: { value: { case: "doubleValue", value: 1 } } }), status: status.INVALID_ARGUMENT, message: /start.*after.*end|after its end/ },
  {
    title: "QueryIntersections of keys whose same-named ordered columns differ in type",
    call: queryIntersections({ keys: [wireKey(FLOAT), wireKey(INTS)] }),
    status: status.FAILED_PRECONDITION,
    message: /FLOAT.*INTS|INTS.*FLOAT/,
  },
  { title: "an Arrow IPC file-format payload", call: writeBytes(tableToIPC(new Table([kinds.text()]), "file")), status: status.INVALID_ARGUMENT, message: /file format/ },
  { title: "bytes after the end-of-stream marker", call: writeBytes(concatBytes([streamOf(validMessages(kinds.text().schema, [kinds.text()])), randomBytes(64)])), status: status.INVALID_ARGUMENT, message: /after the end-of-stream marker/ },
  {
    title: "a second stream after the end-of-stream marker",
    call: () => {
      const one = streamOf(validMessages(kinds.text().schema, [kinds.text()]));
      return writeBytes(concatBytes([one, one]))();
    },
    status: status.INVALID_ARGUMENT,
    message: /after the end-of-stream marker/,
  },
  {
    title: "a legacy-framed IPC stream (no continuation markers)",
    call: writeBytes(legacyFramed(streamOf(validMessages(kinds.text().schema, [kinds.text()])))),
    status: status.INVALID_ARGUMENT,
    message: /legacy/,
  },
];

/** `ipc` with each message's continuation marker removed (the pre-0.15 framing). */
function legacyFramed(ipc: Uint8Array): Uint8Array {
  return concatBytes([...messagesOf(ipc).map((m) => m.bytes.subarray(4)), new Uint8Array(4)]);
}

const groups: { name: string; cases: HostileCase[] }[] = [
  { name: "stream framing", cases: streamFraming },
  { name: "batch header", cases: batchHeaderLies },
  { name: "validity", cases: nullsCases },
  { name: "offsets", cases: offsetsCases },
  { name: "dictionary", cases: dictionaryCases },
  { name: "nested", cases: nestedCases },
  { name: "schema", cases: schemaCases },
  { name: "key", cases: keyCases },
  { name: "query", cases: queryCases },
  { name: "limits and contract", cases: limitsAndContract },
];

test.serial("the table holds at least 100 hostile requests", (t) => {
  t.true(groups.reduce((n, g) => n + g.cases.length, 0) >= 100);
});

for (const { name, cases } of groups) {
  for (const c of cases) {
    const title = `${name}: ${c.title} is ${status[c.status]}`;
    test.serial(title, async (t) => {
      const { client, storeDir } = shared();
      const before = await digestTree(storeDir);
      // The outcome, not the response: a wrongly accepted request's response can be huge (its metadata).
      const thrown = await c.call().then(
        () => undefined,
        (err: unknown) => err,
      );
      if (thrown === undefined) {
        t.fail("the request was accepted");
      } else {
        const err = OupsClientError.from(thrown);
        t.is(err.grpcCode, c.status, `status ${status[err.grpcCode]}: ${err.message}`);
        t.regex(err.message, c.message);
      }
      t.deepEqual(await digestTree(storeDir), before, "the store is unchanged, byte for byte");
      t.is((await client.describe(MARKET)).totalRows, 100, "the daemon still describes the seeded dataset");
      t.is((await client.read(MARKET, { columns: ["qty"] })).numRows, 100, "the daemon still reads the seeded dataset");
    });
  }
}
