import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import { Message, tableFromArrays, tableToIPC } from "apache-arrow";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { digestTree } from "../helpers/tree-digest.js";

/** One daemon for the file, one test at a time (each hashes the whole store before and after). */
const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = (): KeyFields => ({ symbol: `F${nextKey++}`, year: "2024", month: "1" });

const rows = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]), v: Float64Array.from([1, 2, 3]) });
const stream = tableToIPC(rows, "stream");

const header = (key: KeyFields) => ({ kind: { case: "header" as const, value: { key: { fields: key }, orderedOn: "ts" } } });
const chunk = (value: Uint8Array) => ({ kind: { case: "arrowIpc" as const, value } });

/**
 * The pre-0.15 form of an IPC stream: each message's length without the 0xFFFFFFFF marker before it, and a
 * 4-byte zero end marker.
 */
function legacyStream(ipc: Uint8Array): Uint8Array {
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const length = view.getInt32(offset + 4, true);
    if (length === 0) break;
    const metadata = ipc.subarray(offset + 8, offset + 8 + length);
    const end = offset + 8 + length + Number(Message.decode(metadata).bodyLength);
    parts.push(ipc.subarray(offset + 4, end));
    offset = end;
  }
  parts.push(new Uint8Array(4));
  return Buffer.concat(parts);
}

/** Writes `chunks` after a header over the raw wire, expecting INVALID_ARGUMENT and an unchanged store. */
async function refusedWrite(t: ExecutionContext, chunks: Uint8Array[], message: RegExp): Promise<void> {
  const { client, storeDir } = shared();
  const key = newKey();
  const before = await digestTree(storeDir);
  const err = OupsClientError.from(await t.throwsAsync(client.rpc.write([header(key), ...chunks.map(chunk)])));
  t.is(err.grpcCode, status.INVALID_ARGUMENT);
  t.regex(err.message, message);
  t.notRegex(err.message, /cut short/);
  t.deepEqual(await digestTree(storeDir), before);
  t.deepEqual(await client.listKeys({ symbol: key.symbol }), []);
}

test.serial("a Write carrying the Arrow IPC file format is refused as such", async (t) => {
  await refusedWrite(t, [tableToIPC(rows, "file")], /the Arrow IPC file format \(ARROW1 magic\) is not accepted: send the IPC stream format/);
});

test.serial("a Write carrying the Arrow IPC file format in small chunks is refused as such", async (t) => {
  const file = tableToIPC(rows, "file");
  const pieces = Array.from({ length: Math.ceil(file.byteLength / 3) }, (_, i) => file.subarray(3 * i, 3 * i + 3));
  await refusedWrite(t, pieces, /Arrow IPC file format/);
});

test.serial("a Write carrying a legacy IPC stream without continuation markers is refused as such", async (t) => {
  await refusedWrite(t, [legacyStream(stream)], /legacy Arrow IPC stream \(without the 0xFFFFFFFF continuation markers/);
});

test.serial("a Write with bytes after the end-of-stream marker in the same chunk is refused, naming how many", async (t) => {
  await refusedWrite(t, [Buffer.concat([stream, Buffer.from("garbage")])], /^7 bytes after the end-of-stream marker/);
});

test.serial("a Write with chunks after the end-of-stream marker is refused, naming how many bytes", async (t) => {
  await refusedWrite(t, [stream, new Uint8Array(5), stream], new RegExp(`^${5 + stream.byteLength} bytes after the end-of-stream marker`));
});

test.serial("a Write of bytes that are no Arrow IPC at all is refused as such", async (t) => {
  await refusedWrite(t, [Buffer.from("definitely not arrow data")], /not an Arrow IPC stream/);
});

test.serial("a Write still accepts a stream split at any byte, end marker included", async (t) => {
  const { client } = shared();
  const key = newKey();
  const pieces = Array.from({ length: stream.byteLength }, (_, i) => stream.subarray(i, i + 1));
  const result = await client.rpc.write([header(key), ...pieces.map(chunk)]);
  t.is(result.rowsReceived, 3n);
  t.is((await client.read(key)).numRows, 3);
});
