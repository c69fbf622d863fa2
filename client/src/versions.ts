import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { durationFromMs, durationMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  RetentionPolicy as RetentionPolicyMessage,
  RetentionPolicySchema,
  SnapshotInfo as SnapshotInfoMessage,
  VersionInfo as VersionInfoMessage,
  VersionSelectorSchema,
} from "#gen/oups/v1/store_pb.js";
import type { CallOptions } from "./grpc/typed-client.js";
import type { KeyFields } from "./index-schema.js";
import type { BoundValue } from "./oups-client.js";

/**
 * One committed version of a dataset: a generation number, the generation current at an instant, or the one a
 * snapshot recorded. Reads without one see the current generation.
 */
export type Version = { generation: number } | { asOf: Date } | { snapshot: string };

/** Which older generations a dataset keeps: the last `generations`, and those replaced less than `durationMs` ago. */
export interface RetentionPolicy {
  generations: number;
  durationMs: number;
}

/** A dataset's own retention override; a rule left out follows the daemon's. */
export type RetentionOverride = Partial<RetentionPolicy>;

/** What the commit that made a generation did. */
export interface VersionChange {
  operation: string;
  rowsReceived: number;
  rowGroupsRewritten: number;
  rowGroupsAdded: number;
  metadataChanged: boolean;
  restoredFrom: number | undefined;
}

/** One retained version of a dataset. */
export interface VersionInfo {
  generation: number;
  committedAt: Date | undefined;
  totalRows: number;
  totalBytes: number;
  rowGroups: number;
  change: VersionChange | undefined;
  current: boolean;
  snapshots: string[];
  retainedByPolicy: boolean;
}

/** A dataset's retained versions, oldest first (the current one last), and the policy in force. */
export interface VersionList {
  versions: VersionInfo[];
  retention: RetentionPolicy;
}

/** What a restore committed. */
export interface RestoreResult {
  generation: number;
  restoredGeneration: number;
  totalRows: number;
}

/** The datasets a snapshot holds: a list of keys, the keys with some field values, or all. */
export type SnapshotScope = { keys: readonly KeyFields[] } | { prefix: KeyFields } | { all: true };

/** A snapshot, with its datasets when asked for (always from createSnapshot). */
export interface SnapshotInfo {
  name: string;
  createdAt: Date | undefined;
  datasetCount: number;
  datasets: { key: KeyFields; generation: number }[];
}

/** One row-group file of a version. */
export interface DataFile {
  /** Relative to the store, "/"-separated. */
  path: string;
  rows: number;
  min: BoundValue | undefined;
  max: BoundValue | undefined;
  bytes: number;
}

/** Options of listFiles. */
export interface ListFilesOptions extends CallOptions {
  version?: Version | undefined;
  /** How long the lease lasts (default: the daemon's --lease-duration). */
  leaseDurationMs?: number | undefined;
  /** Add the files to this lease (one lease for many datasets) instead of taking a new one. */
  lease?: FileLease | undefined;
}

/** A version's files, and the lease keeping them on disk. */
export interface FileListing {
  generation: number;
  orderedOn: string;
  totalRows: number;
  files: DataFile[];
  /** The store's directory on the daemon's host, absolute. */
  storeDir: string;
  lease: FileLease;
}

/** The calls a lease makes (the client's). */
export interface LeaseCalls {
  renew(id: string, durationMs: number | undefined, options?: CallOptions): Promise<Date | undefined>;
  release(id: string, options?: CallOptions): Promise<boolean>;
}

/**
 * A lease on files listed by listFiles: the daemon keeps them on disk until it expires or is released. Renew it
 * while reading for longer than its duration; release it when done (`await using` releases it too).
 */
export class FileLease {
  constructor(
    readonly id: string,
    /** When it stops protecting its files unless renewed. */
    public expiresAt: Date | undefined,
    private readonly calls: LeaseCalls,
  ) {}

  /** Extends the lease from now; LEASE_NOT_FOUND once it has expired or been released. */
  async renew(durationMs?: number, options?: CallOptions): Promise<Date | undefined> {
    this.expiresAt = await this.calls.renew(this.id, durationMs, options);
    return this.expiresAt;
  }

  /** Ends the lease; false when it had already ended. */
  release(options?: CallOptions): Promise<boolean> {
    return this.calls.release(this.id, options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release().catch(() => undefined);
  }
}

/** SDK version → wire selector. */
export function versionToWire(version: Version | undefined): MessageInitShape<typeof VersionSelectorSchema> | undefined {
  if (version === undefined) return undefined;
  if ("generation" in version) return { version: { case: "generation", value: BigInt(version.generation) } };
  if ("asOf" in version) return { version: { case: "asOf", value: timestampFromDate(version.asOf) } };
  return { version: { case: "snapshot", value: version.snapshot } };
}

/** SDK retention override → wire (null: back to the daemon's policy). */
export function retentionToWire(retention: RetentionOverride | null | undefined): MessageInitShape<typeof RetentionPolicySchema> | undefined {
  if (retention === undefined) return undefined;
  if (retention === null) return {};
  return {
    ...(retention.generations === undefined ? {} : { generations: retention.generations }),
    ...(retention.durationMs === undefined ? {} : { duration: durationFromMs(retention.durationMs) }),
  };
}

export function retentionFromWire(message: RetentionPolicyMessage | undefined): RetentionPolicy {
  return { generations: message?.generations ?? 0, durationMs: message?.duration ? durationMs(message.duration) : 0 };
}

export function overrideFromWire(message: RetentionPolicyMessage | undefined): RetentionOverride | undefined {
  if (!message) return undefined;
  return {
    ...(message.generations === undefined ? {} : { generations: message.generations }),
    ...(message.duration === undefined ? {} : { durationMs: durationMs(message.duration) }),
  };
}

export function dateFromWire(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined;
}

export function versionInfoFromWire(v: VersionInfoMessage): VersionInfo {
  return {
    generation: Number(v.generation),
    committedAt: dateFromWire(v.committedAt),
    totalRows: Number(v.totalRows),
    totalBytes: Number(v.totalBytes),
    rowGroups: v.rowGroups,
    change: v.change && {
      operation: v.change.operation,
      rowsReceived: Number(v.change.rowsReceived),
      rowGroupsRewritten: v.change.rowGroupsRewritten,
      rowGroupsAdded: v.change.rowGroupsAdded,
      metadataChanged: v.change.metadataChanged,
      restoredFrom: v.change.restoredFrom === undefined ? undefined : Number(v.change.restoredFrom),
    },
    current: v.current,
    snapshots: [...v.snapshots],
    retainedByPolicy: v.retainedByPolicy,
  };
}

export function snapshotFromWire(s: SnapshotInfoMessage | undefined): SnapshotInfo {
  return {
    name: s?.name ?? "",
    createdAt: dateFromWire(s?.createdAt),
    datasetCount: s?.datasetCount ?? 0,
    datasets: (s?.datasets ?? []).map((d) => ({ key: { ...d.key?.fields }, generation: Number(d.generation) })),
  };
}
