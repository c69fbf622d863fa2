import type { MessageInitShape } from "@bufbuild/protobuf";
import { Table, tableToIPC } from "apache-arrow";
import { withKnownNullCounts } from "#shared/arrow/known-null-counts.js";
import { OupsError } from "../../store/errors.js";
import type { Store } from "../../store/store.js";
import type { QueryIntersectionsRequest, QueryIntersectionsResponseSchema } from "../contract.js";
import { boundFromWire, keyFromWire, ordinalToWire } from "../convert.js";
import { versionFromWire } from "../convert-versions.js";
import { keysForLog } from "../key-for-log.js";
import type { HandlerContext } from "../typed-service.js";

/**
 * QueryIntersections: for each interval, one message per dataset carrying its rows as a whole IPC stream. At most
 * `maxKeys` keys: each pins a generation and keeps a row group decoded while the walk runs.
 */
export async function* handleQueryIntersections(
  store: Store,
  request: QueryIntersectionsRequest,
  context: HandlerContext,
  maxKeys = Number.POSITIVE_INFINITY,
): AsyncGenerator<MessageInitShape<typeof QueryIntersectionsResponseSchema>> {
  if (request.keys.length > maxKeys) {
    throw new OupsError(
      "TOO_LARGE",
      `QueryIntersections takes at most ${maxKeys} keys (the daemon's --max-intersection-keys), got ${request.keys.length}`,
    );
  }
  const keys = request.keys.map(keyFromWire);
  context.report({ key: keysForLog(store, keys) });
  const walk = await store.openIntersections(keys, {
    start: boundFromWire(request.start),
    end: boundFromWire(request.end),
    columns: request.columns,
    signal: context.signal,
    version: versionFromWire(request.version),
  });
  try {
    for await (const part of walk.parts) {
      const arrowIpc = tableToIPC(new Table(part.table.schema, part.table.batches.map(withKnownNullCounts)), "stream");
      yield {
        interval: BigInt(part.interval),
        keyIndex: part.keyIndex,
        intervalStart: part.start === undefined ? undefined : ordinalToWire(part.start, walk.orderedType),
        intervalEnd: part.end === undefined ? undefined : ordinalToWire(part.end, walk.orderedType),
        arrowIpc,
      };
      context.report({ rows: part.table.numRows, bytes: arrowIpc.byteLength });
    }
  } finally {
    walk.close();
  }
}
