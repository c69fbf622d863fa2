import type { Dir } from "node:fs";
import { access, accessSync, lstatSync, opendirSync } from "node:fs";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import type { IndexField, IndexSchema } from "./index-schema.js";
import type { Key } from "./key.js";
import { compareKeys, keyFromValues, keyValueProblem, parseKeyLevel } from "./key.js";
import { MANIFEST_FILE } from "./layout.js";

// File-system operations in flight at once. libuv runs them on its thread pool (4 threads by default): more than
// a few dozen only grows its queue, fewer leaves the pool idle while the JS side parses names.
const LIST_CONCURRENCY = 32;

/** Directory entries the walk handles between two turns of the event loop (about a millisecond of work). */
const WALK_SLICE = 512;

/** Entries read from a directory per call (opendir's buffer). */
const DIR_BUFFER_ENTRIES = 256;

/** Per level, the fixed values of the filter by position in the level (undefined = any value). */
export type LevelFilter = readonly (string | undefined)[];

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * True when `datasetDir` holds the manifest. One `access` call: no listing of the dataset's files, no stat.
 */
export function hasManifest(datasetDir: string): Promise<boolean> {
  // The callback API, not fs.promises: this runs once per dataset, and fs.promises.access measured up to twice
  // as slow per call over 10,000 datasets.
  return new Promise((resolve, reject) => {
    access(join(datasetDir, MANIFEST_FILE), (err) => {
      if (err === null) resolve(true);
      else if (isMissing(err)) resolve(false);
      else reject(err);
    });
  });
}

/**
 * The filter of a listing, level by level: each level's fixed values by position (undefined where any value goes).
 * @throws OupsError `INVALID_KEY` when the filter names an unknown field or holds an invalid value.
 */
export function compileKeyFilter(schema: IndexSchema, filter: Readonly<Record<string, string>> | undefined): LevelFilter[] {
  const levelFilters = schema.levels.map((level) => level.map((): string | undefined => undefined));
  if (filter === undefined) return levelFilters;
  for (const [name, value] of Object.entries(filter)) {
    const levelIndex = schema.levels.findIndex((level) => level.some((field) => field.name === name));
    const level = schema.levels[levelIndex];
    const levelFilter = levelFilters[levelIndex];
    if (level === undefined || levelFilter === undefined) {
      throw new OupsError("INVALID_KEY", `key filter names unknown field "${name}" (index "${schema.name}")`);
    }
    const position = level.findIndex((field) => field.name === name);
    const problem = keyValueProblem(level[position] as IndexField, value, schema.fieldSeparator);
    if (problem !== undefined) {
      throw new OupsError(
        "INVALID_KEY",
        `key filter field "${name}" value ${JSON.stringify(value)} ${problem} (index "${schema.name}")`,
      );
    }
    levelFilter[position] = value;
  }
  return levelFilters;
}

/** A directory whose path parses as a key; a dataset when `isDataset` says so. */
interface Candidate {
  dir: string;
  values: string[];
}

/** True when a level's values `pieces` have the filter's fixed values. */
export function matchesLevel(levelFilter: LevelFilter, pieces: readonly string[]): boolean {
  return levelFilter.every((value, i) => value === undefined || value === pieces[i]);
}

/**
 * Lists the keys of the datasets under `storeDir`, sorted field by field, top level first (`int` fields
 * numerically, `string` fields by UTF-16 code unit).
 *
 * Walks exactly one directory level per key level. Skips entries starting with `.`, files, symbolic links and
 * directories whose name does not parse as that level's values; a key directory counts only when `isDataset`
 * says so (default: it holds {@link MANIFEST_FILE}). `filter` gives exact values for any subset of fields;
 * non-matching directories are pruned as soon as their level is read, and a level whose fields are all fixed is
 * not listed at all. A missing `storeDir` has no keys. Symbolic links are skipped, not reported: descending into
 * one would list keys outside the store, and a dataset operation on such a key reports it corrupt anyway.
 * @throws OupsError `INVALID_KEY` when the filter names an unknown field or holds an invalid value.
 */
export async function listKeys(
  storeDir: string,
  schema: IndexSchema,
  filter?: Readonly<Record<string, string>>,
  isDataset?: (datasetDir: string) => Promise<boolean>,
): Promise<Key[]> {
  const found = await walkKeyValues(storeDir, schema, filter, isDataset);
  const keys = found.map((values) => keyFromValues(schema, values));
  return keys.sort((a, b) => compareKeys(schema, a, b));
}

/**
 * The walk of {@link listKeys}, unsorted: the field values of each key found (schema field order), one array per
 * key. What the key index is built from, so that it holds exactly what a listing of the directories finds.
 *
 * Directories are read entry by entry (opendir, a few hundred entries per read) rather than whole, and the
 * manifest of each key directory is checked as its entry is read: a million keys never make a million Dirents,
 * paths or promises at once, only the key values found stay. The default check and the listing use the
 * synchronous calls, a slice of {@link WALK_SLICE} entries between two turns of the event loop: with the page
 * cache warm, a thread-pool round trip per call cost three times the call itself (23 s against 7 s over a million
 * keys), and the slices keep the daemon answering meanwhile. A custom `isDataset` is asked after the listing, by
 * a pool of {@link LIST_CONCURRENCY} workers.
 */
export async function walkKeyValues(
  storeDir: string,
  schema: IndexSchema,
  filter?: Readonly<Record<string, string>>,
  isDataset?: (datasetDir: string) => Promise<boolean>,
): Promise<string[][]> {
  const levelFilters = compileKeyFilter(schema, filter);
  const lastLevel = schema.levels.length - 1;
  const found: string[][] = [];
  // Key directories for a custom check, made after the listing.
  const candidates: Candidate[] = [];
  let budget = WALK_SLICE;

  /** A key directory found: kept when it holds a dataset (or put aside for a custom check). */
  const keep = (dir: string, values: string[]): void => {
    if (isDataset !== undefined) candidates.push({ dir, values });
    else if (hasManifestSync(dir)) found.push(values);
  };

  const take = async (dir: string, levelIndex: number, values: readonly string[], pieces: string[]): Promise<void> => {
    // With one level, the parsed pieces are the key's values, kept as they are (the key index holds this array).
    if (levelIndex === lastLevel) keep(dir, levelIndex === 0 ? pieces : values.concat(pieces));
    else await visit(dir, levelIndex + 1, values.concat(pieces));
  };

  const visit = async (dir: string, levelIndex: number, values: readonly string[]): Promise<void> => {
    const levelFilter = levelFilters[levelIndex] ?? [];
    if (levelFilter.every((value) => value !== undefined)) {
      const pieces = levelFilter as string[];
      const path = `${dir}/${pieces.join(schema.fieldSeparator)}`;
      if (isRealDirectorySync(path)) await take(path, levelIndex, values, [...pieces]);
      return;
    }
    const names = await directoryNames(dir);
    // In name order, which is key order or close to it: the index's sort then has little left to do, and the
    // values are allocated in about the order a listing reads them (over a million keys, directory order, a hash
    // order on ext4, made the sort and every listing 10 to 20 times slower through cache misses).
    names.sort();
    for (const name of names) {
      if (--budget === 0) await breathe();
      const pieces = parseKeyLevel(schema, levelIndex, name);
      if (pieces === undefined || !matchesLevel(levelFilter, pieces)) continue;
      // The last level without a promise per key: that is where the million entries are.
      if (levelIndex === lastLevel) keep(`${dir}/${name}`, levelIndex === 0 ? pieces : values.concat(pieces));
      else await visit(`${dir}/${name}`, levelIndex + 1, values.concat(pieces));
    }
  };

  /** Lets the event loop turn between two slices of the walk. */
  const breathe = (): Promise<void> => {
    budget = WALK_SLICE;
    return new Promise<void>((resolve) => setImmediate(resolve));
  };

  /**
   * The names of the subdirectories of `dir` that may be keys, read entry by entry: names starting with "." (lock,
   * temporary files, the engine's own folders) are never keys, and the entry's type says whether it is a
   * directory (a symbolic link is not followed). Only the names are kept, not a Dirent each.
   */
  const directoryNames = async (dir: string): Promise<string[]> => {
    const names: string[] = [];
    const handle = opendirOrUndefined(dir);
    if (handle === undefined) return names;
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (--budget === 0) await breathe();
        const name = entry.name;
        if (name.charCodeAt(0) !== 0x2e && entry.isDirectory()) names.push(name);
      }
    } finally {
      handle.closeSync();
    }
    return names;
  };
  // Normalised once (no trailing separator): paths below are joined by hand, without join's work per entry.
  await visit(join(storeDir, "."), 0, []);
  if (isDataset === undefined) return found;

  // A fixed pool of workers for the custom check: thousands of keys cost thousands of isDataset promises and
  // nothing more (no per-key limiter promise or closure).
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let candidate = candidates[next++]; candidate !== undefined; candidate = candidates[next++]) {
      if (await isDataset(candidate.dir)) found.push(candidate.values);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, candidates.length) }, worker));
  return found;
}

/** The directory `dir` opened for reading entry by entry, or undefined when it is missing (no keys there). */
function opendirOrUndefined(dir: string): Dir | undefined {
  try {
    return opendirSync(dir, { bufferSize: DIR_BUFFER_ENTRIES });
  } catch (err) {
    // A directory removed while listing (or a store not created yet) has no keys.
    if (isMissing(err)) return undefined;
    throw err;
  }
}

function isRealDirectorySync(path: string): boolean {
  try {
    // lstat, not stat: the walk ignores symbolic links, so a fully filtered level must too.
    return lstatSync(path).isDirectory();
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** {@link hasManifest}, synchronously. */
function hasManifestSync(datasetDir: string): boolean {
  try {
    accessSync(`${datasetDir}/${MANIFEST_FILE}`);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}
