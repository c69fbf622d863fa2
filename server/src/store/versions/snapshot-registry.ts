import { constants } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { fsyncDir, removeQuietly, replaceFileDurable, writeFileDurable } from "../io/durable-fs.js";
import type { Key } from "../keys/key.js";
import { SNAPSHOTS_DIR } from "../keys/layout.js";
import { validateSnapshotName } from "./snapshot-name.js";

/** One dataset a snapshot holds. */
export interface SnapshotDataset {
  readonly key: Key;
  /** The dataset's directory relative to the store (its identity in the engine). */
  readonly path: string;
  readonly generation: number;
}

/** A named set of dataset generations, kept whatever the retention policy until deleted. */
export interface SnapshotRecord {
  readonly name: string;
  readonly createdAtMs: number;
  readonly datasets: readonly SnapshotDataset[];
}

const TMP_PREFIX = ".tmp-";

/**
 * The store's snapshots: one durable file each in `.snapshots/` at the store root, loaded at open and indexed by
 * dataset so that a dataset's garbage collection knows which generations they hold. A snapshot file that cannot be
 * read leaves the registry {@link blocked}: what it holds is unknown, so no row-group file may be deleted.
 */
export class SnapshotRegistry {
  private readonly byName = new Map<string, SnapshotRecord>();
  /** Names being created: two creations of one name (over different keys, so not serialised) cannot both write. */
  private readonly creating = new Set<string>();
  /** Dataset path → generation → names of the snapshots holding it. */
  private readonly byPath = new Map<string, Map<number, Set<string>>>();
  /** Snapshot files that could not be read, relative to the store. */
  readonly invalid: { path: string; message: string }[] = [];

  private constructor(private readonly root: string) {}

  /** Reads the snapshots of the store at `root`. */
  static async load(root: string): Promise<SnapshotRegistry> {
    const registry = new SnapshotRegistry(root);
    const dir = join(root, SNAPSHOTS_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return registry;
      throw err;
    }
    for (const file of names) {
      const path = `${SNAPSHOTS_DIR}/${file}`;
      if (file.startsWith(TMP_PREFIX)) {
        await removeQuietly(join(dir, file)).catch(() => undefined);
        continue;
      }
      try {
        if (!file.endsWith(".json")) throw new Error("not a snapshot file");
        const record = parseSnapshot(await readFile(join(dir, file), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW }));
        if (`${record.name}.json` !== file) throw new Error(`it names snapshot ${JSON.stringify(record.name)}`);
        registry.index(record);
      } catch (err) {
        registry.invalid.push({ path, message: `${path} is not a valid snapshot: ${(err as Error).message}` });
      }
    }
    return registry;
  }

  /** True while some snapshot file cannot be read: no file may be deleted. */
  get blocked(): boolean {
    return this.invalid.length > 0;
  }

  /** The snapshots, sorted by name. */
  list(): SnapshotRecord[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The snapshot of this name. @throws OupsError `SNAPSHOT_NOT_FOUND` when there is none. */
  get(name: string): SnapshotRecord {
    const record = this.byName.get(name);
    if (!record) throw new OupsError("SNAPSHOT_NOT_FOUND", `no snapshot named ${JSON.stringify(name)}`);
    return record;
  }

  has(name: string): boolean {
    return this.byName.has(name) || this.creating.has(name);
  }

  /** Generations of the dataset at `path` that snapshots hold, each with the snapshots' names. */
  heldGenerations(path: string): ReadonlyMap<number, ReadonlySet<string>> {
    return this.byPath.get(path) ?? new Map();
  }

  /**
   * Persists a new snapshot (the caller holds the turns of all its keys), then makes it known.
   * @throws OupsError `ALREADY_EXISTS` when the name is taken.
   */
  async create(record: SnapshotRecord): Promise<void> {
    validateSnapshotName(record.name);
    if (this.byName.has(record.name) || this.creating.has(record.name)) {
      throw new OupsError("ALREADY_EXISTS", `a snapshot named ${JSON.stringify(record.name)} exists`);
    }
    this.creating.add(record.name);
    try {
      await this.write(record);
    } finally {
      this.creating.delete(record.name);
    }
    this.index(record);
  }

  private async write(record: SnapshotRecord): Promise<void> {
    const dir = join(this.root, SNAPSHOTS_DIR);
    try {
      await mkdir(dir);
      await fsyncDir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const tmp = join(dir, `${TMP_PREFIX}${record.name}.json`);
    await removeQuietly(tmp);
    const json = { format: 1, name: record.name, createdAt: record.createdAtMs, datasets: record.datasets };
    await writeFileDurable(tmp, new TextEncoder().encode(`${JSON.stringify(json)}\n`));
    await replaceFileDurable(tmp, join(dir, `${record.name}.json`));
  }

  /**
   * Deletes a snapshot durably, then forgets it; answers the dataset paths it held.
   * @throws OupsError `SNAPSHOT_NOT_FOUND` when there is none of that name.
   */
  async delete(name: string): Promise<string[]> {
    const record = this.get(name);
    const dir = join(this.root, SNAPSHOTS_DIR);
    await removeQuietly(join(dir, `${name}.json`));
    await fsyncDir(dir);
    this.byName.delete(name);
    for (const d of record.datasets) {
      const gens = this.byPath.get(d.path);
      const names = gens?.get(d.generation);
      names?.delete(name);
      if (names?.size === 0) gens!.delete(d.generation);
      if (gens?.size === 0) this.byPath.delete(d.path);
    }
    return record.datasets.map((d) => d.path);
  }

  private index(record: SnapshotRecord): void {
    this.byName.set(record.name, record);
    for (const d of record.datasets) {
      let gens = this.byPath.get(d.path);
      if (!gens) this.byPath.set(d.path, (gens = new Map()));
      let names = gens.get(d.generation);
      if (!names) gens.set(d.generation, (names = new Set()));
      names.add(record.name);
    }
  }
}

function parseSnapshot(text: string): SnapshotRecord {
  const json = JSON.parse(text) as Record<string, unknown>;
  if (json.format !== 1) throw new Error(`unknown format ${String(json.format)}`);
  if (typeof json.name !== "string") throw new Error("no name");
  validateSnapshotName(json.name);
  if (typeof json.createdAt !== "number") throw new Error("no creation time");
  if (!Array.isArray(json.datasets)) throw new Error("no dataset list");
  const datasets = json.datasets.map((d: unknown, i) => {
    const entry = d as Record<string, unknown>;
    const key = entry?.key as Record<string, unknown> | undefined;
    if (
      typeof entry?.path !== "string" ||
      entry.path.split("/").some((part) => part === "" || part.startsWith(".")) ||
      !(typeof entry.generation === "number" && Number.isSafeInteger(entry.generation) && entry.generation >= 0) ||
      typeof key !== "object" ||
      key === null ||
      !Object.values(key).every((v) => typeof v === "string")
    ) {
      throw new Error(`dataset ${i} is not a key, a path and a generation`);
    }
    return { key: Object.freeze({ ...(key as Record<string, string>) }), path: entry.path, generation: entry.generation };
  });
  return { name: json.name, createdAtMs: json.createdAt, datasets };
}
