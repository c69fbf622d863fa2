import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Dataset } from "./dataset/dataset.js";
import { Directories } from "./dataset/directories.js";
import type { DatasetDescription } from "./dataset/describe.js";
import { describeManifest } from "./dataset/describe.js";
import { mergeMetadata, sameMetadata } from "./dataset/metadata.js";
import type { MetadataLimits } from "./dataset/metadata-limits.js";
import { DEFAULT_METADATA_LIMITS, validateMetadataLimits } from "./dataset/metadata-limits.js";
import { DEFAULT_MAX_MANIFEST_BYTES } from "./dataset/manifest-budget.js";
import type { BoundValue } from "./dataset/range.js";
import { rangeOf } from "./dataset/range.js";
import type { RangeRead } from "./dataset/read-range.js";
import { readRange } from "./dataset/read-range.js";
import { RowGroupCache, type RowGroupCacheStats } from "./dataset/row-group-cache.js";
import type { WriteInput, WriteResult } from "./dataset/write-dataset.js";
import { writeDataset } from "./dataset/write-dataset.js";
import type { WriteOptions } from "./dataset/write-options.js";
import type { CheckReport } from "./check/check-finding.js";
import { checkStore } from "./check/check-store.js";
import { OupsError } from "./errors.js";
import { fsError } from "./io/fs-error.js";
import type { Compression } from "./io/compression.js";
import { parseCompression } from "./io/compression.js";
import { ParquetPool } from "./io/parquet-pool.js";
import type { IntersectionPart, IntersectionSource } from "./query/query-intersections.js";
import { walkIntersections } from "./query/query-intersections.js";
import { sameOrderedColumn } from "./query/same-ordered-column.js";
import type { DataType } from "apache-arrow";
import type { IndexSchema } from "./keys/index-schema.js";
import { indexSchemasEqual, validateIndexSchema } from "./keys/index-schema.js";
import type { Key } from "./keys/key.js";
import { validateKey } from "./keys/key.js";
import { keyId, keyToPath } from "./keys/key.js";
import type { KeyIndexBuild } from "./keys/key-index.js";
import { KeyIndex } from "./keys/key-index.js";
import type { KeyValues } from "./keys/key-tree.js";
import { keyFromValues } from "./keys/key.js";
import { compileKeyFilter, hasManifest } from "./keys/list-keys.js";
import type { ConcurrencyLimit } from "./queue/concurrency-limit.js";
import { createConcurrencyLimit } from "./queue/concurrency-limit.js";
import { KeyQueue } from "./queue/key-queue.js";
import { readIndexSchema, writeIndexSchema } from "./store-descriptor.js";
import type { LockHolder, StoreLockOptions } from "./store-lock.js";
import { StoreLock } from "./store-lock.js";
import type { StoreEventMap, StoreStats } from "./store-stats.js";
import type { RetentionOverride, RetentionPolicy } from "./versions/retention-policy.js";
import { DEFAULT_RETENTION, validateRetention } from "./versions/retention-policy.js";
import type { FileListing, SnapshotScope, VersionInfo, VersionStoreAccess, VersionSummary } from "./versions/store-versions.js";
import type { Lease } from "./versions/lease-registry.js";
import type { SnapshotRecord } from "./versions/snapshot-registry.js";
import { DEFAULT_LEASE_MS, DEFAULT_MAX_LEASE_MS, StoreVersions } from "./versions/store-versions.js";
import type { VersionSelector } from "./versions/version-selector.js";

/** Options of {@link Store.open}. */
export interface StoreOpenOptions {
  /** Index schema to initialise an empty store with; an existing store must have exactly this one. */
  indexSchema?: IndexSchema | undefined;
  /** Take the store directory's lock (default true); only tests of the lock itself turn it off. */
  lock?: boolean | undefined;
  /** Called when the store lock is compromised: writes are refused from then on, until {@link Store.relock}. */
  onLockCompromised?: ((err: Error) => void) | undefined;
  /** How often the lock is refreshed, in ms, hence how soon its loss is noticed (see {@link StoreLockOptions.updateMs}). */
  lockUpdateMs?: number | undefined;
  /** Worker threads encoding and decoding Parquet (default: one per core). */
  parquetWorkers?: number | undefined;
  /** Incoming rows a write merges at once (bounds a write's memory; default 1Mi rows). */
  writeWindowRows?: number | undefined;
  /** Bytes of decoded row groups kept in memory for small range reads (default 128 MiB; 0 turns the cache off). */
  rowGroupCacheBytes?: number | undefined;
  /** Coalescing bound of writes that give none (default: never coalesce, as the original oups). */
  defaultMaxNOffTargetRgs?: number | undefined;
  /** Codec of the row groups of writes that name none (default: DEFAULT_COMPRESSION, io/compression.ts). */
  defaultCompression?: Compression | undefined;
  /** Bounds on each dataset's metadata; each one not given keeps its default ({@link DEFAULT_METADATA_LIMITS}). */
  metadataLimits?: Partial<MetadataLimits> | undefined;
  /** Bytes of a dataset's manifest at most, which bounds Describe's answer (default {@link DEFAULT_MAX_MANIFEST_BYTES}). */
  maxManifestBytes?: number | undefined;
  /**
   * Writes merging at once, all keys together (default: no bound). A write past it waits for a slot once its key's
   * turn has come, before reading its rows: its client is held by the transport's flow control meanwhile.
   */
  maxConcurrentWrites?: number | undefined;
  /** The store-wide retention policy (default {@link DEFAULT_RETENTION}: 10 generations, 24 h); each rule not given keeps its default. */
  retention?: Partial<RetentionPolicy> | undefined;
  /** ms since the epoch, for commit times, retention by duration and leases (default Date.now; tests inject one). */
  clock?: (() => number) | undefined;
  /** Lease durations of ListFiles: the default and the most a caller may ask (default 5 min and 24 h). */
  leaseDurationMs?: number | undefined;
  maxLeaseDurationMs?: number | undefined;
  /** How often the loaded datasets drop generations their retention no longer keeps, in ms (default 60 s; 0: only on commits and releases). */
  gcIntervalMs?: number | undefined;
}

/** A range query as the engine takes it: bounds are matched to the ordered column's type. */
export interface RangeQuery {
  start?: BoundValue | undefined;
  end?: BoundValue | undefined;
  endInclusive?: boolean | undefined;
  columns?: readonly string[] | undefined;
  maxRowsPerBatch?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The version to read (the current one when undefined). */
  version?: VersionSelector | undefined;
}

/** Default budget of the decoded row-group cache. */
export const DEFAULT_ROW_GROUP_CACHE_BYTES = 128 * 1024 * 1024;

/** Rows per batch of a range query when the caller does not say. */
export const DEFAULT_ROWS_PER_BATCH = 65_536;

/**
 * A store: one directory of ordered datasets, one per key of its index schema. The process that opens it owns it
 * (a lock on the directory keeps other daemons out).
 */
export class Store {
  private readonly datasets = new Map<string, Dataset>();
  private readonly directories: Directories;
  private readonly queue = new KeyQueue();
  private readonly pool: ParquetPool;
  private readonly workers: number;
  private readonly writeWindowRows: number;
  private readonly defaultMaxNOffTargetRgs: number | undefined;
  private readonly defaultCompression: Compression;
  private readonly cache: RowGroupCache;
  private readonly metadataLimits: MetadataLimits;
  private readonly maxManifestBytes: number;
  private readonly writeSlots: ConcurrencyLimit | undefined;
  /** The keys holding a dataset (see {@link KeyIndex}): ListKeys answers from it. */
  private readonly keyIndex: KeyIndex;
  private readonly retention: RetentionPolicy;
  private readonly clock: () => number;
  /** Snapshots, leases and versioned reads (set by {@link Store.open}). */
  private versions!: StoreVersions;
  private gcTimer: NodeJS.Timeout | undefined;
  /** What the store does, as it does it (see {@link StoreEventMap}); listeners must not throw. */
  readonly events = new EventEmitter<StoreEventMap>();

  private constructor(
    readonly dir: string,
    private schema: IndexSchema | undefined,
    private lock: StoreLock | undefined,
    private readonly lockOptions: StoreLockOptions,
    options: StoreOpenOptions,
  ) {
    this.directories = new Directories(dir);
    this.keyIndex = new KeyIndex(dir);
    this.workers = options.parquetWorkers ?? availableParallelism();
    this.pool = ParquetPool.create({ size: this.workers, root: dir });
    this.writeWindowRows = options.writeWindowRows ?? 1 << 20;
    this.defaultMaxNOffTargetRgs = options.defaultMaxNOffTargetRgs;
    this.defaultCompression = parseCompression(options.defaultCompression);
    this.cache = new RowGroupCache(options.rowGroupCacheBytes ?? DEFAULT_ROW_GROUP_CACHE_BYTES);
    this.metadataLimits = validateMetadataLimits({ ...DEFAULT_METADATA_LIMITS, ...definedOnly(options.metadataLimits ?? {}) });
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.writeSlots = options.maxConcurrentWrites === undefined ? undefined : createConcurrencyLimit(options.maxConcurrentWrites);
    this.retention = validateRetention({ ...DEFAULT_RETENTION, ...definedOnly(options.retention ?? {}) }, "store retention");
    this.clock = options.clock ?? Date.now;
    if (!Number.isSafeInteger(this.maxManifestBytes) || this.maxManifestBytes < 1) {
      throw new OupsError("INVALID_ARGUMENT", `maxManifestBytes must be a positive whole number, got ${this.maxManifestBytes}`);
    }
  }

  /** Opens (and creates, if missing) the store at `dir`, taking its lock, and starts its Parquet workers. */
  static async open(dir: string, options: StoreOpenOptions = {}): Promise<Store> {
    const storeDir = resolve(dir);
    await mkdir(storeDir, { recursive: true });
    const lockOptions: StoreLockOptions = {
      ...(options.onLockCompromised ? { onCompromised: options.onLockCompromised } : {}),
      ...(options.lockUpdateMs === undefined ? {} : { updateMs: options.lockUpdateMs }),
    };
    const lock = options.lock === false ? undefined : await StoreLock.acquire(storeDir, lockOptions);
    let store: Store | undefined;
    try {
      store = new Store(storeDir, await readIndexSchema(storeDir), lock, lockOptions, options);
      await store.openVersions(options);
      if (options.indexSchema) await store.initIndexSchema(options.indexSchema);
      // A build that fails here (an unreadable directory) is tried again by the first listing, which reports it.
      if (store.schema) await store.keyIndex.rebuild(store.schema).catch(() => undefined);
      // Now rather than on the first write: loading parquet-wasm in each worker would delay it noticeably.
      await store.pool.warmUp();
      return store;
    } catch (err) {
      await store?.pool.close();
      await lock?.release();
      throw err;
    }
  }

  private async openVersions(options: StoreOpenOptions): Promise<void> {
    const access: VersionStoreAccess = {
      dir: this.dir,
      dataset: (key) => this.dataset(key),
      loadedDataset: (path) => this.datasets.get(path),
      loadedDatasets: () => this.datasets.values(),
      runForKey: (id, task) => this.queue.run(id, task),
      listKeys: (prefix) => this.listKeys(prefix),
      assertWritable: () => this.assertWritable(),
      clock: this.clock,
    };
    this.versions = await StoreVersions.open(access, {
      defaultMs: options.leaseDurationMs ?? DEFAULT_LEASE_MS,
      maxMs: options.maxLeaseDurationMs ?? DEFAULT_MAX_LEASE_MS,
    });
    const interval = options.gcIntervalMs ?? 60_000;
    if (interval > 0) {
      // Retention by duration expires generations with no commit to notice: a periodic collection does.
      this.gcTimer = setInterval(() => {
        this.versions.leases.sweep();
        for (const d of this.datasets.values()) d.collectGarbage();
      }, interval);
      this.gcTimer.unref();
    }
  }

  /** The store's index schema, or undefined until one is declared. */
  get indexSchema(): IndexSchema | undefined {
    return this.schema;
  }

  /**
   * Declares the index schema: succeeds when the store has none (persisting it) or has exactly this one;
   * refuses another one, since the paths of existing datasets depend on it.
   */
  async initIndexSchema(input: IndexSchema): Promise<{ schema: IndexSchema; created: boolean }> {
    const schema = validateIndexSchema(input);
    // One declaration at a time: the first wins, concurrent ones compare against it.
    return this.directories.exclusive(() => this.declareIndexSchema(schema));
  }

  private async declareIndexSchema(schema: IndexSchema): Promise<{ schema: IndexSchema; created: boolean }> {
    if (this.schema) {
      if (!indexSchemasEqual(this.schema, schema)) {
        throw new OupsError(
          "SCHEMA_MISMATCH",
          `the store has index schema ${describeSchema(this.schema)}, not ${describeSchema(schema)}`,
        );
      }
      return { schema: this.schema, created: false };
    }
    this.assertWritable();
    await writeIndexSchema(this.dir, schema);
    this.schema = schema;
    await this.keyIndex.rebuild(schema).catch(() => undefined);
    return { schema, created: true };
  }

  /** The keys holding a dataset, sorted; `filter` keeps the keys with these field values. */
  async listKeys(filter?: Readonly<Record<string, string>>): Promise<Key[]> {
    const schema = this.requireSchema();
    const keys: Key[] = [];
    await this.forEachKey({ filter }, (values) => {
      keys.push(keyFromValues(schema, values));
      return true;
    });
    return keys;
  }

  /**
   * Visits the keys holding a dataset in {@link listKeys}'s order, as their field values in schema field order
   * (not to be changed), from the one after `after` when given (a key that need not hold a dataset), until
   * `visit` returns false. Answers from the key index, without I/O once it is built.
   * @throws OupsError `INVALID_KEY` for a filter naming an unknown field or holding an invalid value, or an
   * `after` that is not a valid key.
   */
  async forEachKey(
    options: { filter?: Readonly<Record<string, string>> | undefined; after?: Readonly<Record<string, string>> | undefined },
    visit: (values: KeyValues) => boolean,
  ): Promise<void> {
    const schema = this.requireSchema();
    const filter = compileKeyFilter(schema, options.filter);
    const after = options.after === undefined ? undefined : valuesOf(schema, validateKey(schema, options.after));
    let tree;
    try {
      tree = await this.keyIndex.tree(schema);
    } catch (err) {
      throw fsError(err, "list the store's datasets");
    }
    tree.forEach(filter, after, visit);
  }

  /** What building the key index at open (or after the store lock was taken again) took; undefined before it. */
  get keyIndexBuild(): KeyIndexBuild | undefined {
    return this.keyIndex.lastBuild;
  }

  /** Validates `key` against the index schema and returns its normalised form. */
  validateKey(key: Readonly<Record<string, string>>): Key {
    return validateKey(this.requireSchema(), key);
  }

  /**
   * A dataset's description, of its current generation or of the version `version` names, with what keeping
   * versions costs; NOT_FOUND when the key holds none, VERSION_NOT_FOUND / SNAPSHOT_NOT_FOUND for a version not kept.
   */
  async describe(key: Readonly<Record<string, string>>, version?: VersionSelector): Promise<DatasetDescription & VersionSummary> {
    const { key: valid, dataset } = this.dataset(key);
    const pinned = await this.versions.pin(valid, dataset, version);
    try {
      return { ...describeManifest(valid, pinned.manifest), ...(await this.versions.summary(dataset, pinned.manifest)) };
    } finally {
      pinned.release();
    }
  }

  /**
   * Merges rows into a key's dataset (creating it on first write) as one atomic commit. Writes to one key run one
   * after the other in arrival order; the input stream is not read before the write's turn comes.
   */
  async write(key: Readonly<Record<string, string>>, input: WriteInput, options: WriteOptions): Promise<WriteResult> {
    const { id, dataset } = this.dataset(key);
    const run = async () => {
      this.assertWritable();
      return writeDataset(dataset, input, options, {
        pool: this.pool,
        windowRows: this.writeWindowRows,
        maxFilesInFlight: this.workers * 2,
        defaultMaxNOffTargetRgs: this.defaultMaxNOffTargetRgs,
        defaultCompression: this.defaultCompression,
        cache: this.cache,
        metadataLimits: this.metadataLimits,
      });
    };
    // The slot is taken inside the key's turn: a write waiting behind another one of its key holds no slot.
    return this.queue.run(id, () => (this.writeSlots ? this.writeSlots(run) : run()));
  }

  /** Opens a range read on the committed generation; it never waits for writes. */
  async openRange(key: Readonly<Record<string, string>>, query: RangeQuery): Promise<RangeRead> {
    const { key: valid, dataset } = this.dataset(key);
    const snapshot = await this.versions.pin(valid, dataset, query.version);
    try {
      const manifest = snapshot.manifest;
      const column = manifest.schema?.fields.find((f) => f.name === manifest.orderedOn);
      const range = rangeOf(query, column);
      const maxRowsPerBatch = query.maxRowsPerBatch || DEFAULT_ROWS_PER_BATCH;
      return readRange(snapshot, manifest, range, {
        pool: this.pool,
        cache: this.cache,
        columns: query.columns,
        maxRowsPerBatch,
        signal: query.signal,
      });
    } catch (err) {
      snapshot.release();
      throw err;
    }
  }

  /**
   * Opens a walk of several datasets over the same intervals of their ordered column (which must have one name
   * and one type in all of them, see {@link sameOrderedColumn}), each on its committed generation. `close()`
   * releases the generations.
   */
  async openIntersections(
    keys: readonly Readonly<Record<string, string>>[],
    query: {
      start?: BoundValue | undefined;
      end?: BoundValue | undefined;
      columns?: readonly string[] | undefined;
      signal?: AbortSignal | undefined;
      version?: VersionSelector | undefined;
    },
  ): Promise<{ orderedType: DataType | undefined; parts: AsyncGenerator<IntersectionPart>; close(): void }> {
    if (keys.length === 0) throw new OupsError("INVALID_ARGUMENT", "QueryIntersections needs at least one key");
    const handles = keys.map((k) => this.dataset(k));
    const sources: IntersectionSource[] = [];
    const close = () => {
      for (const s of sources) s.snapshot.release();
    };
    try {
      for (const { key, dataset } of handles) {
        const snapshot = await this.versions.pin(key, dataset, query.version);
        sources.push({ snapshot, manifest: snapshot.manifest });
      }
      const column = sameOrderedColumn(sources.map((s, i) => ({ key: handles[i]!.key, manifest: s.manifest })));
      const range = rangeOf({ start: query.start, end: query.end }, column);
      const parts = walkIntersections(sources, range, { pool: this.pool, columns: query.columns, signal: query.signal });
      return { orderedType: column?.type, parts, close };
    } catch (err) {
      close();
      throw err;
    }
  }

  /** A dataset's metadata, of its current generation or of the version `version` names. */
  async getMetadata(key: Readonly<Record<string, string>>, version?: VersionSelector): Promise<Readonly<Record<string, string>>> {
    const { key: valid, dataset } = this.dataset(key);
    if (version === undefined) return (await this.requireManifest(valid, dataset)).metadata;
    const pinned = await this.versions.pin(valid, dataset, version);
    pinned.release();
    return pinned.manifest.metadata;
  }

  /** Merges changes into a dataset's metadata (a commit of its own; no data is rewritten). */
  async updateMetadata(
    key: Readonly<Record<string, string>>,
    set: Readonly<Record<string, string>>,
    remove: readonly string[],
    options: { retention?: RetentionOverride | null | undefined } = {},
  ): Promise<Readonly<Record<string, string>>> {
    return (await this.updateMetadataCommit(key, set, remove, options)).metadata;
  }

  /**
   * {@link updateMetadata}, answering the generation after it too. `retention` sets the dataset's retention override
   * (null or an empty one: back to the store's policy); a change of it alone is a commit.
   */
  async updateMetadataCommit(
    key: Readonly<Record<string, string>>,
    set: Readonly<Record<string, string>>,
    remove: readonly string[],
    options: { retention?: RetentionOverride | null | undefined } = {},
  ): Promise<{ metadata: Readonly<Record<string, string>>; generation: number }> {
    const { key: valid, id, dataset } = this.dataset(key);
    const retention = options.retention === undefined || options.retention === null ? options.retention : validateRetention(options.retention);
    return this.queue.run(id, async () => {
      this.assertWritable();
      const manifest = await this.requireManifest(valid, dataset);
      const metadata = mergeMetadata(manifest.metadata, set, remove, this.metadataLimits);
      const metadataChanged = !sameMetadata(metadata, manifest.metadata);
      const retentionChanged = retention !== undefined && !sameOverride(retention, manifest.retention);
      // Removing absent keys or setting the values already there changes nothing: no new generation.
      if (!metadataChanged && !retentionChanged) return { metadata: manifest.metadata, generation: manifest.generation };
      const { generation } = await dataset.nextIds();
      const change = { operation: metadataChanged ? "update-metadata" : "retention", rowsReceived: 0, rowGroupsRewritten: 0, rowGroupsAdded: 0, metadataChanged } as const;
      await dataset.commit({ ...manifest, generation, metadata }, change, retention);
      return { metadata, generation };
    });
  }

  /** Removes a dataset completely; NOT_FOUND when the key holds none. */
  async remove(key: Readonly<Record<string, string>>): Promise<void> {
    const { key: valid, id, dataset } = this.dataset(key);
    await this.queue.run(id, async () => {
      this.assertWritable();
      if ((await dataset.current()) !== null) this.versions.assertNotHeld(valid, dataset);
      const removed = await dataset.remove();
      // A dataset written again under this key numbers its files from the start: cached ones would be stale.
      this.cache.dropDir(dataset.dir);
      if (!removed) notFound(valid);
    });
  }

  /**
   * Checks every dataset of the store against its files, and the store's layout (see {@link checkStore}); each
   * key's directory is checked within the key's write queue, so that no commit races it. With `repair`, removes
   * orphaned row-group files, temporary files and empty directories, and nothing else.
   */
  async check(options: { repair?: boolean | undefined; signal?: AbortSignal | undefined } = {}): Promise<CheckReport> {
    const repair = options.repair === true;
    if (repair) this.assertWritable();
    return checkStore(
      {
        root: this.dir,
        pool: this.pool,
        decodeLimit: createConcurrencyLimit(this.workers * 2),
        // No collection either while a key is checked: its records and files must stay as the check reads them.
        forKey: (id, task) => this.queue.run(id, () => this.datasets.get(id)?.withoutCollection(task) ?? task()),
        exclusiveDirectories: (task) => this.directories.exclusive(task),
        heldFiles: (id) => this.datasets.get(id)?.pendingDeletions() ?? new Map(),
        snapshotGenerations: (id) => this.versions.snapshots.heldGenerations(id),
        invalidSnapshots: this.versions.snapshots.invalid,
        repair,
        signal: options.signal,
      },
      this.schema,
    );
  }

  /** A dataset's retained versions, oldest first, the current one last (see {@link StoreVersions.listVersions}). */
  listVersions(key: Readonly<Record<string, string>>): Promise<{ versions: VersionInfo[]; retention: RetentionPolicy }> {
    return this.versions.listVersions(key);
  }

  /** Commits a new generation equal to an older version (see {@link StoreVersions.restoreVersion}). */
  restoreVersion(key: Readonly<Record<string, string>>, version: VersionSelector): Promise<{ generation: number; restoredGeneration: number; totalRows: number }> {
    return this.versions.restoreVersion(key, version);
  }

  /** Records the current generation of the datasets of `scope` under `name` (see {@link StoreVersions.createSnapshot}). */
  createSnapshot(name: string, scope: SnapshotScope): Promise<SnapshotRecord> {
    return this.versions.createSnapshot(name, scope);
  }

  /** The store's snapshots, sorted by name. */
  listSnapshots(): SnapshotRecord[] {
    return this.versions.snapshots.list();
  }

  /** Deletes a snapshot; SNAPSHOT_NOT_FOUND when there is none of that name. */
  deleteSnapshot(name: string): Promise<void> {
    return this.versions.deleteSnapshot(name);
  }

  /** The row-group files of a version with a lease keeping them on disk (see {@link StoreVersions.listFiles}). */
  listFiles(
    key: Readonly<Record<string, string>>,
    version?: VersionSelector,
    options?: { leaseDurationMs?: number | undefined; leaseId?: string | undefined },
  ): Promise<FileListing> {
    return this.versions.listFiles(key, version, options);
  }

  /** Extends a live lease (by the default duration when none is given); LEASE_NOT_FOUND when it has ended. */
  renewLease(id: string, durationMs?: number): Lease {
    return this.versions.renewLease(id, durationMs);
  }

  /** Ends a lease; false when it had already ended. */
  releaseLease(id: string): boolean {
    return this.versions.releaseLease(id);
  }

  /**
   * Drops what retention, snapshots, leases and readers no longer keep, in every loaded dataset, and waits for the
   * deletions (the daemon also does it on every commit and release, and every `gcIntervalMs`).
   */
  collectGarbage(): Promise<void> {
    return this.versions.collectGarbage();
  }

  /** The store-wide retention policy. */
  get retentionPolicy(): RetentionPolicy {
    return this.retention;
  }

  /** How the decoded row-group cache is doing: bytes and row groups held, lookups hit and missed. */
  get rowGroupCacheStats(): RowGroupCacheStats {
    return this.cache.stats;
  }

  /**
   * How the store is doing (see {@link StoreStats}): cheap, no I/O. Datasets count once their manifest is loaded,
   * on their first read or write since the store was opened.
   */
  get stats(): StoreStats {
    let pinnedGenerations = 0;
    let pinningReads = 0;
    let datasets = 0;
    let bytesOnDisk = 0;
    for (const dataset of this.datasets.values()) {
      const pins = dataset.pins;
      pinnedGenerations += pins.generations;
      pinningReads += pins.reads;
      const bytes = dataset.committedBytes;
      if (bytes > 0) datasets++;
      bytesOnDisk += bytes;
    }
    return {
      rowGroupCache: { ...this.cache.stats, maxBytes: this.cache.maxBytes },
      keyQueue: this.queue.stats,
      pinnedGenerations,
      pinningReads,
      datasets,
      bytesOnDisk,
    };
  }

  /** True while the store lock is lost: writes are refused (reads go on). */
  get lockCompromised(): boolean {
    return this.lock?.compromised ?? false;
  }

  #relocking: Promise<LockHolder | undefined> | undefined;
  #closed = false;

  /**
   * After the store lock was lost: tries to take it again. On success every manifest and cached row group read
   * under the lost lock is forgotten (another process may have written meanwhile) and writes are accepted again;
   * otherwise answers who holds the lock. Does nothing (answers undefined) while the lock is held.
   */
  relock(): Promise<LockHolder | undefined> {
    this.#relocking ??= this.tryRelock().finally(() => {
      this.#relocking = undefined;
    });
    return this.#relocking;
  }

  private async tryRelock(): Promise<LockHolder | undefined> {
    if (this.#closed || this.lock === undefined || !this.lock.compromised) return undefined;
    const result = await StoreLock.tryAcquire(this.dir, this.lockOptions);
    if (!(result instanceof StoreLock)) return result;
    if (this.#closed) {
      await result.release();
      return undefined;
    }
    // Each dataset in its turn on the key, so that no write of this process is half way through.
    await Promise.all([...this.datasets].map(([id, dataset]) => this.queue.run(id, async () => dataset.forget())));
    this.cache.dropDir(this.dir);
    this.schema ??= await readIndexSchema(this.dir).catch(() => undefined);
    // Another process may have written or removed datasets meanwhile. Writes are still refused until the lock is
    // set below, so the walk sees a store that this process does not change.
    if (this.schema) await this.keyIndex.rebuild(this.schema).catch(() => undefined);
    this.lock = result;
    return undefined;
  }

  /** Lets pending work finish, stops the Parquet workers and releases the store lock. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.gcTimer);
    this.versions?.leases.clear();
    await this.#relocking;
    await Promise.all([...this.datasets.values()].map((d) => d.settled()));
    await this.pool.close();
    await this.lock?.release();
  }

  /** The handle of a key's dataset (created on first use and kept: it tracks readers and pending deletions). */
  private dataset(fields: Readonly<Record<string, string>>): { key: Key; id: string; dataset: Dataset } {
    const schema = this.requireSchema();
    const key = validateKey(schema, fields);
    const id = keyId(schema, key);
    let dataset = this.datasets.get(id);
    if (!dataset) {
      const dir = join(this.dir, keyToPath(schema, key));
      dataset = new Dataset(dir, this.directories, this.maxManifestBytes, {
        beforeCommit: () => this.assertWritable(),
        onCommit: (seconds) => this.events.emit("commit", { seconds }),
        onManifest: async (present) => {
          const holds = present ?? (await hasManifest(dir).catch(() => false));
          this.keyIndex.set(schema, key, holds);
        },
        versions: {
          clock: this.clock,
          retention: () => this.retention,
          snapshotGenerations: () => this.versions.snapshots.heldGenerations(id),
          leasedFiles: () => this.versions.leases.filesOf(id),
          deletionsBlocked: () => this.versions.snapshots.blocked,
        },
      });
      this.datasets.set(id, dataset);
    }
    return { key, id, dataset };
  }

  private async requireManifest(key: Key, dataset: Dataset) {
    return (await dataset.current()) ?? notFound(key);
  }

  /** The index schema; fails clearly while the store has none. */
  requireSchema(): IndexSchema {
    if (!this.schema) {
      throw new OupsError(
        "NOT_INITIALIZED",
        `the store has no index schema yet: declare one with InitStore (SDK: Store.connect with an index), 'oups init --index' or 'oups serve --index'`,
      );
    }
    return this.schema;
  }

  /** Fails when the store lock was lost: another process may be writing, so this one must not. */
  assertWritable(): void {
    if (this.lock?.compromised) {
      throw new OupsError("LOCK_COMPROMISED", `the lock on the store directory was lost; writes are refused until the daemon takes it again`);
    }
  }
}

/** A key's values in schema field order. */
function valuesOf(schema: IndexSchema, key: Key): string[] {
  return schema.levels.flatMap((level) => level.map((field) => key[field.name] as string));
}

function notFound(key: Key): never {
  throw new OupsError("NOT_FOUND", `no dataset for key ${JSON.stringify(key)}`);
}

function sameOverride(a: RetentionOverride | null, b: RetentionOverride | undefined): boolean {
  return (a?.generations ?? undefined) === b?.generations && (a?.durationMs ?? undefined) === b?.durationMs;
}

/** `options` without its undefined members, so that spreading it over defaults keeps them. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describeSchema(schema: IndexSchema): string {
  return JSON.stringify(schema.levels.map((level) => level.map((f) => `${f.name}:${f.type}`).join(schema.fieldSeparator)));
}
