import type { Dirent } from "node:fs";
import { lstat, readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { Manifest } from "../dataset/manifest.js";
import { isTemporaryManifest, readManifest } from "../dataset/manifest.js";
import { isRowGroupFile } from "../dataset/row-group-files.js";
import { isOupsError } from "../errors.js";
import { removeQuietly } from "../io/durable-fs.js";
import { errnoOf } from "../io/fs-error.js";
import type { Key } from "../keys/key.js";
import { MANIFEST_FILE, SNAPSHOTS_DIR, VERSIONS_DIR } from "../keys/layout.js";
import { readVersionRecords, removeVersionsDirIfEmpty, versionRecordName } from "../versions/version-records.js";
import type { CheckContext } from "./check-context.js";
import type { CheckFinding, HeldFile } from "./check-finding.js";
import { finding } from "./check-finding.js";
import { checkRowGroupFile } from "./check-row-group.js";

/** What the check of one key directory found. */
export interface DatasetCheck {
  /** The directory holds a manifest (valid or not). */
  dataset: boolean;
  rowGroups: number;
  findings: CheckFinding[];
  heldFiles: HeldFile[];
  retainedVersions: number;
}

/**
 * Checks one key directory (`name` relative to the store) within its key's write queue, so that no commit and
 * no write's files race it: the manifest, every file it lists (see {@link checkRowGroupFile}), and every other
 * entry. With `repair`, removes the orphans and temporary files it found, then the directory when that leaves it
 * empty and it holds no dataset.
 */
export function checkKeyDirectory(dir: string, name: string, key: Key, keyId: string, context: CheckContext): Promise<DatasetCheck> {
  return context.forKey(keyId, async () => {
    const check: DatasetCheck = { dataset: false, rowGroups: 0, findings: [], heldFiles: [], retainedVersions: 0 };
    const report = (path: string, kind: CheckFinding["kind"], message: string) => check.findings.push(finding(key, path, kind, message));
    const manifestName = `${name}/${MANIFEST_FILE}`;
    let manifest: Manifest | null | "invalid";
    try {
      manifest = await readManifest(dir, name);
    } catch (err) {
      manifest = "invalid";
      // The engine's own errors name paths relative to the store; Node's name absolute ones, so only the code goes.
      report(manifestName, "manifest-invalid", isOupsError(err) ? err.message : `${manifestName} cannot be read (${errnoOf(err) ?? "unknown error"})`);
    }
    const entries = await readdir(dir, { withFileTypes: true });
    if (manifest !== null) check.dataset = true;
    const listed = new Set(manifest !== null && manifest !== "invalid" ? manifest.rowGroups.map((g) => g.file) : []);
    const held = new Map(context.heldFiles(keyId));
    const removable: { finding: CheckFinding; file: string }[] = [];
    const versions = await checkVersions(dir, name, key, manifest, entries, context.snapshotGenerations(keyId));
    check.findings.push(...versions.findings);
    check.retainedVersions = versions.retained;
    removable.push(...versions.removable);
    for (const [file, by] of versions.held) if (!listed.has(file) && !held.has(file)) held.set(file, by);
    for (const entry of entries) {
      const path = `${name}/${entry.name}`;
      if (entry.name === MANIFEST_FILE || listed.has(entry.name)) continue;
      if (entry.name === VERSIONS_DIR && entry.isDirectory()) continue;
      if (isTemporaryManifest(entry.name) && entry.isFile()) {
        removable.push({ finding: finding(key, path, "temp-file", `${path} is a temporary manifest left by an interrupted commit`), file: entry.name });
      } else if (isRowGroupFile(entry.name) && entry.isFile()) {
        // Which row-group files an unreadable manifest (or record) lists is unknown: none can be proved unreferenced.
        if (manifest === "invalid" || versions.invalid) continue;
        const by = held.get(entry.name);
        if (by !== undefined) check.heldFiles.push({ key, path, heldBy: by });
        else removable.push({ finding: finding(key, path, "orphan-file", `${path} is a row-group file no manifest lists`), file: entry.name });
      } else {
        report(path, ...strayEntry(entry, path));
      }
    }
    if (manifest !== null && manifest !== "invalid") {
      check.rowGroups = manifest.rowGroups.length;
      const listedManifest = manifest;
      const problems = await Promise.all(
        manifest.rowGroups.map((entry) =>
          context.decodeLimit(async () => {
            const path = `${name}/${entry.file}`;
            const stat = await lstat(join(dir, entry.file)).catch((err: unknown) => {
              if (errnoOf(err) === "ENOENT") return undefined;
              throw err;
            });
            if (stat === undefined) return [finding(key, path, "missing-file", `${path} is listed by the manifest but does not exist`)];
            const found = await checkRowGroupFile(join(dir, entry.file), path, stat, entry, listedManifest, context.pool);
            return found.map((p) => finding(key, path, p.kind, p.message));
          }),
        ),
      );
      check.findings.push(...problems.flat());
    }
    for (const { finding: f } of removable) check.findings.push(f);
    if (context.repair) {
      for (const { finding: f, file } of removable) f.repaired = await removeLeftover(dir, file, context.heldFiles(keyId));
      await removeVersionsDirIfEmpty(dir).catch(() => false);
      // A dataset directory holds a manifest; a key directory holding nothing else (now) is a leftover itself.
      if (manifest === null && (await readdir(dir)).length === 0) {
        const f = finding(key, name, "empty-directory", `${name} is an empty key directory`);
        f.repaired = await context.exclusiveDirectories(() => removeEmptyDirectory(dir));
        check.findings.push(f);
      }
    } else if (manifest === null && entries.length === 0) {
      report(name, "empty-directory", `${name} is an empty key directory`);
    }
    return check;
  });
}

/** What the check of a dataset's `.versions/` found. */
interface VersionsCheck {
  findings: CheckFinding[];
  /** Temporary records, and records of commits a crash interrupted: the daemon drops them at its next load. */
  removable: { finding: CheckFinding; file: string }[];
  /** Files retained records list, with what keeps them. */
  held: Map<string, HeldFile["heldBy"]>;
  retained: number;
  /** Some record cannot be read: which files it lists is unknown. */
  invalid: boolean;
}

/**
 * Checks the records of a dataset's retained older generations: each readable, every file it lists present (a
 * missing one is reported, naming the generation), and every generation a snapshot holds still there.
 */
async function checkVersions(
  dir: string,
  name: string,
  key: Key,
  manifest: Manifest | null | "invalid",
  entries: readonly Dirent[],
  snapshotGenerations: ReadonlyMap<number, ReadonlySet<string>>,
): Promise<VersionsCheck> {
  const check: VersionsCheck = { findings: [], removable: [], held: new Map(), retained: 0, invalid: false };
  const entry = entries.find((e) => e.name === VERSIONS_DIR);
  const found = entry?.isDirectory() ? await readVersionRecords(dir) : { records: [], invalid: [], temporary: [] };
  for (const bad of found.invalid) check.findings.push(finding(key, `${name}/${bad.file}`, "version-invalid", `${name}/${bad.message}`));
  check.invalid = found.invalid.length > 0;
  for (const file of found.temporary) {
    check.removable.push({ file, finding: finding(key, `${name}/${file}`, "temp-file", `${name}/${file} is a temporary version record left by an interrupted commit`) });
  }
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  const current = manifest !== null && manifest !== "invalid" ? manifest : undefined;
  const recorded = new Set<number>();
  for (const { manifest: version } of found.records) {
    const file = `${VERSIONS_DIR}/${versionRecordName(version.generation)}`;
    if (manifest === null || (current && version.generation >= current.generation)) {
      const message = `${name}/${file} records generation ${version.generation}, which a crash kept from being replaced (the daemon drops it)`;
      check.removable.push({ file, finding: finding(key, `${name}/${file}`, "temp-file", message) });
      continue;
    }
    check.retained++;
    recorded.add(version.generation);
    const by = snapshotGenerations.has(version.generation) ? "snapshot" : "version";
    for (const g of version.rowGroups) {
      if (!files.has(g.file)) {
        check.findings.push(finding(key, `${name}/${g.file}`, "missing-file", `${name}/${g.file} is listed by retained generation ${version.generation} but does not exist`));
      } else if (check.held.get(g.file) !== "snapshot") {
        check.held.set(g.file, by);
      }
    }
  }
  for (const [generation, names] of snapshotGenerations) {
    if (recorded.has(generation) || current?.generation === generation || manifest === "invalid") continue;
    for (const snapshot of names) {
      const path = `${SNAPSHOTS_DIR}/${snapshot}.json`;
      check.findings.push(finding(key, path, "snapshot-invalid", `${path} holds generation ${generation} of ${name}, of which no manifest or record is left`));
    }
  }
  return check;
}

/** The finding of an entry that has no business in a dataset directory. */
function strayEntry(entry: Dirent, path: string): [CheckFinding["kind"], string] {
  if (entry.isSymbolicLink()) return ["symbolic-link", `${path} is a symbolic link`];
  if (entry.isDirectory()) return ["stray-directory", `${path} is a directory inside a dataset directory`];
  if (!entry.isFile()) return ["invalid-file-name", `${path} is not a regular file, and no file of a dataset has its name`];
  return ["invalid-file-name", `${path} is not a file of the engine (its name is neither ${MANIFEST_FILE} nor a row-group file's)`];
}

/**
 * Removes a leftover file of `dir` if it still is a regular file no reader holds; true when it is gone. Never
 * follows a link: lstat, then unlink (which removes a link itself, never its target, should a swap race it).
 */
async function removeLeftover(dir: string, file: string, held: ReadonlyMap<string, unknown>): Promise<boolean> {
  if (held.has(file)) return false;
  const path = join(dir, file);
  try {
    if (!(await lstat(path)).isFile()) return false;
    await removeQuietly(path);
    return true;
  } catch (err) {
    return errnoOf(err) === "ENOENT";
  }
}

/** Removes `dir` if it is empty; true when it was removed. */
export async function removeEmptyDirectory(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch {
    // Not empty (something was created meanwhile) or not removable: it stays, and so does the finding.
    return false;
  }
}
