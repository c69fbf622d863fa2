import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { fsyncDir, removeQuietly } from "../io/durable-fs.js";
import { fsError } from "../io/fs-error.js";
import { MANIFEST_FILE } from "../keys/layout.js";
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
}

/** A pinned view of one committed generation: its files stay on disk until {@link Snapshot.release}. */
export interface Snapshot {
  /** The committed manifest, or null when the key holds no dataset. */
  readonly manifest: Manifest | null;
  readonly dir: string;
  release(): void;
}

interface Garbage {
  /** Files to delete once no reader of a generation before `freedAt` remains. */
  readonly files: readonly string[];
  readonly freedAt: number;
  /** Also remove the dataset directory and its empty parents (up to the store root) when empty. */
  readonly pruneDirs: boolean;
}

/**
 * The daemon's handle on one dataset: its committed manifest, the readers pinning generations, and the files
 * waiting for those readers to finish before deletion. Readers never wait for writers: they pin the committed
 * generation and read it to the end, even while later generations commit. Writers are serialised by the store's
 * per-key queue, so this class never sees two commits at once.
 *
 * Nothing here follows a path out of the store: the dataset's directory and its parents must be real directories
 * (checked on every operation, so that one replaced by a link since the load is refused too), the manifest and
 * its row-group files plain files, and deletions only ever unlink plain files of the dataset's own directory.
 */
export class Dataset {
  private manifest: Manifest | null | undefined;
  private loading: Promise<Manifest | null> | undefined;
  private readonly readers = new Map<number, number>();
  private garbage: Garbage[] = [];
  /** Survives removal, so that a re-created dataset never reuses a file name still awaiting deletion. */
  private nextFileIdFloor = 0;
  private generationFloor = 0;
  /** The directory relative to the store root: how messages to clients name the dataset. */
  readonly name: string;
  /** Size of the committed manifest file (0 without one). */
  private manifestBytes = 0;
  /** Bytes of the committed generation's files, row groups and manifest (0 without one). */
  private bytes = 0;

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
    for (const n of this.readers.values()) reads += n;
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

  /** Pins the committed generation for a read. */
  async snapshot(): Promise<Snapshot> {
    const manifest = await this.current();
    if (!manifest) return { manifest, dir: this.dir, release: () => {} };
    const generation = manifest.generation;
    this.readers.set(generation, (this.readers.get(generation) ?? 0) + 1);
    let released = false;
    return {
      manifest,
      dir: this.dir,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.readers.get(generation) ?? 1) - 1;
        if (left === 0) this.readers.delete(generation);
        else this.readers.set(generation, left);
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
   * Makes `next` the committed manifest (its row-group files are already written and fsynced), then deletes
   * `obsolete` files once no reader of an older generation remains.
   */
  async commit(next: Manifest, obsolete: readonly string[]): Promise<void> {
    const bytes = encodeManifest(next);
    checkManifestBytes(bytes.byteLength, this.manifestBytes, this.maxManifestBytes, next.rowGroups.length);
    await this.ensureDir();
    // Last moment to notice that the store is no longer this process's: a commit now could overwrite another's.
    this.hooks.beforeCommit?.();
    const started = process.hrtime.bigint();
    try {
      // The new files' directory entries must be durable before a manifest that points at them.
      await fsyncDir(this.dir);
      await writeManifest(this.dir, next, bytes);
    } catch (err) {
      // Renamed but not flushed, or not renamed: only the disk knows whether the key holds a dataset now.
      await this.hooks.onManifest?.(undefined);
      throw fsError(err, `commit the manifest of ${this.name}`);
    }
    this.hooks.onCommit?.(Number(process.hrtime.bigint() - started) / 1e9);
    await this.hooks.onManifest?.(true);
    this.manifest = next;
    this.manifestBytes = bytes.byteLength;
    this.bytes = filesBytes(next, this.manifestBytes);
    this.nextFileIdFloor = next.nextFileId;
    this.generationFloor = next.generation + 1;
    if (obsolete.length > 0) this.garbage.push({ files: obsolete, freedAt: next.generation, pruneDirs: false });
    this.collectGarbage();
  }

  /**
   * Removes the dataset: the manifest goes first (atomically: from then on the key holds no dataset), the
   * files follow once readers of earlier generations are done, then the directory and its empty parents. The
   * directories are pruned before this resolves, or not at all when a reader holds the files up (the directory
   * is then left empty): the caller's turn on the key must cover the pruning.
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
    this.garbage.push({ files: manifest.rowGroups.map((g) => g.file), freedAt: this.generationFloor, pruneDirs: true });
    this.collectGarbage();
    // A later write of the key re-creates the directory as soon as its turn comes: pruning concurrently would
    // remove the directory under it (its mkdir or file creation then fails with ENOENT).
    await this.settled();
    this.garbage = this.garbage.map((g) => (g.pruneDirs ? { ...g, pruneDirs: false } : g));
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
  /** Files of the garbage being deleted right now (taken off {@link garbage}, not yet unlinked). */
  private collecting: readonly string[] = [];

  /**
   * Files no committed manifest lists that are kept for readers of older generations, or being deleted now: not
   * leftovers, whatever a listing of the directory suggests.
   */
  pendingDeletions(): ReadonlySet<string> {
    return new Set([...this.garbage.flatMap((g) => g.files), ...this.collecting]);
  }

  private collectGarbage(): void {
    if (this.deleting || this.garbage.length === 0) return;
    const oldestReader = Math.min(...this.readers.keys());
    const ready = this.garbage.filter((g) => !(oldestReader < g.freedAt));
    if (ready.length === 0) return;
    this.garbage = this.garbage.filter((g) => oldestReader < g.freedAt);
    this.collecting = ready.flatMap((g) => g.files);
    this.deleting = (async () => {
      for (const g of ready) {
        // A file that cannot be deleted now (read-only store) stays: no manifest lists it, so the next load of the
        // dataset removes it as a leftover. A failure here must not become an unhandled rejection.
        await this.removeFiles(g.files).catch(() => undefined);
        if (g.pruneDirs && this.manifest === null) await this.directories.prune(this.dir);
      }
    })().finally(() => {
      this.deleting = undefined;
      this.collecting = [];
      this.collectGarbage();
    });
  }

  private async load(): Promise<Manifest | null> {
    let manifest: Manifest | null;
    let entries: Dirent[];
    try {
      manifest = await readManifest(this.dir, this.name);
      entries = await this.entries();
    } catch (err) {
      throw fsError(err, `read the manifest of ${this.name}`);
    }
    if (manifest) this.assertPlainFiles(manifest, entries);
    await this.removeLeftovers(manifest, entries);
    // After a reload (see forget): a file the manifest on disk lists again is no longer ours to delete.
    const listed = new Set(manifest?.rowGroups.map((g) => g.file));
    this.garbage = this.garbage.map((g) => ({ ...g, files: g.files.filter((f) => !listed.has(f)) }));
    this.manifest = manifest;
    this.manifestBytes = manifest ? encodeManifest(manifest).byteLength : 0;
    this.bytes = manifest ? filesBytes(manifest, this.manifestBytes) : 0;
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
   * Deletes what a crashed write left: row-group files the manifest does not list and temporary manifests.
   * Safe because the daemon owns the store and this runs before its first write to the dataset. Only plain files
   * go: a link with such a name is left alone (unlinking it would be harmless, but it is not the engine's own).
   */
  private async removeLeftovers(manifest: Manifest | null, entries: readonly Dirent[]): Promise<void> {
    // Files waiting for readers are not leftovers (only after a reload, see forget, can there be any).
    const listed = new Set([...(manifest?.rowGroups.map((g) => g.file) ?? []), ...this.garbage.flatMap((g) => g.files)]);
    const leftovers = entries.filter((e) => e.isFile() && ((isRowGroupFile(e.name) && !listed.has(e.name)) || isTemporaryManifest(e.name)));
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
