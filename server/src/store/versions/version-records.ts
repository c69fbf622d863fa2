import type { Dirent } from "node:fs";
import { constants } from "node:fs";
import { mkdir, readdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { Manifest } from "../dataset/manifest.js";
import { manifestFromJson, manifestToJson } from "../dataset/manifest.js";
import { fsyncDir, removeQuietly, replaceFileDurable, writeFileDurable } from "../io/durable-fs.js";
import { VERSIONS_DIR } from "../keys/layout.js";

/** A retained older generation as its record on disk holds it. */
export interface VersionRecord {
  readonly manifest: Manifest;
  /** When the commit that replaced it happened (ms since the epoch): what `--retain-for` counts from. */
  readonly supersededAtMs: number;
}

/** What {@link readVersionRecords} found in a dataset's `.versions/`. */
export interface VersionRecords {
  readonly records: VersionRecord[];
  /** Record files that cannot be read or decoded, relative to the dataset directory. */
  readonly invalid: { file: string; message: string }[];
  /** Temporary files of a record write a crash interrupted, relative to the dataset directory. */
  readonly temporary: string[];
}

const RECORD = /^(\d+)\.json$/;
const TMP_PREFIX = ".tmp-";

/** The record file name of a generation, inside {@link VERSIONS_DIR}. */
export function versionRecordName(generation: number): string {
  return `${generation}.json`;
}

/** The generation a record file name stands for, or undefined when the name is not a record's. */
export function recordGeneration(name: string): number | undefined {
  const m = RECORD.exec(name);
  return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : undefined;
}

/** True for temporary names a record write leaves behind when a crash interrupts it. */
export function isTemporaryRecord(name: string): boolean {
  return name.startsWith(TMP_PREFIX);
}

/**
 * Writes the record of a generation durably (temporary file, fsync, rename, fsync of `.versions/` and, when it was
 * just created, of the dataset directory): once this resolves, a crash cannot lose it, so a manifest replacing
 * that generation may be committed.
 */
export async function writeVersionRecord(datasetDir: string, record: VersionRecord): Promise<void> {
  const dir = join(datasetDir, VERSIONS_DIR);
  let created = false;
  try {
    await mkdir(dir);
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  if (created) await fsyncDir(datasetDir);
  const name = versionRecordName(record.manifest.generation);
  const tmp = join(dir, `${TMP_PREFIX}${name}`);
  await removeQuietly(tmp);
  const json = { format: 1, supersededAt: record.supersededAtMs, manifest: manifestToJson(record.manifest) };
  await writeFileDurable(tmp, new TextEncoder().encode(`${JSON.stringify(json)}\n`));
  await replaceFileDurable(tmp, join(dir, name));
}

/** Reads every record of a dataset's `.versions/` (none when it does not exist), oldest first. */
export async function readVersionRecords(datasetDir: string): Promise<VersionRecords> {
  const dir = join(datasetDir, VERSIONS_DIR);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { records: [], invalid: [], temporary: [] };
    throw err;
  }
  const found: VersionRecords = { records: [], invalid: [], temporary: [] };
  for (const entry of entries) {
    const file = `${VERSIONS_DIR}/${entry.name}`;
    if (isTemporaryRecord(entry.name) && entry.isFile()) {
      found.temporary.push(file);
      continue;
    }
    const generation = recordGeneration(entry.name);
    if (generation === undefined || !entry.isFile()) {
      found.invalid.push({ file, message: `${file} is not a version record` });
      continue;
    }
    try {
      const text = await readFile(join(dir, entry.name), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
      const json = JSON.parse(text) as { format?: unknown; supersededAt?: unknown; manifest?: unknown };
      if (json.format !== 1) throw new Error(`unknown record format ${String(json.format)}`);
      if (!(typeof json.supersededAt === "number" && Number.isSafeInteger(json.supersededAt) && json.supersededAt >= 0)) {
        throw new Error("supersededAt must be ms since the epoch");
      }
      const manifest = manifestFromJson(json.manifest);
      if (manifest.generation !== generation) throw new Error(`it holds generation ${manifest.generation}`);
      found.records.push({ manifest, supersededAtMs: json.supersededAt });
    } catch (err) {
      found.invalid.push({ file, message: `${file} is not a valid version record: ${(err as Error).message}` });
    }
  }
  found.records.sort((a, b) => a.manifest.generation - b.manifest.generation);
  return found;
}

/**
 * Deletes the records of these generations, then flushes `.versions/`: once this resolves, no record of them
 * survives a crash, so the files only they listed may go.
 */
export async function removeVersionRecords(datasetDir: string, generations: readonly number[]): Promise<void> {
  if (generations.length === 0) return;
  const dir = join(datasetDir, VERSIONS_DIR);
  await Promise.all(generations.map((g) => removeQuietly(join(dir, versionRecordName(g)))));
  await fsyncDir(dir);
}

/** Deletes temporary record files (relative to the dataset directory) left by an interrupted write. */
export async function removeTemporaryRecords(datasetDir: string, files: readonly string[]): Promise<void> {
  await Promise.all(files.map((f) => removeQuietly(join(datasetDir, f))));
}

/** Removes `.versions/` when it is empty; true when it is gone (or was never there). */
export async function removeVersionsDirIfEmpty(datasetDir: string): Promise<boolean> {
  try {
    await rmdir(join(datasetDir, VERSIONS_DIR));
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}
