import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { removeQuietly } from "../io/durable-fs.js";
import { fsError } from "../io/fs-error.js";
import type { IndexSchema } from "../keys/index-schema.js";
import type { Key } from "../keys/key.js";
import { keyId, parseKeyLevel, pathToKey } from "../keys/key.js";
import { LOCK_DIR, SNAPSHOTS_DIR, STORE_FILE } from "../keys/layout.js";
import { createConcurrencyLimit } from "../queue/concurrency-limit.js";
import { isTemporaryDescriptor } from "../store-descriptor.js";
import type { CheckContext } from "./check-context.js";
import type { CheckFinding, CheckReport } from "./check-finding.js";
import { finding } from "./check-finding.js";
import { checkKeyDirectory, removeEmptyDirectory } from "./check-dataset.js";

// Key directories checked at once: each holds its key's write queue while its files are decoded, so a few
// suffice to keep the Parquet pool busy (the decode limit bounds the rows in memory).
const KEY_CONCURRENCY = 4;

/** A directory of a level above the datasets (or a key directory), as the walk found it. */
interface Directory {
  readonly dir: string;
  /** Relative to the store, `/`-separated. */
  readonly name: string;
  readonly depth: number;
}

/**
 * Checks a whole store: every key directory (see {@link checkKeyDirectory}), and every other entry of the store
 * against the layout of its index schema (layout.ts): directories that map to no key, stray files, links, empty
 * directories, leftovers of an interrupted declaration. Entries reserved for the store lock are not looked at.
 * With `context.repair`, removes what is repairable (see {@link CheckFinding.repairable}) and only that.
 * @throws OupsError `CANCELLED` when `context.signal` aborts (between key directories).
 */
export async function checkStore(context: CheckContext, schema: IndexSchema | undefined): Promise<CheckReport> {
  const report: CheckReport = { datasets: 0, rowGroups: 0, findings: [], heldFiles: [], retainedVersions: 0 };
  for (const s of context.invalidSnapshots) report.findings.push(finding(undefined, s.path, "snapshot-invalid", s.message));
  const add = (key: Key | undefined, path: string, kind: CheckFinding["kind"], message: string) =>
    report.findings.push(finding(key, path, kind, message));
  const rootEntries: Dirent[] = [];
  // Among the store's directory changes: a declaration of the index schema in flight holds its temporary file.
  const listed = await context.exclusiveDirectories(() => readdir(context.root, { withFileTypes: true }));
  for (const entry of listed) {
    // The lock, and whatever its owner keeps beside it, belong to the process holding the store.
    if (entry.name.startsWith(LOCK_DIR)) continue;
    if (entry.name === STORE_FILE && entry.isFile()) continue;
    // The snapshots' own files: read (and judged) when the store opened, see SnapshotRegistry.
    if (entry.name === SNAPSHOTS_DIR && entry.isDirectory()) continue;
    if (isTemporaryDescriptor(entry.name) && entry.isFile()) {
      report.findings.push(finding(undefined, entry.name, "temp-file", `${entry.name} is a temporary store descriptor left by an interrupted declaration`));
      continue;
    }
    rootEntries.push(entry);
  }
  if (schema === undefined) {
    if (rootEntries.length > 0) {
      add(undefined, ".", "no-index-schema", `the store has no index schema (${STORE_FILE}): its ${rootEntries.length} entries cannot be mapped to keys`);
    }
  } else {
    const keyDirs: (Directory & { key: Key })[] = [];
    const levels: Directory[] = [];
    const walk = async (dir: string, parts: readonly string[], entries: readonly Dirent[]): Promise<void> => {
      const levelIndex = parts.length;
      const last = levelIndex === schema.levels.length - 1;
      const children: Promise<void>[] = [];
      for (const entry of entries) {
        const name = [...parts, entry.name].join("/");
        if (entry.isSymbolicLink()) {
          add(undefined, name, "symbolic-link", `${name} is a symbolic link (the store never follows one)`);
        } else if (!entry.isDirectory()) {
          add(undefined, name, "stray-file", `${name} is a file where the store keeps only key directories`);
        } else if (parseKeyLevel(schema, levelIndex, entry.name) === undefined) {
          add(undefined, name, "invalid-key-directory", `${name} is not a directory of key level ${levelIndex + 1} (${levelSpec(schema, levelIndex)})`);
        } else if (last) {
          const key = pathToKey(schema, name);
          if (key === undefined) add(undefined, name, "invalid-key-directory", `${name} does not map to a valid key`);
          else keyDirs.push({ dir: join(dir, entry.name), name, depth: levelIndex + 1, key });
        } else {
          const child = join(dir, entry.name);
          levels.push({ dir: child, name, depth: levelIndex + 1 });
          const list = readdir(child, { withFileTypes: true }).catch((err: unknown) => {
            throw fsError(err, `list ${name}`);
          });
          children.push(list.then((found) => walk(child, [...parts, entry.name], found)));
        }
      }
      await Promise.all(children);
    };
    await walk(context.root, [], rootEntries);

    const limit = createConcurrencyLimit(KEY_CONCURRENCY);
    const checks = await Promise.all(
      keyDirs.map(({ dir, name, key }) =>
        limit(() => {
          if (context.signal?.aborted) throw new OupsError("CANCELLED", "the check was cancelled");
          return checkKeyDirectory(dir, name, key, keyId(schema, key), context).catch((err: unknown) => {
            throw fsError(err, `check ${name}`);
          });
        }),
      ),
    );
    for (const check of checks) {
      if (check.dataset) report.datasets++;
      report.rowGroups += check.rowGroups;
      report.findings.push(...check.findings);
      report.heldFiles.push(...check.heldFiles);
      report.retainedVersions += check.retainedVersions;
    }
    // Deepest first, so that a repair removing a directory can empty its parent.
    for (const { dir, name } of levels.sort((a, b) => b.depth - a.depth)) {
      if ((await readdir(dir)).length > 0) continue;
      const f = finding(undefined, name, "empty-directory", `${name} is an empty directory of the key levels`);
      if (context.repair) f.repaired = await context.exclusiveDirectories(() => removeEmptyDirectory(dir));
      report.findings.push(f);
    }
  }
  if (context.repair) {
    for (const f of report.findings) {
      if (f.kind === "temp-file" && f.key === undefined) {
        // Not removable (a read-only store): the finding stays, unrepaired, like any other.
        f.repaired = await context.exclusiveDirectories(() => removeQuietly(join(context.root, f.path))).then(
          () => true,
          () => false,
        );
      }
    }
  }
  report.findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  report.heldFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return report;
}

function levelSpec(schema: IndexSchema, levelIndex: number): string {
  return (schema.levels[levelIndex] ?? []).map((f) => `${f.name}:${f.type}`).join(schema.fieldSeparator);
}
