import type { Store } from "../store/store.js";
import type { StoreService } from "./contract.js";
import { keyFromWire, keyToWire, ordinalToWire } from "./convert.js";
import { changeToWire, msToTimestamp, optionalDurationMs, requiredVersionFromWire, retentionToWire, versionFromWire } from "./convert-versions.js";
import { OupsError } from "../store/errors.js";
import { keyForLog } from "./key-for-log.js";
import type { ServiceImpl } from "./typed-service.js";
import type { SnapshotRecord } from "../store/versions/snapshot-registry.js";

type VersionMethods = Pick<
  ServiceImpl<typeof StoreService>,
  "listVersions" | "restoreVersion" | "createSnapshot" | "listSnapshots" | "deleteSnapshot" | "listFiles" | "renewLease" | "releaseLease"
>;

/** The handlers of the versions RPCs: thin translation between wire messages and the engine. */
export function createVersionService(store: Store): VersionMethods {
  return {
    async listVersions(request, context) {
      const key = keyFromWire(request.key);
      context.report({ key: keyForLog(store, key) });
      const { versions, retention } = await store.listVersions(key);
      return {
        versions: versions.map((v) => ({
          generation: BigInt(v.generation),
          committedAt: msToTimestamp(v.committedAtMs),
          totalRows: BigInt(v.totalRows),
          totalBytes: BigInt(v.totalBytes),
          rowGroups: v.rowGroups,
          change: changeToWire(v.change),
          current: v.current,
          snapshots: [...v.snapshots],
          retainedByPolicy: v.retainedByPolicy,
        })),
        retention: retentionToWire(retention),
      };
    },
    async restoreVersion(request, context) {
      const key = keyFromWire(request.key);
      context.report({ key: keyForLog(store, key) });
      const result = await store.restoreVersion(key, requiredVersionFromWire(request.version, "RestoreVersion"));
      return { generation: BigInt(result.generation), restoredGeneration: BigInt(result.restoredGeneration), totalRows: BigInt(result.totalRows) };
    },
    async createSnapshot(request) {
      const scopes = [request.keys.length > 0, request.prefix !== undefined, request.allKeys].filter(Boolean).length;
      if (scopes !== 1) {
        throw new OupsError("INVALID_ARGUMENT", `CreateSnapshot takes exactly one of keys, prefix or all_keys, got ${scopes === 0 ? "none" : scopes}`);
      }
      const scope = request.allKeys ? { all: true as const } : request.prefix ? { prefix: keyFromWire(request.prefix) } : { keys: request.keys.map(keyFromWire) };
      return { snapshot: snapshotToWire(await store.createSnapshot(request.name, scope), true) };
    },
    async listSnapshots(request) {
      return { snapshots: store.listSnapshots().map((s) => snapshotToWire(s, request.includeDatasets)) };
    },
    async deleteSnapshot(request) {
      if (request.name === "") throw new OupsError("INVALID_ARGUMENT", "DeleteSnapshot needs a snapshot name");
      await store.deleteSnapshot(request.name);
      return {};
    },
    async listFiles(request, context) {
      const key = keyFromWire(request.key);
      context.report({ key: keyForLog(store, key) });
      const listing = await store.listFiles(key, versionFromWire(request.version), {
        leaseDurationMs: optionalDurationMs(request.leaseDuration, "lease_duration"),
        leaseId: request.leaseId === "" ? undefined : request.leaseId,
      });
      const orderedType = listing.schema?.fields.find((f) => f.name === listing.orderedOn)?.type;
      return {
        generation: BigInt(listing.generation),
        files: listing.files.map((f) => ({
          path: f.path,
          rows: BigInt(f.rows),
          min: ordinalToWire(f.min, orderedType),
          max: ordinalToWire(f.max, orderedType),
          bytes: BigInt(f.bytes),
        })),
        lease: { id: listing.lease.id, expiresAt: msToTimestamp(listing.lease.expiresAtMs) },
        orderedOn: listing.orderedOn,
        totalRows: BigInt(listing.totalRows),
        storeDir: listing.storeDir,
      };
    },
    async renewLease(request) {
      const lease = store.renewLease(request.leaseId, optionalDurationMs(request.duration, "duration"));
      return { lease: { id: lease.id, expiresAt: msToTimestamp(lease.expiresAtMs) } };
    },
    async releaseLease(request) {
      return { released: store.releaseLease(request.leaseId) };
    },
  };
}

function snapshotToWire(s: SnapshotRecord, withDatasets: boolean) {
  return {
    name: s.name,
    createdAt: msToTimestamp(s.createdAtMs),
    datasetCount: s.datasets.length,
    datasets: withDatasets ? s.datasets.map((d) => ({ key: keyToWire(d.key), generation: BigInt(d.generation) })) : [],
  };
}
