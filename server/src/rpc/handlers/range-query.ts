import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Store } from "../../store/store.js";
import type { RangeQueryRequest, RangeQueryResponseSchema } from "../contract.js";
import { boundFromWire, keyFromWire } from "../convert.js";
import { versionFromWire } from "../convert-versions.js";
import { IpcRowCount } from "../ipc-row-count.js";
import { keyForLog } from "../key-for-log.js";
import type { HandlerContext } from "../typed-service.js";

/** IPC bytes per response message, about: well under the message size limit, large enough to amortise framing. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * RangeQuery: one Arrow IPC stream, schema first, sent in bounded chunks as row groups are decoded. Chunks aim at
 * an eighth of `maxMessageBytes` at most (a batch may go up to four times its chunk size), so that a daemon run
 * with a small message limit can still send them.
 */
export async function* handleRangeQuery(
  store: Store,
  request: RangeQueryRequest,
  context: HandlerContext,
  maxMessageBytes = 16 * MAX_CHUNK_BYTES,
): AsyncGenerator<MessageInitShape<typeof RangeQueryResponseSchema>> {
  const chunkBytes = Math.min(MAX_CHUNK_BYTES, Math.floor(maxMessageBytes / 8));
  context.report({ key: keyForLog(store, keyFromWire(request.key)) });
  const read = await store.openRange(keyFromWire(request.key), {
    start: boundFromWire(request.start),
    end: boundFromWire(request.end),
    endInclusive: request.endInclusive,
    columns: request.columns,
    maxRowsPerBatch: request.maxRowsPerChunk,
    signal: context.signal,
    version: versionFromWire(request.version),
  });
  const rows = new IpcRowCount();
  try {
    for await (const chunk of read.ipcStream(chunkBytes)) {
      yield { arrowIpc: chunk };
      // Once yielded, the chunk is handed to the transport: it counts as sent.
      context.report({ rows: rows.push(chunk), bytes: chunk.byteLength });
    }
  } finally {
    read.close();
  }
}
