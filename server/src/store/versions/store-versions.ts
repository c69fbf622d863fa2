import type { Schema } from "apache-arrow";
import type { Dataset, Snapshot } from "../dataset/dataset.js";
import type { Manifest } from "../dataset/manifest.js";
import { sameMetadata } from "../dataset/metadata.js";
import { OupsError } from "../errors.js";
import { fsError } from "../io/fs-error.js";
import type { Key } from "../keys/key.js";
import type { Ordinal } from "../ordinal.js";
import type { Lease } from "./lease-registry.js";
import { LeaseRegistry } from "./lease-registry.js";
import type { RetentionOverride, RetentionPolicy } from "./retention-policy.js";
import { validateSnapshotName } from "./snapshot-name.js";
import type { SnapshotRecord } from "./snapshot-registry.js";
import { SnapshotRegistry } from "./snapshot-registry.js";
import type { VersionChange } from "./version-change.js";
import type { VersionSelector } from "./version-selector.js";

/** One retained version of a dataset, as ListVersions reports it. */
export interface VersionInfo {
  readonly generation: number;
  readonly committedAtMs: number | undefined;
  readonly totalRows: number;
  readonly totalBytes: number;
  readonly rowGroups: number;
  readonly change: VersionChange | undefined;
  readonly current: boolean;
  /** Snapshots holding it, sorted. */
  readonly snapshots: readonly string[];
  readonly retainedByPolicy: boolean;
}

/** What Describe adds about versions to a dataset's description. */
export interface VersionSummary {
  readonly currentGeneration: number;
  readonly currentBytes: number;
  /** Bytes of the files only older retained generations (policy or snapshots) use. */
  readonly olderVersionsBytes: number;
  /** When the described generation was committed. */
  readonly committedAtMs: number | undefined;
  readonly oldestRetainedGeneration: number;
  /** Generations retained, the current one included. */
  readonly retainedVersions: number;
  readonly retention: RetentionPolicy;
  readonly retentionOverride: RetentionOverride | undefined;
}

/** One row-group file of a version, for another engine to read. */
export interface DataFileInfo {
  /** Relative to the store, `/`-separated. */
  readonly path: string;
  readonly rows: number;
  readonly min: Ordinal;
  readonly max: Ordinal;
  readonly bytes: number;
}

/** What ListFiles answers: a version's files, in order, and the lease keeping them. */
export interface FileListing {
  readonly key: Key;
  readonly generation: number;
  readonly orderedOn: string;
  readonly schema: Schema | undefined;
  readonly totalRows: number;
  readonly files: readonly DataFileInfo[];
  readonly lease: Lease;
  /** The store's directory, absolute. */
  readonly storeDir: string;
}

/** Which datasets a snapshot holds: a list of keys, the keys with some field values, or all. */
export type SnapshotScope = { readonly keys: readonly Readonly<Record<string, string>>[] } | { readonly prefix: Readonly<Record<string, string>> } | { readonly all: true };

/** Lease durations (ms): the default, and the most a caller may ask for. */
export interface LeaseLimits {
  readonly defaultMs: number;
  readonly maxMs: number;
}

/** Five minutes: long enough for an engine to scan a listing; renewable. */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;
/** A day at most, renewable. */
export const DEFAULT_MAX_LEASE_MS = 24 * 60 * 60 * 1000;

/** What the version operations need of their store. */
export interface VersionStoreAccess {
  readonly dir: string;
  dataset(key: Readonly<Record<string, string>>): { key: Key; id: string; dataset: Dataset };
  /** The loaded dataset of this path (its id), if any. */
  loadedDataset(path: string): Dataset | undefined;
  loadedDatasets(): Iterable<Dataset>;
  runForKey<T>(id: string, task: () => Promise<T>): Promise<T>;
  listKeys(prefix?: Readonly<Record<string, string>>): Promise<Key[]>;
  assertWritable(): void;
  clock(): number;
}

/**
 * The store's versions: snapshots (persisted at the store root), leases (in memory), reading a chosen version,
 * listing and restoring versions. Retention itself lives in each {@link Dataset}; this decides across datasets.
 */
export class StoreVersions {
  readonly leases: LeaseRegistry;

  private constructor(
    private readonly access: VersionStoreAccess,
    readonly snapshots: SnapshotRegistry,
    private readonly leaseLimits: LeaseLimits,
  ) {
    this.leases = new LeaseRegistry(access.clock, (paths) => {
      for (const path of paths) access.loadedDataset(path)?.collectGarbage();
    });
  }

  /** Loads the store's snapshots. */
  static async open(access: VersionStoreAccess, leaseLimits: LeaseLimits): Promise<StoreVersions> {
    let snapshots: SnapshotRegistry;
    try {
      snapshots = await SnapshotRegistry.load(access.dir);
    } catch (err) {
      throw fsError(err, "read the store's snapshots");
    }
    return new StoreVersions(access, snapshots, leaseLimits);
  }

  /**
   * Pins the version of a dataset `version` names (the current one when undefined).
   * @throws OupsError `NOT_FOUND`, `VERSION_NOT_FOUND` or `SNAPSHOT_NOT_FOUND`.
   */
  async pin(key: Key, dataset: Dataset, version: VersionSelector | undefined): Promise<Snapshot & { manifest: Manifest }> {
    let pinned: Snapshot;
    if (version !== undefined && "snapshot" in version) {
      const record = this.snapshots.get(version.snapshot);
      const held = record.datasets.find((d) => d.path === dataset.name);
      if (!held) throw new OupsError("SNAPSHOT_NOT_FOUND", `snapshot ${JSON.stringify(version.snapshot)} does not hold key ${JSON.stringify(key)}`);
      pinned = await dataset.snapshot({ generation: held.generation });
    } else {
      pinned = await dataset.snapshot(version);
    }
    if (!pinned.manifest) notFound(key);
    return pinned as Snapshot & { manifest: Manifest };
  }

  /** What Describe tells of the versions of a dataset, `described` being the generation it describes. */
  async summary(dataset: Dataset, described: Manifest): Promise<VersionSummary> {
    const versions = await dataset.visibleVersions();
    const current = versions?.current ?? described;
    const currentFiles = new Set(current.rowGroups.map((g) => g.file));
    const older = new Map<string, number>();
    for (const r of versions?.older ?? []) for (const g of r.manifest.rowGroups) if (!currentFiles.has(g.file)) older.set(g.file, g.bytes);
    let olderVersionsBytes = 0;
    for (const bytes of older.values()) olderVersionsBytes += bytes;
    return {
      currentGeneration: current.generation,
      currentBytes: current.rowGroups.reduce((n, g) => n + g.bytes, 0),
      olderVersionsBytes,
      committedAtMs: described.committedAtMs,
      oldestRetainedGeneration: versions?.older[0]?.manifest.generation ?? current.generation,
      retainedVersions: (versions?.older.length ?? 0) + 1,
      retention: dataset.retentionPolicy(current),
      retentionOverride: current.retention,
    };
  }

  /** A dataset's retained versions, oldest first (the current one last). */
  async listVersions(fields: Readonly<Record<string, string>>): Promise<{ versions: VersionInfo[]; retention: RetentionPolicy }> {
    const { key, dataset } = this.access.dataset(fields);
    const versions = (await dataset.visibleVersions()) ?? notFound(key);
    const held = this.snapshots.heldGenerations(dataset.name);
    const info = (manifest: Manifest, current: boolean, byPolicy: boolean): VersionInfo => ({
      generation: manifest.generation,
      committedAtMs: manifest.committedAtMs,
      totalRows: manifest.rowGroups.reduce((n, g) => n + g.rows, 0),
      totalBytes: manifest.rowGroups.reduce((n, g) => n + g.bytes, 0),
      rowGroups: manifest.rowGroups.length,
      change: manifest.change,
      current,
      snapshots: [...(held.get(manifest.generation) ?? [])].sort(),
      retainedByPolicy: byPolicy,
    });
    return {
      versions: [...versions.older.map((r) => info(r.manifest, false, dataset.retainedByPolicy(r))), info(versions.current, true, true)],
      retention: dataset.retentionPolicy(versions.current),
    };
  }

  /**
   * Commits a new generation equal in content (row groups, schema, metadata) to the version `version` names. Its
   * files are reused: they are immutable, and the version being retained keeps them on disk until the commit.
   */
  async restoreVersion(
    fields: Readonly<Record<string, string>>,
    version: VersionSelector,
  ): Promise<{ generation: number; restoredGeneration: number; totalRows: number }> {
    const { key, id, dataset } = this.access.dataset(fields);
    return this.access.runForKey(id, async () => {
      this.access.assertWritable();
      const pinned = await this.pin(key, dataset, version);
      try {
        const current = (await dataset.current()) ?? notFound(key);
        const restored = pinned.manifest;
        const ids = await dataset.nextIds();
        // Everything the version holds (row groups, schema and its history, metadata) but what the commit stamps.
        const { committedAtMs: _committedAt, change: _change, retention: _retention, ...content } = restored;
        const next: Manifest = { ...content, generation: ids.generation, nextFileId: Math.max(ids.fileId, current.nextFileId) };
        const committed = await dataset.commit(next, {
          operation: "restore",
          rowsReceived: 0,
          rowGroupsRewritten: 0,
          rowGroupsAdded: 0,
          metadataChanged: !sameMetadata(restored.metadata, current.metadata),
          restoredFrom: restored.generation,
        });
        return {
          generation: committed.generation,
          restoredGeneration: restored.generation,
          totalRows: committed.rowGroups.reduce((n, g) => n + g.rows, 0),
        };
      } finally {
        pinned.release();
      }
    });
  }

  /**
   * Records the current generation of each dataset of `scope` under `name`, durably, holding the write turns of
   * all their keys meanwhile (so no commit to any of them lands in between).
   * @throws OupsError `INVALID_ARGUMENT` (name, scope), `ALREADY_EXISTS`, `NOT_FOUND` (a listed key with no dataset).
   */
  async createSnapshot(name: string, scope: SnapshotScope): Promise<SnapshotRecord> {
    validateSnapshotName(name);
    this.access.assertWritable();
    if (this.snapshots.has(name)) throw new OupsError("ALREADY_EXISTS", `a snapshot named ${JSON.stringify(name)} exists`);
    const explicit = "keys" in scope;
    const keys = explicit ? scope.keys : await this.access.listKeys("prefix" in scope ? scope.prefix : undefined);
    const handles = new Map<string, { key: Key; dataset: Dataset }>();
    for (const k of keys) {
      const { key, id, dataset } = this.access.dataset(k);
      handles.set(id, { key, dataset });
    }
    const ids = [...handles.keys()].sort();
    const take = async (): Promise<SnapshotRecord> => {
      this.access.assertWritable();
      const datasets = [];
      for (const id of ids) {
        const { key, dataset } = handles.get(id)!;
        const manifest = await dataset.current();
        if (!manifest) {
          // A key listed by prefix and removed since is simply not in the snapshot.
          if (explicit) notFound(key);
          continue;
        }
        datasets.push({ key, path: dataset.name, generation: manifest.generation });
      }
      const record: SnapshotRecord = { name, createdAtMs: this.access.clock(), datasets };
      try {
        await this.snapshots.create(record);
      } catch (err) {
        throw fsError(err, `write snapshot ${JSON.stringify(name)}`);
      }
      return record;
    };
    // Every key's turn, taken in one order (sorted ids) so that two snapshots cannot wait on each other.
    const nested = ids.reduceRight<() => Promise<SnapshotRecord>>((inner, id) => () => this.access.runForKey(id, inner), take);
    return nested();
  }

  /** Deletes a snapshot; its datasets then collect what only it kept. */
  async deleteSnapshot(name: string): Promise<void> {
    this.access.assertWritable();
    let paths: string[];
    try {
      paths = await this.snapshots.delete(name);
    } catch (err) {
      throw fsError(err, `delete snapshot ${JSON.stringify(name)}`);
    }
    for (const path of paths) this.access.loadedDataset(path)?.collectGarbage();
  }

  /** Throws `HELD_BY_SNAPSHOT` when snapshots hold some generation of the dataset (before a removal). */
  assertNotHeld(key: Key, dataset: Dataset): void {
    const held = this.snapshots.heldGenerations(dataset.name);
    if (held.size === 0) return;
    const names = new Set<string>();
    for (const set of held.values()) for (const n of set) names.add(n);
    throw new OupsError(
      "HELD_BY_SNAPSHOT",
      `key ${JSON.stringify(key)} is held by snapshot${names.size > 1 ? "s" : ""} ${[...names].sort().map((n) => JSON.stringify(n)).join(", ")}: delete ${names.size > 1 ? "them" : "it"} first`,
    );
  }

  /**
   * The row-group files of a version, in order, with a lease keeping them on disk (a new one, or `leaseId`'s,
   * renewed). Paths are relative to the store.
   */
  async listFiles(
    fields: Readonly<Record<string, string>>,
    version: VersionSelector | undefined,
    options: { leaseDurationMs?: number | undefined; leaseId?: string | undefined } = {},
  ): Promise<FileListing> {
    const { key, dataset } = this.access.dataset(fields);
    const durationMs = this.leaseDuration(options.leaseDurationMs);
    const pinned = await this.pin(key, dataset, version);
    try {
      const manifest = pinned.manifest;
      // In the tick of the pin: from here on the lease keeps the files, whatever commits next.
      const lease = options.leaseId ? this.leases.renew(options.leaseId, durationMs) : this.leases.create(durationMs);
      this.leases.add(lease.id, dataset.name, manifest.rowGroups.map((g) => g.file));
      return {
        key,
        generation: manifest.generation,
        orderedOn: manifest.orderedOn,
        schema: manifest.schema,
        totalRows: manifest.rowGroups.reduce((n, g) => n + g.rows, 0),
        files: manifest.rowGroups.map((g) => ({ path: `${dataset.name}/${g.file}`, rows: g.rows, min: g.min, max: g.max, bytes: g.bytes })),
        lease,
        storeDir: this.access.dir,
      };
    } finally {
      pinned.release();
    }
  }

  /** Extends a live lease. @throws OupsError `LEASE_NOT_FOUND`. */
  renewLease(id: string, durationMs?: number): Lease {
    return this.leases.renew(id, this.leaseDuration(durationMs));
  }

  /** Ends a lease; false when it had already ended. */
  releaseLease(id: string): boolean {
    return this.leases.release(id);
  }

  /** Ends expired leases and runs every loaded dataset's collection, then waits for the deletions. */
  async collectGarbage(): Promise<void> {
    this.leases.sweep();
    const datasets = [...this.access.loadedDatasets()];
    for (const d of datasets) d.collectGarbage();
    await Promise.all(datasets.map((d) => d.settled()));
  }

  private leaseDuration(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return this.leaseLimits.defaultMs;
    if (!(Number.isFinite(requested) && requested > 0)) throw new OupsError("INVALID_ARGUMENT", `a lease duration must be positive, got ${requested} ms`);
    return Math.min(requested, this.leaseLimits.maxMs);
  }
}

function notFound(key: Key): never {
  throw new OupsError("NOT_FOUND", `no dataset for key ${JSON.stringify(key)}`);
}
