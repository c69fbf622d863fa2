import type { ChannelOptions } from "@grpc/grpc-js";
import type { RecordBatch, Schema } from "apache-arrow";
import { Table } from "apache-arrow";
import { decodeSchema, openIpcStream } from "#shared/arrow/ipc-stream.js";
import type { CheckReport } from "./check-report.js";
import { checkReportFromWire } from "./check-report.js";
import { OupsClientError } from "./errors.js";
import { HealthCheckResponse_ServingStatus, Health } from "#gen/grpc/health/v1/health_pb.js";
import { StoreService } from "#gen/oups/v1/store_pb.js";
import type { CallOptions, TypedClient } from "./grpc/typed-client.js";
import { createTypedClient } from "./grpc/typed-client.js";
import type { IndexSchemaDescription, KeyFields } from "./index-schema.js";
import { boundFromWire, boundToWire, rangeQueryRequest, schemaFromWire, schemaToWire } from "./wire.js";
import type { OupsTlsOptions } from "./tls-options.js";
import { tlsChannel } from "./tls-options.js";
import { unpackKeys } from "./unpack-keys.js";
import { writeRequests } from "./write-requests.js";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { LeaseCalls, ListFilesOptions, FileListing, RestoreResult, RetentionOverride, RetentionPolicy, SnapshotInfo, SnapshotScope, Version, VersionList } from "./versions.js";
import {
  dateFromWire,
  FileLease,
  overrideFromWire,
  retentionFromWire,
  retentionToWire,
  snapshotFromWire,
  versionInfoFromWire,
  versionToWire,
} from "./versions.js";

/** A value of a dataset's ordered column: a Date for timestamps (ms precision), bigint for raw int64/timestamps. */
export type BoundValue = number | bigint | string | Date;

/** Options of a Write. */
export interface WriteOptions extends CallOptions {
  /** The column the dataset is ordered on: required on the first write, checked on later ones. */
  orderedOn?: string;
  /** Drop rows equal on these columns (the ordered column is always included), keeping the newest. */
  duplicatesOn?: readonly string[];
  /** Drop rows equal on `duplicatesOn`, or on every column when `duplicatesOn` is empty. Default: true when duplicatesOn is given. */
  dropDuplicates?: boolean;
  /** Row group size to aim for: a row count, or a period for timestamp columns ("1D", "2h", "MS"). */
  rowGroupTarget?: number | string;
  /**
   * Coalesce runs of more than this many off-target row groups next to new data (default: the daemon's, 2);
   * 0 never coalesces. Given on a write of no rows (an empty Table), it compacts the dataset.
   */
  maxNOffTargetRgs?: number;
  /**
   * Metadata keys of the dataset to add or replace (sent in the Write header; this overrides CallOptions' request
   * metadata, which a write does not send).
   */
  metadata?: Readonly<Record<string, string>>;
  /** Metadata keys to remove. */
  removeMetadata?: readonly string[];
  /** Sort rows on the ordered column server-side instead of rejecting unordered input. */
  sort?: boolean;
  /** Parquet compression of new row groups ("zstd" by default). */
  compression?: string;
  /**
   * `"add-columns"`: columns the dataset lacks are added to its schema (each must be nullable; rows stored before
   * read back with nulls), and int32/float32 columns written as int64/float64 widen the dataset's type. Default
   * `"none"`: columns other than the dataset's are refused (nullable columns may still be left out).
   */
  schemaEvolution?: "none" | "add-columns";
  /** IPC bytes per gRPC message, about (default 4 MiB). */
  maxChunkBytes?: number;
  /** Sets the dataset's retention override (null: back to the daemon's policy); unchanged when absent. */
  retention?: RetentionOverride | null;
}

/** What a committed write reports. */
export interface WriteResult {
  rowsReceived: number;
  totalRows: number;
  rowGroupsRewritten: number;
  rowGroupsAdded: number;
  rowGroupsTotal: number;
  generation: number;
}

/** Rows to write: a table, one batch, or a (possibly async) sequence of batches sharing one schema. */
export type WriteData = Table | RecordBatch | Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

/** A range of the ordered column, and what to return of it. */
export interface RangeQueryOptions extends CallOptions {
  /** Rows at or after this value; open when absent. */
  start?: BoundValue | undefined;
  /** Rows before this value (or at it, with `endInclusive`); open when absent. */
  end?: BoundValue | undefined;
  endInclusive?: boolean;
  /** Columns to return, in this order; all when absent. */
  columns?: readonly string[];
  /** Rows per batch at most (default 65536). */
  maxRowsPerChunk?: number;
  /** The version to read (the current one when absent). */
  version?: Version | undefined;
}

/** One row group of a dataset. */
export interface RowGroupDescription {
  file: string;
  rows: number;
  min: BoundValue | undefined;
  max: BoundValue | undefined;
  bytes: number;
  /** Index in {@link DatasetDescription.schemaHistory} of the schema the row group was written with. */
  schemaVersion: number;
}

/** One schema a dataset has had. */
export interface SchemaVersionDescription {
  /** The generation whose commit introduced it (0: before the history was kept). */
  generation: number;
  schema: Schema;
  /** Columns it added (every column for the first version). */
  addedColumns: string[];
  /** Columns whose type it widened. */
  widenedColumns: string[];
  /** Row groups stored with this schema. */
  rowGroups: number;
}

/** A dataset's description. */
export interface DatasetDescription {
  key: KeyFields;
  orderedOn: string;
  schema: Schema | undefined;
  totalRows: number;
  totalBytes: number;
  rowGroups: RowGroupDescription[];
  metadata: Record<string, string>;
  generation: number;
  /** The dataset's current generation (differs from `generation` when an older version is described). */
  currentGeneration: number;
  /** Bytes of the current generation's row-group files. */
  currentBytes: number;
  /** Bytes of the files only older retained generations (or snapshots) use: what keeping versions costs. */
  olderVersionsBytes: number;
  committedAt: Date | undefined;
  oldestRetainedGeneration: number;
  /** Generations retained, the current one included. */
  retainedVersions: number;
  /** The retention policy in force for the dataset. */
  retention: RetentionPolicy;
  /** The dataset's own override, when it has one. */
  retentionOverride: RetentionOverride | undefined;
  /** The schemas the dataset has had, oldest first; the last is `schema`. */
  schemaHistory: SchemaVersionDescription[];
}

/** One dataset's rows over one interval of a cross-dataset walk. */
export interface Intersection {
  interval: number;
  /** Position of the dataset in the keys asked for. */
  keyIndex: number;
  start: BoundValue | undefined;
  end: BoundValue | undefined;
  table: Table;
}

/** Connection options. */
export interface OupsClientOptions {
  channelOptions?: ChannelOptions;
  /** Connect over TLS (plaintext when omitted); see {@link OupsTlsOptions}. */
  tls?: OupsTlsOptions | undefined;
  /** Bearer token sent as `authorization: Bearer TOKEN` with every call, for a daemon started with a token file. */
  token?: string | undefined;
}

/** Keys asked for per ListKeys page: the daemon returns fewer when they would exceed its page size in bytes. */
const LIST_KEYS_PAGE_SIZE = 1_000_000;

/** The grpc-js channel options every {@link OupsClient} starts from; `OupsClientOptions.channelOptions` override them. */
export const DEFAULT_CHANNEL_OPTIONS = Object.freeze({
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  "grpc.max_send_message_length": 64 * 1024 * 1024,
  // Range queries stream MiB-sized messages: with Node's default 64 KiB HTTP/2 window the daemon would wait for
  // a window update every 64 KiB (the bench measured +35% full-scan throughput with 16 MiB).
  "grpc-node.flow_control_window": 16 * 1024 * 1024,
  // Ping the daemon after a minute without activity, and give up on the connection when a ping goes unanswered
  // for 20 s: a call to a daemon whose host vanished fails (UNAVAILABLE) instead of waiting for ever. Idle
  // connections ping too, so that the next call does not find a dead one; the daemon welcomes pings this rare.
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.keepalive_permit_without_calls": 1,
} satisfies ChannelOptions);

/**
 * A typed client of an oups daemon. Rows go in and out as apache-arrow tables and record batches; protobuf and
 * Arrow IPC stay inside. Every failure is an {@link OupsClientError}.
 */
export class OupsClient {
  /** The generated-service client, for tools that need the raw contract. */
  readonly rpc: TypedClient<typeof StoreService>;
  private readonly health: TypedClient<typeof Health>;

  constructor(readonly address = "127.0.0.1:50051", options: OupsClientOptions = {}) {
    const tls = tlsChannel(options.tls);
    const channelOptions: ChannelOptions = { ...DEFAULT_CHANNEL_OPTIONS, ...tls.channelOptions, ...options.channelOptions };
    const metadata: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${checkToken(options.token)}` };
    const connection = { channelOptions, channelCredentials: tls.channelCredentials, metadata };
    this.rpc = createTypedClient(StoreService, address, connection);
    // Same channel options and credentials, so grpc-js shares one connection between both clients.
    this.health = createTypedClient(Health, address, connection);
  }

  /** The daemon's health, as the standard gRPC health service reports it. */
  async checkHealth(options?: CallOptions): Promise<"SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN"> {
    const response = await call(() => this.health.check({ service: "" }, options));
    return HealthCheckResponse_ServingStatus[response.status] as "SERVING";
  }

  /** Declares the store's index schema (no-op when it already has this one; an error when it has another). */
  async initStore(schema: IndexSchemaDescription, options?: CallOptions): Promise<{ created: boolean }> {
    const response = await call(() => this.rpc.initStore({ schema: schemaToWire(schema) }, options));
    return { created: response.created };
  }

  /** The store's index schema. */
  async getIndexSchema(options?: CallOptions): Promise<IndexSchemaDescription> {
    const response = await call(() => this.rpc.getIndexSchema({}, options));
    return schemaFromWire(response.schema);
  }

  /** Keys holding a dataset, sorted; `filter` keeps those with these field values. */
  async listKeys(filter: KeyFields = {}, options?: CallOptions): Promise<KeyFields[]> {
    const keys: KeyFields[] = [];
    // Page after page, so that any number of keys is listed within the message limits; a daemon from before
    // pagination answers everything in one response without a token.
    let pageToken = "";
    do {
      const request = { prefix: { fields: { ...filter } }, pageSize: LIST_KEYS_PAGE_SIZE, pageToken, packed: true };
      const response = await call(() => this.rpc.listKeys(request, options));
      // A daemon from before packed listings answers with Key messages.
      if (response.packedFields.length > 0) unpackKeys(response.packedFields, response.packedValues, keys);
      else for (const key of response.keys) keys.push(key.fields);
      pageToken = response.nextPageToken;
    } while (pageToken !== "");
    return keys;
  }

  /** A dataset's ordered column, schema, row groups and metadata. */
  async describe(key: KeyFields, options?: CallOptions & { version?: Version | undefined }): Promise<DatasetDescription> {
    const r = await call(() => this.rpc.describe({ key: { fields: { ...key } }, version: versionToWire(options?.version) }, options));
    return {
      key: r.key?.fields ?? key,
      orderedOn: r.orderedOn,
      schema: r.arrowSchema.byteLength > 0 ? decodeSchema(r.arrowSchema) : undefined,
      totalRows: Number(r.totalRows),
      totalBytes: Number(r.totalBytes),
      rowGroups: r.rowGroups.map((g) => ({
        file: g.file,
        rows: Number(g.rows),
        min: boundFromWire(g.min),
        max: boundFromWire(g.max),
        bytes: Number(g.bytes),
        schemaVersion: g.schemaVersion,
      })),
      metadata: { ...r.metadata },
      generation: Number(r.generation),
      currentGeneration: Number(r.currentGeneration),
      currentBytes: Number(r.currentBytes),
      olderVersionsBytes: Number(r.olderVersionsBytes),
      committedAt: dateFromWire(r.committedAt),
      oldestRetainedGeneration: Number(r.oldestRetainedGeneration),
      retainedVersions: r.retainedVersions,
      retention: retentionFromWire(r.retention),
      retentionOverride: overrideFromWire(r.retentionOverride),
      schemaHistory: r.schemaHistory.map((v) => ({
        generation: Number(v.generation),
        schema: decodeSchema(v.arrowSchema),
        addedColumns: [...v.addedColumns],
        widenedColumns: [...v.widenedColumns],
        rowGroups: v.rowGroups,
      })),
    };
  }

  /**
   * Merges rows into a dataset in one atomic commit, streaming them as Arrow IPC chunks with backpressure.
   * Cancelling (`signal`) or failing midway commits nothing.
   */
  async write(key: KeyFields, data: WriteData, options: WriteOptions = {}): Promise<WriteResult> {
    const requests = writeRequests(key, data, options);
    // Not `options` itself: its `metadata` is the dataset's (sent in the header), not the call's; sent as request
    // headers too, a value past HTTP/2's header limits made the call fail (RST_STREAM) or hang.
    const r = await call(() => this.rpc.write(requests, { signal: options.signal, timeoutMs: options.timeoutMs }));
    return {
      rowsReceived: Number(r.rowsReceived),
      totalRows: Number(r.totalRows),
      rowGroupsRewritten: r.rowGroupsRewritten,
      rowGroupsAdded: r.rowGroupsAdded,
      rowGroupsTotal: r.rowGroupsTotal,
      generation: Number(r.generation),
    };
  }

  /** Streams the rows of a range as record batches; breaking out of the loop cancels the call. */
  async *rangeQuery(key: KeyFields, options: RangeQueryOptions = {}): AsyncGenerator<RecordBatch> {
    const responses = this.rpc.rangeQuery(rangeQueryRequest(key, options), options);
    try {
      const { batches } = await openIpcStream(ipcChunks(responses));
      yield* batches;
    } catch (err) {
      throw OupsClientError.from(err);
    }
  }

  /** Reads a range into one table (with the dataset's schema, projected, even when no row matches). */
  async read(key: KeyFields, options: RangeQueryOptions = {}): Promise<Table> {
    const responses = this.rpc.rangeQuery(rangeQueryRequest(key, options), options);
    try {
      const { schema, batches } = await openIpcStream(ipcChunks(responses));
      const all: RecordBatch[] = [];
      for await (const batch of batches) all.push(batch);
      return all.length > 0 ? new Table(all) : new Table(schema);
    } catch (err) {
      throw OupsClientError.from(err);
    }
  }

  /** Walks several datasets over the same successive intervals of their ordered column. */
  async *queryIntersections(
    keys: readonly KeyFields[],
    options: { start?: BoundValue; end?: BoundValue; columns?: readonly string[]; version?: Version | undefined } & CallOptions = {},
  ): AsyncGenerator<Intersection> {
    const responses = this.rpc.queryIntersections(
      {
        keys: keys.map((k) => ({ fields: { ...k } })),
        start: boundToWire(options.start),
        end: boundToWire(options.end),
        columns: [...(options.columns ?? [])],
        version: versionToWire(options.version),
      },
      options,
    );
    try {
      for await (const r of responses) {
        const { schema, batches } = await openIpcStream(single(r.arrowIpc));
        const all: RecordBatch[] = [];
        for await (const batch of batches) all.push(batch);
        yield {
          interval: Number(r.interval),
          keyIndex: r.keyIndex,
          start: boundFromWire(r.intervalStart),
          end: boundFromWire(r.intervalEnd),
          table: all.length > 0 ? new Table(all) : new Table(schema),
        };
      }
    } catch (err) {
      throw OupsClientError.from(err);
    }
  }

  /** A dataset's key/value metadata. */
  async getMetadata(key: KeyFields, options?: CallOptions & { version?: Version | undefined }): Promise<Record<string, string>> {
    const r = await call(() => this.rpc.getMetadata({ key: { fields: { ...key } }, version: versionToWire(options?.version) }, options));
    return { ...r.metadata };
  }

  /** Adds or replaces `set` keys and removes `remove` keys of a dataset's metadata; returns the result. */
  async updateMetadata(
    key: KeyFields,
    changes: { set?: Readonly<Record<string, string>>; remove?: readonly string[]; retention?: RetentionOverride | null },
    options?: CallOptions,
  ): Promise<Record<string, string>> {
    const r = await call(() =>
      this.rpc.updateMetadata(
        { key: { fields: { ...key } }, set: { ...changes.set }, remove: [...(changes.remove ?? [])], retention: retentionToWire(changes.retention) },
        options,
      ),
    );
    return { ...r.metadata };
  }

  /** Deletes a dataset completely. */
  async remove(key: KeyFields, options?: CallOptions): Promise<void> {
    await call(() => this.rpc.remove({ key: { fields: { ...key } } }, options));
  }

  /**
   * Checks every dataset of the store against its files, and lists what does not belong; with `repair`, the
   * daemon also removes orphaned row-group files, temporary files and empty directories (nothing else). A check
   * reads every row-group file: give no short `timeoutMs` on a large store.
   */
  async checkStore(options: { repair?: boolean } & CallOptions = {}): Promise<CheckReport> {
    const r = await call(() => this.rpc.checkStore({ repair: options.repair === true }, options));
    return checkReportFromWire(r);
  }

  /** A dataset's retained versions, oldest first (the current one last), and the retention policy in force. */
  async listVersions(key: KeyFields, options?: CallOptions): Promise<VersionList> {
    const r = await call(() => this.rpc.listVersions({ key: { fields: { ...key } } }, options));
    return { versions: r.versions.map(versionInfoFromWire), retention: retentionFromWire(r.retention) };
  }

  /** Commits a new generation equal to an older version (data and metadata): an undo, itself undoable. */
  async restoreVersion(key: KeyFields, version: Version, options?: CallOptions): Promise<RestoreResult> {
    const r = await call(() => this.rpc.restoreVersion({ key: { fields: { ...key } }, version: versionToWire(version) }, options));
    return { generation: Number(r.generation), restoredGeneration: Number(r.restoredGeneration), totalRows: Number(r.totalRows) };
  }

  /** Records the current generation of each dataset of `scope` under `name`, atomically with respect to commits. */
  async createSnapshot(name: string, scope: SnapshotScope, options?: CallOptions): Promise<SnapshotInfo> {
    const request =
      "all" in scope
        ? { name, allKeys: true }
        : "prefix" in scope
          ? { name, prefix: { fields: { ...scope.prefix } } }
          : { name, keys: scope.keys.map((k) => ({ fields: { ...k } })) };
    const r = await call(() => this.rpc.createSnapshot(request, options));
    return snapshotFromWire(r.snapshot);
  }

  /** The store's snapshots, by name (with their datasets when `includeDatasets`). */
  async listSnapshots(options: { includeDatasets?: boolean } & CallOptions = {}): Promise<SnapshotInfo[]> {
    const r = await call(() => this.rpc.listSnapshots({ includeDatasets: options.includeDatasets === true }, options));
    return r.snapshots.map(snapshotFromWire);
  }

  /** Deletes a snapshot. */
  async deleteSnapshot(name: string, options?: CallOptions): Promise<void> {
    await call(() => this.rpc.deleteSnapshot({ name }, options));
  }

  /**
   * The row-group files of a version, in order, for another engine to read, with a {@link FileLease} keeping them
   * on disk until it expires or is released (pass `lease` to add another dataset's files to the same one).
   */
  async listFiles(key: KeyFields, options: ListFilesOptions = {}): Promise<FileListing> {
    const r = await call(() =>
      this.rpc.listFiles(
        {
          key: { fields: { ...key } },
          version: versionToWire(options.version),
          leaseDuration: options.leaseDurationMs === undefined ? undefined : durationFromMs(options.leaseDurationMs),
          leaseId: options.lease?.id ?? "",
        },
        options,
      ),
    );
    const expiresAt = dateFromWire(r.lease?.expiresAt);
    let lease = options.lease;
    if (lease) lease.expiresAt = expiresAt;
    else lease = new FileLease(r.lease?.id ?? "", expiresAt, this.leaseCalls);
    return {
      generation: Number(r.generation),
      orderedOn: r.orderedOn,
      totalRows: Number(r.totalRows),
      files: r.files.map((f) => ({ path: f.path, rows: Number(f.rows), min: boundFromWire(f.min), max: boundFromWire(f.max), bytes: Number(f.bytes) })),
      storeDir: r.storeDir,
      lease,
    };
  }

  private readonly leaseCalls: LeaseCalls = {
    renew: async (id, durationMs, options) => {
      const r = await call(() => this.rpc.renewLease({ leaseId: id, duration: durationMs === undefined ? undefined : durationFromMs(durationMs) }, options));
      return dateFromWire(r.lease?.expiresAt);
    },
    release: async (id, options) => (await call(() => this.rpc.releaseLease({ leaseId: id }, options))).released,
  };

  /** Closes the connection. */
  close(): void {
    this.rpc.close();
    this.health.close();
  }
}

/** A token as it may travel in a header: printable ASCII without spaces (the daemon's token files split on them). */
function checkToken(token: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) throw new TypeError("token must be printable ASCII without spaces or line breaks");
  return token;
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw OupsClientError.from(err);
  }
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* ipcChunks(responses: AsyncIterable<{ arrowIpc: Uint8Array }>): AsyncGenerator<Uint8Array> {
  for await (const r of responses) yield r.arrowIpc;
}
