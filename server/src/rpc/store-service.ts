import { encodeSchema } from "#shared/arrow/ipc-stream.js";
import type { Store } from "../store/store.js";
import { StoreService } from "./contract.js";
import { indexSchemaFromWire, indexSchemaToWire, keyFromWire, keyToWire, ordinalToWire } from "./convert.js";
import { handleCheckStore } from "./handlers/check-store.js";
import { handleListKeys } from "./handlers/list-keys.js";
import { handleQueryIntersections } from "./handlers/query-intersections.js";
import { handleRangeQuery } from "./handlers/range-query.js";
import { handleWrite } from "./handlers/write.js";
import { keyForLog } from "./key-for-log.js";
import type { ServiceImpl } from "./typed-service.js";
import { DEFAULT_SERVING_LIMITS } from "../serving-limits.js";
import { msToTimestamp, retentionFromWire, retentionToWire, versionFromWire } from "./convert-versions.js";
import { createVersionService } from "./version-service.js";

/** Limits the handlers apply to each call (see serving-limits.ts); none when not given. */
export interface StoreServiceOptions {
  writeIdleTimeoutMs?: number | undefined;
  maxIntersectionKeys?: number | undefined;
  maxMessageBytes?: number | undefined;
}

/** The StoreService handlers: thin translation between wire messages and the engine. */
export function createStoreService(store: Store, options: StoreServiceOptions = {}): ServiceImpl<typeof StoreService> {
  return {
    async initStore(request) {
      const { schema, created } = await store.initIndexSchema(indexSchemaFromWire(request.schema));
      return { schema: indexSchemaToWire(schema), created };
    },
    async getIndexSchema() {
      return { schema: indexSchemaToWire(store.requireSchema()) };
    },
    listKeys: (request) => handleListKeys(store, request, options.maxMessageBytes ?? DEFAULT_SERVING_LIMITS.maxMessageBytes),
    async describe(request, context) {
      context.report({ key: keyForLog(store, keyFromWire(request.key)) });
      const d = await store.describe(keyFromWire(request.key), versionFromWire(request.version));
      const orderedType = d.schema?.fields.find((f) => f.name === d.orderedOn)?.type;
      return {
        key: keyToWire(d.key),
        orderedOn: d.orderedOn,
        arrowSchema: d.schema ? encodeSchema(d.schema) : new Uint8Array(),
        totalRows: BigInt(d.totalRows),
        totalBytes: BigInt(d.totalBytes),
        rowGroups: d.rowGroups.map((g) => ({
          file: g.file,
          rows: BigInt(g.rows),
          min: ordinalToWire(g.min, orderedType),
          max: ordinalToWire(g.max, orderedType),
          bytes: BigInt(g.bytes),
          schemaVersion: g.schemaVersion ?? d.schemaHistory.length - 1,
        })),
        metadata: { ...d.metadata },
        generation: BigInt(d.generation),
        currentGeneration: BigInt(d.currentGeneration),
        currentBytes: BigInt(d.currentBytes),
        olderVersionsBytes: BigInt(d.olderVersionsBytes),
        committedAt: msToTimestamp(d.committedAtMs),
        oldestRetainedGeneration: BigInt(d.oldestRetainedGeneration),
        retainedVersions: d.retainedVersions,
        retention: retentionToWire(d.retention),
        retentionOverride: retentionToWire(d.retentionOverride),
        schemaHistory: d.schemaHistory.map((v) => ({
          generation: BigInt(v.generation),
          arrowSchema: encodeSchema(v.schema),
          addedColumns: [...v.addedColumns],
          widenedColumns: [...v.widenedColumns],
          rowGroups: v.rowGroups,
        })),
      };
    },
    write: (requests, context) => handleWrite(store, requests, context, options.writeIdleTimeoutMs),
    rangeQuery: (request, context) => handleRangeQuery(store, request, context, options.maxMessageBytes),
    queryIntersections: (request, context) => handleQueryIntersections(store, request, context, options.maxIntersectionKeys),
    async getMetadata(request, context) {
      context.report({ key: keyForLog(store, keyFromWire(request.key)) });
      return { metadata: { ...(await store.getMetadata(keyFromWire(request.key), versionFromWire(request.version))) } };
    },
    async updateMetadata(request, context) {
      context.report({ key: keyForLog(store, keyFromWire(request.key)) });
      const { metadata, generation } = await store.updateMetadataCommit(keyFromWire(request.key), request.set, request.remove, {
        retention: retentionFromWire(request.retention),
      });
      return { metadata: { ...metadata }, generation: BigInt(generation) };
    },
    async remove(request, context) {
      context.report({ key: keyForLog(store, keyFromWire(request.key)) });
      await store.remove(keyFromWire(request.key));
      return {};
    },
    checkStore: (request, context) => handleCheckStore(store, request, context),
    ...createVersionService(store),
  };
}
