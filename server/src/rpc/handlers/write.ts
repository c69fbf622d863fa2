import type { RecordBatch } from "apache-arrow";
import { openIpcStream } from "#shared/arrow/ipc-stream.js";
import type { WriteInput } from "../../store/dataset/write-dataset.js";
import type { WriteOptions } from "../../store/dataset/write-options.js";
import { OupsError } from "../../store/errors.js";
import { checkedIpcFraming } from "../../store/io/check-ipc-headers.js";
import type { Store } from "../../store/store.js";
import type { WriteHeader, WriteRequest, WriteResponseSchema } from "../contract.js";
import { SchemaEvolution } from "../contract.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { formatDuration } from "../../duration.js";
import { keyFromWire } from "../convert.js";
import { retentionFromWire } from "../convert-versions.js";
import { keyForLog } from "../key-for-log.js";
import { withIdleTimeout } from "../with-idle-timeout.js";
import type { HandlerContext } from "../typed-service.js";

/**
 * Write: a header, then Arrow IPC chunks decoded as they arrive and merged by the engine in one commit. A client
 * that sends nothing for `idleTimeoutMs` while the daemon waits for it fails the write (IDLE_TIMEOUT), which frees
 * its key for the next write.
 */
export async function handleWrite(
  store: Store,
  requests: AsyncIterable<WriteRequest>,
  context: HandlerContext,
  idleTimeoutMs = 0,
): Promise<MessageInitShape<typeof WriteResponseSchema>> {
  const idleError = () =>
    new OupsError("IDLE_TIMEOUT", `the Write sent nothing for ${formatDuration(idleTimeoutMs)} (the daemon's --write-idle-timeout): nothing was committed`);
  const messages = withIdleTimeout(requests, idleTimeoutMs, idleError)[Symbol.asyncIterator]();
  const first = await messages.next();
  if (first.done || first.value.kind.case !== "header") {
    throw new OupsError("INVALID_ARGUMENT", "the first message of a Write must be its header");
  }
  const header = first.value.kind.value;
  const key = keyFromWire(header.key);
  context.report({ key: keyForLog(store, key) });
  const input = await decodeRows(chunksAfterHeader(messages, context), context.signal);
  const result = await store.write(key, input, writeOptions(header, context.signal));
  context.report({ rows: result.rowsReceived });
  return {
    rowsReceived: BigInt(result.rowsReceived),
    totalRows: BigInt(result.totalRows),
    rowGroupsRewritten: result.rowGroupsRewritten,
    rowGroupsAdded: result.rowGroupsAdded,
    rowGroupsTotal: result.rowGroupsTotal,
    generation: BigInt(result.generation),
  };
}

async function* chunksAfterHeader(messages: AsyncIterator<WriteRequest>, context: HandlerContext): AsyncGenerator<Uint8Array> {
  for (let next = await messages.next(); !next.done; next = await messages.next()) {
    if (next.value.kind.case !== "arrowIpc") throw new OupsError("INVALID_ARGUMENT", "a Write has one header, first; then only arrow_ipc chunks");
    context.report({ bytes: next.value.kind.value.byteLength });
    yield next.value.kind.value;
  }
}

/**
 * Opens the IPC stream (reading until its schema arrives) and wraps its batches so that undecodable bytes become
 * INVALID_ARGUMENT and a cancelled call CANCELLED. The stream must end with its end-of-stream marker: a call cut
 * short (a client cancelling between messages can look like one that ended) then commits nothing.
 */
async function decodeRows(chunks: AsyncGenerator<Uint8Array>, signal: AbortSignal): Promise<WriteInput> {
  const first = await chunks.next().catch((err: unknown) => fail(err, signal));
  if (first.done) {
    if (signal.aborted) fail(signal.reason, signal);
    throw new OupsError(
      "INVALID_ARGUMENT",
      "a Write carries an Arrow IPC stream after its header (a stream of no rows creates an empty dataset); use UpdateMetadata to change only metadata",
    );
  }
  const framing = checkedIpcFraming();
  async function* all() {
    for (let chunk: Uint8Array | undefined = first.value as Uint8Array; chunk; chunk = (await chunks.next()).value as Uint8Array | undefined) {
      framing.push(chunk);
      yield chunk;
    }
  }
  const { schema, batches } = await openIpcStream(all()).catch((err: unknown) => fail(err, signal));
  async function* checked(): AsyncGenerator<RecordBatch> {
    try {
      yield* batches;
    } catch (err) {
      fail(err, signal);
    }
    if (signal.aborted) fail(signal.reason, signal);
    // Arrow's reader stops at the end-of-stream marker: what it left unread must be nothing.
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) framing.push(next.value);
    } catch (err) {
      fail(err, signal);
    }
    if (framing.trailingBytes > 0) {
      throw new OupsError("INVALID_ARGUMENT", `${framing.trailingBytes} bytes after the end-of-stream marker of the Arrow IPC stream: nothing was committed`);
    }
    if (!framing.ended) {
      // A cancelled call's half-close can arrive before its cancellation: let that land to report the right cause.
      await new Promise(setImmediate);
      if (signal.aborted) fail(signal.reason, signal);
      throw new OupsError("INVALID_ARGUMENT", "the Arrow IPC stream ends without its end-of-stream marker: it was cut short, nothing was committed");
    }
  }
  return { schema, batches: checked() };
}

function fail(err: unknown, signal: AbortSignal): never {
  if (signal.aborted) throw new OupsError("CANCELLED", "write cancelled by the client: nothing was committed", { cause: err });
  if (err instanceof OupsError) throw err;
  throw new OupsError("INVALID_ARGUMENT", `arrow_ipc chunks are not a valid Arrow IPC stream: ${(err as Error).message}`, { cause: err });
}

function writeOptions(header: WriteHeader, signal: AbortSignal): WriteOptions {
  const target = header.rowGroupTarget?.target;
  return {
    orderedOn: header.orderedOn || undefined,
    duplicatesOn: header.duplicatesOn,
    dropDuplicates: header.dropDuplicates,
    rowGroupTarget: target?.case === "rows" ? Number(target.value) : target?.case === "period" ? target.value : undefined,
    maxNOffTargetRgs: header.maxNOffTargetRgs,
    metadata: header.metadata,
    removeMetadata: header.removeMetadata,
    sort: header.sort,
    compression: header.compression || undefined,
    schemaEvolution: header.schemaEvolution === SchemaEvolution.ADD_COLUMNS ? "add-columns" : "none",
    retention: retentionFromWire(header.retention),
    signal,
  };
}
