import type { Dirent } from "node:fs";
import { access } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { createConcurrencyLimit } from "../queue/concurrency-limit.js";
import type { IndexField, IndexSchema } from "./index-schema.js";
import type { Key } from "./key.js";
import { compareKeys, keyFromValues, keyValueProblem, parseKeyLevel } from "./key.js";
import { MANIFEST_FILE } from "./layout.js";

// File-system operations in flight at once. libuv runs them on its thread pool (4 threads by default): more than
// a few dozen only grows its queue, fewer leaves the pool idle while the JS side parses names.
const LIST_CONCURRENCY = 32;

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

async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    // A directory removed while listing (or a store not created yet) has no keys.
    if (isMissing(err)) return [];
    throw err;
  }
}

async function isRealDirectory(path: string): Promise<boolean> {
  try {
    // lstat, not stat: the walk ignores symbolic links, so a fully filtered level must too.
    return (await lstat(path)).isDirectory();
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
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
  isDataset: (datasetDir: string) => Promise<boolean> = hasManifest,
): Promise<Key[]> {
  const found = await walkKeyValues(storeDir, schema, filter, isDataset);
  const keys = found.map((values) => keyFromValues(schema, values));
  return keys.sort((a, b) => compareKeys(schema, a, b));
}

/**
 * The walk of {@link listKeys}, unsorted: the field values of each key found (schema field order), one array per
 * key. What the key index is built from, so that it holds exactly what a listing of the directories finds.
 */
export async function walkKeyValues(
  storeDir: string,
  schema: IndexSchema,
  filter?: Readonly<Record<string, string>>,
  isDataset: (datasetDir: string) => Promise<boolean> = hasManifest,
): Promise<string[][]> {
  const levelFilters = compileKeyFilter(schema, filter);
  const limit = createConcurrencyLimit(LIST_CONCURRENCY);
  const lastLevel = schema.levels.length - 1;
  const candidates: Candidate[] = [];

  // Phase 1: list the directory levels (few directories per key), collecting the key directories.
  const visit = async (dir: string, levelIndex: number, values: readonly string[]): Promise<void> => {
    const levelFilter = levelFilters[levelIndex] ?? [];
    const children: { name: string; pieces: string[] }[] = [];
    if (levelFilter.every((value) => value !== undefined)) {
      const pieces = levelFilter as string[];
      const name = pieces.join(schema.fieldSeparator);
      if (await limit(() => isRealDirectory(join(dir, name)))) children.push({ name, pieces });
    } else {
      for (const entry of await limit(() => readdirOrEmpty(dir))) {
        if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
        const pieces = parseKeyLevel(schema, levelIndex, entry.name);
        if (pieces !== undefined && matchesLevel(levelFilter, pieces)) children.push({ name: entry.name, pieces });
      }
    }
    if (levelIndex === lastLevel) {
      for (const { name, pieces } of children) candidates.push({ dir: join(dir, name), values: values.concat(pieces) });
      return;
    }
    await Promise.all(
      children.map(({ name, pieces }) => visit(join(dir, name), levelIndex + 1, values.concat(pieces))),
    );
  };
  await visit(storeDir, 0, []);

  // Phase 2: one check per key directory, by a fixed pool of workers. Thousands of keys cost thousands of
  // isDataset promises and nothing more (no per-key limiter promise or closure), which keeps the GC quiet.
  const found: string[][] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let candidate = candidates[next++]; candidate !== undefined; candidate = candidates[next++]) {
      if (await isDataset(candidate.dir)) found.push(candidate.values);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, candidates.length) }, worker));
  return found;
}
