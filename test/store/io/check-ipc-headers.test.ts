import test from "ava";
import type { ExecutionContext } from "ava";
import { Message, MessageHeader, MetadataVersion } from "apache-arrow";
import { checkedIpcFraming } from "../../../server/src/store/io/check-ipc-headers.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { BatchHeader, IpcMessage } from "../../rpc/helpers/ipc-craft.js";
import { editBatch, frame, prefix, streamOf, validMessages } from "../../rpc/helpers/ipc-craft.js";
import { marketBatch, marketSchema } from "../../rpc/helpers/market-data.js";

/** Runs the check over `bytes` cut in chunks of `size` bytes; resolves to the bytes it took. */
async function drain(bytes: Uint8Array, size = bytes.byteLength): Promise<number> {
  const framing = checkedIpcFraming();
  let passed = 0;
  for (let i = 0; i < bytes.byteLength; i += size) {
    framing.push(bytes.subarray(i, i + size));
    passed += Math.min(size, bytes.byteLength - i);
  }
  return passed;
}

/** A valid stream of two market batches with the record batch `which` (0 or 1) edited. */
function editedStream(edit: (header: BatchHeader) => void, which = 1): Uint8Array {
  const messages = validMessages(marketSchema, [marketBatch(0, 20), marketBatch(20, 30)]);
  const records = messages.flatMap((m, i) => (m.type === "record" ? [i] : []));
  messages[records[which]!] = editBatch(messages[records[which]!]!, edit);
  return streamOf(messages);
}

async function assertRefused(t: ExecutionContext, bytes: Uint8Array, message: RegExp): Promise<void> {
  const err = await t.throwsAsync(drain(bytes), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", message);
}

test("a valid stream passes through unchanged, however it is cut in chunks", async (t) => {
  const bytes = editedStream(() => {});
  for (const size of [1, 3, 7, 8, 13, 64, 1000, bytes.byteLength]) t.is(await drain(bytes, size), bytes.byteLength, `chunks of ${size}`);
});

test("a batch header claiming other rows than its columns hold is refused, naming the batch and column", async (t) => {
  await assertRefused(t, editedStream((h) => void (h.length = 100_000_000)), /^batch 2, column "timestamp": 30 rows, but the batch header says 100000000$/);
  await assertRefused(t, editedStream((h) => void (h.length = 10), 0), /^batch 1, column "timestamp": 20 rows, but the batch header says 10$/);
});

test("a column's node with a negative length or a null count outside its rows is refused", async (t) => {
  await assertRefused(t, editedStream((h) => void (h.nodes[2]!.length = -1)), /batch 2, column "price": its header claims -1 rows/);
  await assertRefused(t, editedStream((h) => void (h.nodes[3]!.nullCount = 31)), /batch 2, column "qty": null count 31 is outside 0\.\.30/);
  await assertRefused(t, editedStream((h) => void (h.nodes[3]!.nullCount = -2)), /column "qty": null count -2/);
});

test("a buffer reaching past the body, or at a negative offset, is refused", async (t) => {
  await assertRefused(t, editedStream((h) => void (h.buffers[5]!.offset += 10_000)), /batch 2, column "price": buffer 1 spans bytes \d+ to \d+, outside the message body of \d+ bytes/);
  await assertRefused(t, editedStream((h) => void (h.buffers[1]!.offset = -8)), /column "timestamp": buffer 1 spans bytes -8/);
  await assertRefused(t, editedStream((h) => void (h.buffers[7]!.length = -1)), /column "qty": buffer 1/);
});

test("a header with too few or too many nodes or buffers for the schema is refused", async (t) => {
  await assertRefused(t, editedStream((h) => void h.nodes.pop()), /batch 2: its header has 3 field nodes, the schema's columns need 4/);
  await assertRefused(t, editedStream((h) => void h.nodes.push({ length: 30, nullCount: 0 })), /5 field nodes/);
  await assertRefused(t, editedStream((h) => void h.buffers.pop()), /batch 2: its header has 7 buffers, the schema's columns need 8/);
});

test("a dictionary batch for an id the schema does not declare, or lying about its values, is refused", async (t) => {
  const messages = validMessages(marketSchema, [marketBatch(0, 20)]);
  const d = messages.findIndex((m) => m.type === "dictionary");
  const unknown = [...messages];
  unknown[d] = editBatch(messages[d]!, (h) => void (h.id = 7));
  await assertRefused(t, streamOf(unknown), /dictionary batch before batch 1 has dictionary id 7, which no column of the schema declares/);
  const lying = [...messages];
  lying[d] = editBatch(messages[d]!, (h) => void (h.buffers[1]!.length = 1 << 20));
  await assertRefused(t, streamOf(lying), /^the dictionary batch before batch 1, column "symbol": buffer 1 spans bytes 0 to 1048576, outside the message body of 40 bytes$/);
});

test("a metadata length beyond the limit or negative is refused at once; a legacy prefix and bytes after the end raise no header error", async (t) => {
  const schema: IpcMessage = validMessages(marketSchema, [])[0]!;
  await assertRefused(t, streamOf([schema, prefix(0x7fffffff)], false), /message 1 announces 2147483647 bytes of metadata, more than the 67108864/);
  await assertRefused(t, streamOf([schema, prefix(-5)], false), /negative metadata length \(-5\)/);
  const legacy = streamOf([prefix(12345, false), new Uint8Array(16)]);
  t.is(await drain(legacy), legacy.byteLength);
  const trailing = streamOf([editedStream(() => {}), new Uint8Array(100).fill(0xff)], false);
  t.is(await drain(trailing), trailing.byteLength);
});

test("a second schema message, a message of another type, or rows before their dictionary are refused", async (t) => {
  const [schema, dictionary, record] = validMessages(marketSchema, [marketBatch(0, 20)]) as [IpcMessage, IpcMessage, IpcMessage];
  await assertRefused(t, streamOf([schema, dictionary, record, schema]), /^Arrow IPC message 3 is a second schema message/);
  const tensor = frame(Message.encode(new Message(0, MetadataVersion.V5, MessageHeader.Tensor)), new Uint8Array(0));
  await assertRefused(t, streamOf([schema, tensor]), /^Arrow IPC message 1 is of type Tensor, not a schema, dictionary batch or record batch$/);
  await assertRefused(t, streamOf([schema, record]), /^batch 1, column "symbol": dictionary-encoded, but no dictionary batch for it came before this batch$/);
  // A batch of no rows needs no dictionary.
  const empty = validMessages(marketSchema, [marketBatch(0, 0)]).filter((m) => m.type !== "dictionary");
  t.is(await drain(streamOf(empty)), streamOf(empty).byteLength);
});
