import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { fsyncDir, removeQuietly } from "../io/durable-fs.js";
import { fsError } from "../io/fs-error.js";
import { MANIFEST_FILE, VERSIONS_DIR } from "../keys/layout.js";
import type { RetentionOverride, RetentionPolicy } from "../versions/retention-policy.js";
import { effectiveRetention, isEmptyOverride } from "../versions/retention-policy.js";
import type { VisibleVersions } from "../versions/retained-versions.js";
import { retainedByPolicy, versionAsOf, versionByGeneration } from "../versions/retained-versions.js";
import type { VersionChange } from "../versions/version-change.js";
import type { VersionRecord, VersionRecords } from "../versions/version-records.js";
import { readVersionRecords, removeTemporaryRecords, removeVersionRecords, removeVersionsDirIfEmpty, writeVersionRecord } from "../versions/version-records.js";
import type { Directories } from "./directories.js";
import { symbolicLinkRefused } from "./directories.js";
import type { Manifest } from "./manifest.js";
import { encodeManifest, isTemporaryManifest, readManifest, writeManifest } from "./manifest.js";
import { checkManifestBytes, DEFAULT_MAX_MANIFEST_BYTES } from "./manifest-budget.js";
import { isRowGroupFile } from "./row-group-files.js";

/** What a dataset tells its store, and lets it refuse (see {@link Dataset}). */
export interface DatasetHooks {
  beforeCommit?: () => void;
  onCommit?: (seconds: number) => void;
  /**
   * The manifest was written (true) or removed (false), or a failed commit or removal may have left it either way
   * (undefined: the disk says). Awaited, within the caller's turn on the key.
   */
  onManifest?: (present: boolean | undefined) => void | Promise<void>;
  /** What the dataset needs to know to keep versions; without it, only the current generation is kept. */
  versions?: VersionHooks | undefined;
}

/** What decides which older generations and files a dataset keeps (the store's policy, snapshots, leases). */
export interface VersionHooks {
  /** ms since the epoch: commit times and retention by duration use it (injectable for tests). */
  clock(): number;
  /** The store's policy (a dataset's own override, in its manifest, applies over it). */
  retention(): RetentionPolicy;
  /** Generations of the dataset snapshots hold, with the snapshots' names. */
  snapshotGenerations(): ReadonlyMap<number, ReadonlySet<string>>;
  /** Files of the dataset live leases hold. */
  leasedFiles(): ReadonlySet<string>;
  /** True while no file may be deleted (a snapshot file cannot be read: what it holds is unknown). */
  deletionsBlocked(): boolean;
}

const NO_VERSIONS: VersionHooks = {
  clock: () => Date.now(),
  retention: () => ({ generations: 0, durationMs: 0 }),
  snapshotGenerations: () => new Map(),
  leasedFiles: () => new Set(),
  deletionsBlocked: () => false,
};

/** A pinned view of one committed generation: its files stay on disk until {@link Snapshot.release}. */
export interface Snapshot {
  /** The committed manifest, or null when the key holds no dataset. */
  readonly manifest: Manifest | null;
  readonly dir: string;
  release(): void;
}

/** Why a file the current manifest does not list is still on disk (see {@link Dataset.pendingDeletions}). */
export type HeldBy = "reader" | "lease" | "version" | "snapshot";

/** How a commit changes the dataset's retention override: undefined keeps it, null clears it. */
export type RetentionChange = RetentionOverride | null | undefined;

/**
 * The daemon's handle on one dataset: its committed manifest, the retained older generations (their manifests are
 * records in `.versions/`, see versions/version-records.ts), the readers pinning generations, and the files kept
 * for any of them. Readers never wait for writers: they pin a generation and read it to the end, even while later
 * generations commit. Writers are serialised by the store's per-key queue, so this class never sees two commits at
 * once.
 *
 * A row-group file is deleted only once no current manifest, retained record, snapshot, lease or pinned reader
 * needs it, and only after every durable record listing it is gone (records are deleted and flushed first), so
 * that a crash never leaves a record naming a deleted file; what a crash leaves behind, nothing lists, and the next
 * load removes it.
 *
 * Nothing here follows a path out of the store: the dataset's directory and its parents must be real directories
 * (checked on every operation, so that one replaced by a link since the load is refused too), the manifest and
 * its row-group files plain files, and deletions only ever unlink plain files of the dataset's own directory.
 */
export class Dataset {
  private manifest: Manifest | null | undefined;
  private loading: Promise<Manifest | null> | undefined;
  /** Pinned generations: the manifest each reader reads, and how many readers. */
  private readonly readers = new Map<number, { manifest: Manifest; count: number }>();
  /** Retained older generations, by generation: each has its record on disk. */
  private readonly history = new Map<number, VersionRecord>();
  /** Row-group files known to be on disk: the ones something lists, and the ones awaiting deletion. */
  private readonly tracked = new Set<string>();
  /** Some record cannot be read: which files it lists is unknown, so none is deleted. */
  private historyInvalid = false;
  /** Survives removal, so that a re-created dataset never reuses a file name still awaiting deletion. */
  private nextFileIdFloor = 0;
  private generationFloor = 0;
  /** The directory relative to the store root: how messages to clients name the dataset. */
  readonly name: string;
  /** Size of the committed manifest file (0 without one). */
  private manifestBytes = 0;
  /** Bytes of the committed generation's files, row groups and manifest (0 without one). */
  private bytes = 0;
  private readonly versions: VersionHooks;

  constructor(
    readonly dir: string,
    private readonly directories: Directories,
    /** Bound on the manifest a commit may write (see manifest-budget.ts). */
    private readonly maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES,
    /** Told what happens to the dataset: `beforeCommit` throws to refuse a commit (the store lock was lost
     * meanwhile); `onCommit` is told how long each commit took to become durable, in seconds. */
    private readonly hooks: DatasetHooks = {},
  ) {
    this.name = directories.nameOf(dir);
    this.versions = hooks.versions ?? NO_VERSIONS;
  }

  /** Creates the dataset's directory (before a write's first file). */
  ensureDir(): Promise<void> {
    return this.directories.ensure(this.dir);
  }

  /** Removes the dataset's directory and empty parents when it holds no dataset (after a failed first write). */
  async pruneIfEmpty(): Promise<void> {
    // A dataset found corrupt meanwhile is left as it is: the caller is reporting the failure that brought it here.
    if ((await this.current().catch(() => undefined)) === null) await this.directories.prune(this.dir);
  }

  /**
   * The committed manifest, loaded on first use (when leftovers of a crashed write are also cleaned up).
   * @throws OupsError `CORRUPT_DATASET` when the dataset's directory, a parent of it below the store root, its
   * manifest or one of its row-group files is a symbolic link (or not what it should be), or the manifest is invalid.
   */
  async current(): Promise<Manifest | null> {
    await this.directories.verify(this.dir);
    if (this.manifest !== undefined) return this.manifest;
    // A failed load is not kept: once the dataset is repaired, the next operation loads it.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Bytes on disk of the committed generation (row-group files and manifest); 0 until loaded, or without one. */
  get committedBytes(): number {
    return this.bytes;
  }

  /** Generations pinned by reads, and the reads pinning them. */
  get pins(): { generations: number; reads: number } {
    let reads = 0;
    for (const { count } of this.readers.values()) reads += count;
    return { generations: this.readers.size, reads };
  }

  /**
   * Forgets the committed manifest: the next operation reads it from disk again, since another process may have
   * changed the dataset (while this one's store lock was lost). Readers keep their generations, and files waiting
   * for them stay pending. The caller's turn on the key must cover this (no write in flight).
   */
  forget(): void {
    this.manifest = undefined;
  }

  /** The retention policy in force: the store's, with the dataset's override applied. */
  retentionPolicy(manifest: Manifest | null | undefined = this.manifest): RetentionPolicy {
    return effectiveRetention(this.versions.retention(), manifest?.retention);
  }

  /**
   * The versions a read may name now: the current one and the older ones the policy or a snapshot keeps, or null
   * when the key holds no dataset. The answer is synchronous with its last await: pin what it gives at once.
   */
  async visibleVersions(): Promise<VisibleVersions | null> {
    const current = await this.current();
    if (!current) return null;
    return this.visibleNow(current);
  }

  private visibleNow(current: Manifest): VisibleVersions {
    const policy = this.retentionPolicy(current);
    const now = this.versions.clock();
    const held = this.versions.snapshotGenerations();
    const older = [...this.history.values()]
      .filter((r) => held.has(r.manifest.generation) || retainedByPolicy(r, current.generation, policy, now))
      .sort((a, b) => a.manifest.generation - b.manifest.generation);
    return { current, older, name: this.name };
  }

  /** Whether the policy (rather than only a snapshot) keeps an older generation now. */
  retainedByPolicy(record: VersionRecord): boolean {
    const current = this.manifest;
    return current ? retainedByPolicy(record, current.generation, this.retentionPolicy(current), this.versions.clock()) : false;
  }

  /**
   * Pins a generation for a read: the committed one, or the one `version` names.
   * @throws OupsError `VERSION_NOT_FOUND` when that version is not retained.
   */
  async snapshot(version?: { generation: number } | { asOfMs: number }): Promise<Snapshot> {
    const versions = await this.visibleVersions();
    if (!versions) return { manifest: null, dir: this.dir, release: () => {} };
    const manifest = version === undefined ? versions.current : "generation" in version ? versionByGeneration(versions, version.generation) : versionAsOf(versions, version.asOfMs);
    return this.pin(manifest);
  }

  /** Pins `manifest` (the current one or a retained one, looked up in the same tick) until the answer is released. */
  pin(manifest: Manifest): Snapshot {
    const generation = manifest.generation;
    const entry = this.readers.get(generation);
    if (entry) entry.count++;
    else this.readers.set(generation, { manifest, count: 1 });
    let released = false;
    return {
      manifest,
      dir: this.dir,
      release: () => {
        if (released) return;
        released = true;
        const pinned = this.readers.get(generation);
        if (pinned && --pinned.count === 0) this.readers.delete(generation);
        this.collectGarbage();
      },
    };
  }

  /** Ids and generations a writer must start from. */
  async nextIds(): Promise<{ generation: number; fileId: number }> {
    const manifest = await this.current();
    return {
      generation: Math.max(this.generationFloor, (manifest?.generation ?? 0) + 1),
      fileId: Math.max(this.nextFileIdFloor, manifest?.nextFileId ?? 0),
    };
  }

  /**
   * Makes `next` the committed manifest (its row-group files are already written and fsynced), stamped with the
   * commit time and `change`. The generation it replaces is first recorded durably in `.versions/` when anything
   * (the policy, a snapshot) is to keep it. Files no version needs any more are then deleted once no reader or
   * lease holds them. `retention` sets (or, null, clears) the dataset's retention override.
   */
  async commit(next: Manifest, change: VersionChange, retention?: RetentionChange): Promise<Manifest> {
    const previous = await this.current();
    const now = this.versions.clock();
    const committed: Manifest = {
      ...next,
      committedAtMs: now,
      change,
      retention: retention === undefined ? previous?.retention : retention === null || isEmptyOverride(retention) ? undefined : { ...retention },
    };
    const bytes = encodeManifest(committed);
    checkManifestBytes(bytes.byteLength, this.manifestBytes, this.maxManifestBytes, committed.rowGroups.length);
    await this.ensureDir();
    // Last moment to notice that the store is no longer this process's: a commit now could overwrite another's.
    this.hooks.beforeCommit?.();
    const started = process.hrtime.bigint();
    let recorded: VersionRecord | undefined;
    try {
      // The new files' directory entries must be durable before a manifest that points at them.
      await fsyncDir(this.dir);
      if (previous && this.keepsReplaced(previous, committed, now)) {
        recorded = { manifest: previous, supersededAtMs: now };
        // Before the manifest that replaces it: a crash then leaves either the old manifest (and a record the next
        // load drops) or the new manifest and the old one's record.
        await writeVersionRecord(this.dir, recorded);
      }
      await writeManifest(this.dir, committed, bytes);
    } catch (err) {
      // Renamed but not flushed, or not renamed: only the disk knows whether the key holds a dataset now.
      await this.hooks.onManifest?.(undefined);
      throw fsError(err, `commit the manifest of ${this.name}`);
    }
    this.hooks.onCommit?.(Number(process.hrtime.bigint() - started) / 1e9);
    await this.hooks.onManifest?.(true);
    if (recorded) this.history.set(recorded.manifest.generation, recorded);
    this.manifest = committed;
    this.manifestBytes = bytes.byteLength;
    this.bytes = filesBytes(committed, this.manifestBytes);
    this.nextFileIdFloor = committed.nextFileId;
    this.generationFloor = committed.generation + 1;
    for (const g of committed.rowGroups) this.tracked.add(g.file);
    this.collectGarbage();
    return committed;
  }

  /** Whether `previous`, replaced now by `next`, is to be kept (so recorded): by the policy or a snapshot. */
  private keepsReplaced(previous: Manifest, next: Manifest, now: number): boolean {
    if (this.versions.snapshotGenerations().has(previous.generation)) return true;
    const policy = this.retentionPolicy(next);
    return retainedByPolicy({ manifest: previous, supersededAtMs: now }, next.generation, policy, now);
  }

  /**
   * Removes the dataset, with its retained versions: the manifest goes first (atomically: from then on the key
   * holds no dataset), then the version records, then the files once readers and leases are done with them, then
   * the directory and its empty parents. The directories are pruned before this resolves, or not at all when a
   * reader or a lease holds files up (the directory is then left): the caller's turn on the key must cover the
   * pruning. The caller checks that no snapshot holds the dataset.
   */
  async remove(): Promise<boolean> {
    const manifest = await this.current();
    if (!manifest) return false;
    try {
      await removeQuietly(join(this.dir, MANIFEST_FILE));
      await fsyncDir(this.dir);
    } catch (err) {
      await this.hooks.onManifest?.(undefined);
      throw fsError(err, `remove the manifest of ${this.name}`);
    }
    await this.hooks.onManifest?.(false);
    this.manifest = null;
    this.manifestBytes = 0;
    this.bytes = 0;
    this.nextFileIdFloor = Math.max(this.nextFileIdFloor, manifest.nextFileId);
    this.generationFloor = manifest.generation + 1;
    const generations = [...this.history.keys()];
    this.history.clear();
    // Best effort: records left (a read-only store) belong to no manifest, and the next load drops them.
    await removeVersionRecords(this.dir, generations).catch(() => undefined);
    await removeVersionsDirIfEmpty(this.dir).catch(() => undefined);
    this.collectGarbage();
    // A later write of the key re-creates the directory as soon as its turn comes: pruning concurrently would
    // remove the directory under it (its mkdir or file creation then fails with ENOENT).
    await this.settled();
    if (this.manifest === null && this.tracked.size === 0) await this.directories.prune(this.dir);
    return true;
  }

  /**
   * Deletes row-group files of the dataset's own directory: plain files only, and none while the directory is not
   * a real one inside the store (replaced by a link since the files were written: they are not ours to delete).
   * Failures leave files in place: unlisted, they go with the leftovers at the next load.
   */
  async removeFiles(files: readonly string[]): Promise<void> {
    if (!(await this.directories.verify(this.dir).catch(() => false))) return;
    await Promise.all(files.map((file) => this.removeFile(file)));
  }

  /** Resolves when every pending deletion has run (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.deleting) await this.deleting;
  }

  private deleting: Promise<void> | undefined;
  private collectionPaused = 0;

  /** Runs `task` with no collection running or starting meanwhile (a check reads records and files as they are). */
  async withoutCollection<T>(task: () => Promise<T>): Promise<T> {
    this.collectionPaused++;
    try {
      await this.settled();
      return await task();
    } finally {
      if (--this.collectionPaused === 0 && this.collectAgain) {
        this.collectAgain = false;
        this.collectGarbage();
      }
    }
  }
  /** Asked to collect while a collection ran: run again after it. */
  private collectAgain = false;
  /** Files being deleted right now (taken off {@link tracked}, not yet unlinked). */
  private collecting: readonly string[] = [];

  /**
   * Files the current manifest does not list that are still on disk for a reason (a reader, a lease, a retained
   * version, a snapshot), or being deleted now: not leftovers, whatever a listing of the directory suggests.
   */
  pendingDeletions(): ReadonlyMap<string, HeldBy> {
    const held = new Map<string, HeldBy>();
    const current = new Set(this.manifest?.rowGroups.map((g) => g.file));
    const snapshots = this.versions.snapshotGenerations();
    for (const f of this.versions.leasedFiles()) if (!current.has(f)) held.set(f, "lease");
    for (const { manifest } of this.readers.values()) for (const g of manifest.rowGroups) if (!current.has(g.file) && !held.has(g.file)) held.set(g.file, "reader");
    for (const [generation, record] of this.history) {
      const by: HeldBy = snapshots.has(generation) ? "snapshot" : "version";
      for (const g of record.manifest.rowGroups) if (!current.has(g.file) && !held.has(g.file)) held.set(g.file, by);
    }
    for (const f of [...this.tracked, ...this.collecting]) if (!current.has(f) && !held.has(f)) held.set(f, "reader");
    return held;
  }

  /** The retained older generations' records, oldest first (whether or not the policy still keeps them). */
  records(): VersionRecord[] {
    return [...this.history.values()].sort((a, b) => a.manifest.generation - b.manifest.generation);
  }

  /**
   * Deletes what nothing needs any more: records of older generations neither the policy nor a snapshot keeps
   * (durably, first), then the row-group files no current manifest, record, reader or lease lists.
   */
  collectGarbage(): void {
    if (this.deleting || this.collectionPaused > 0) {
      this.collectAgain = true;
      return;
    }
    const current = this.manifest;
    if (current === undefined || this.historyInvalid || this.versions.deletionsBlocked()) return;
    const expired: VersionRecord[] = [];
    if (current) {
      const policy = this.retentionPolicy(current);
      const now = this.versions.clock();
      const held = this.versions.snapshotGenerations();
      for (const record of this.history.values()) {
        if (!held.has(record.manifest.generation) && !retainedByPolicy(record, current.generation, policy, now)) expired.push(record);
      }
    }
    for (const r of expired) this.history.delete(r.manifest.generation);
    const needed = new Set<string>(this.versions.leasedFiles());
    for (const g of current?.rowGroups ?? []) needed.add(g.file);
    for (const { manifest } of this.readers.values()) for (const g of manifest.rowGroups) needed.add(g.file);
    for (const { manifest } of this.history.values()) for (const g of manifest.rowGroups) needed.add(g.file);
    const doomed = [...this.tracked].filter((f) => !needed.has(f));
    if (expired.length === 0 && doomed.length === 0) return;
    for (const f of doomed) this.tracked.delete(f);
    this.collecting = doomed;
    this.deleting = (async () => {
      try {
        await removeVersionRecords(
          this.dir,
          expired.map((r) => r.manifest.generation),
        );
      } catch {
        // The records are still on disk, so their files stay too; the next collection tries again.
        for (const r of expired) this.history.set(r.manifest.generation, r);
        for (const f of doomed) this.tracked.add(f);
        return;
      }
      // A file that cannot be deleted now (read-only store) stays: nothing lists it, so the next load of the
      // dataset removes it as a leftover. A failure here must not become an unhandled rejection.
      await this.removeFiles(doomed).catch(() => undefined);
    })().finally(() => {
      this.deleting = undefined;
      this.collecting = [];
      if (this.collectAgain) {
        this.collectAgain = false;
        this.collectGarbage();
      }
    });
  }

  private async load(): Promise<Manifest | null> {
    let manifest: Manifest | null;
    let entries: Dirent[];
    let found: VersionRecords;
    try {
      manifest = await readManifest(this.dir, this.name);
      entries = await this.entries();
      const versionsEntry = entries.find((e) => e.name === VERSIONS_DIR);
      if (versionsEntry?.isSymbolicLink()) throw symbolicLinkRefused(`${this.name}/${VERSIONS_DIR}`);
      found = versionsEntry?.isDirectory() ? await readVersionRecords(this.dir) : { records: [], invalid: [], temporary: [] };
    } catch (err) {
      throw fsError(err, `read the manifest of ${this.name}`);
    }
    if (manifest) this.assertPlainFiles(manifest, entries);
    const held = this.versions.snapshotGenerations();
    // A record of the current generation or a later one is a commit a crash interrupted (or a duplicate): not a
    // version. Without a manifest (a removal interrupted), no record is one, unless a snapshot holds it.
    const stale = found.records.filter((r) => (manifest ? r.manifest.generation >= manifest.generation : !held.has(r.manifest.generation)));
    const records = found.records.filter((r) => !stale.includes(r));
    this.historyInvalid = found.invalid.length > 0;
    await removeVersionRecords(
      this.dir,
      stale.map((r) => r.manifest.generation),
    ).catch(() => undefined);
    await removeTemporaryRecords(this.dir, found.temporary).catch(() => undefined);
    this.history.clear();
    for (const r of records) this.history.set(r.manifest.generation, r);
    for (const g of manifest?.rowGroups ?? []) this.tracked.add(g.file);
    for (const r of records) for (const g of r.manifest.rowGroups) this.tracked.add(g.file);
    await this.removeLeftovers(entries);
    this.manifest = manifest;
    this.manifestBytes = manifest ? encodeManifest(manifest).byteLength : 0;
    this.bytes = manifest ? filesBytes(manifest, this.manifestBytes) : 0;
    this.collectGarbage();
    return manifest;
  }

  /** The dataset directory's entries, with their types (no stat per entry), or none when it does not exist. */
  private async entries(): Promise<Dirent[]> {
    try {
      return await readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      throw err;
    }
  }

  /** Refuses a manifest whose row-group files are links (or anything but plain files) in the directory. */
  private assertPlainFiles(manifest: Manifest, entries: readonly Dirent[]): void {
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const { file } of manifest.rowGroups) {
      const entry = byName.get(file);
      // A missing file is left for the read to report: it names the file as the worker found it.
      if (entry === undefined || entry.isFile()) continue;
      if (entry.isSymbolicLink()) throw symbolicLinkRefused(`${this.name}/${file}`);
      throw new OupsError("CORRUPT_DATASET", `${this.name}/${file} is not a regular file`);
    }
  }

  /**
   * Deletes what a crashed write left: row-group files nothing lists (the manifest, a record, a reader, a lease)
   * and temporary manifests. Safe because the daemon owns the store and this runs before its first write to the
   * dataset. Only plain files go: a link with such a name is left alone (unlinking it would be harmless, but it is
   * not the engine's own). Nothing goes while a record cannot be read (which files it lists is unknown).
   */
  private async removeLeftovers(entries: readonly Dirent[]): Promise<void> {
    // Files waiting for readers are tracked (only after a reload, see forget, can there be any).
    const keep = new Set([...this.tracked, ...this.versions.leasedFiles()]);
    for (const { manifest } of this.readers.values()) for (const g of manifest.rowGroups) keep.add(g.file);
    const unsafe = this.historyInvalid || this.versions.deletionsBlocked();
    const leftovers = entries.filter((e) => e.isFile() && ((!unsafe && isRowGroupFile(e.name) && !keep.has(e.name)) || isTemporaryManifest(e.name)));
    // Best effort: on a read-only store the leftovers stay, and reads must still work.
    await Promise.all(leftovers.map((e) => removeQuietly(join(this.dir, e.name)).catch(() => undefined)));
  }

  /** Deletes one row-group file of the directory if it is a plain file (see {@link removeFiles}). */
  private async removeFile(file: string): Promise<void> {
    if (!isRowGroupFile(file)) return;
    const path = join(this.dir, file);
    try {
      if ((await lstat(path)).isFile()) await removeQuietly(path);
    } catch {
      // Already gone, or not removable now (see above).
    }
  }
}

/** Bytes of a generation's files: its row groups as the manifest lists them, and the manifest. */
function filesBytes(manifest: Manifest, manifestBytes: number): number {
  let bytes = manifestBytes;
  for (const g of manifest.rowGroups) bytes += g.bytes;
  return bytes;
}
