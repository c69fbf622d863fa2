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
import { MANIFEST_FILE } from "../keys/layout.js";
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
}

/**
 * Checks one key directory (`name` relative to the store) within its key's write queue, so that no commit and
 * no write's files race it: the manifest, every file it lists (see {@link checkRowGroupFile}), and every other
 * entry. With `repair`, removes the orphans and temporary files it found, then the directory when that leaves it
 * empty and it holds no dataset.
 */
export function checkKeyDirectory(dir: string, name: string, key: Key, keyId: string, context: CheckContext): Promise<DatasetCheck> {
  return context.forKey(keyId, async () => {
    const check: DatasetCheck = { dataset: false, rowGroups: 0, findings: [], heldFiles: [] };
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
    const held = context.heldFiles(keyId);
    const removable: { finding: CheckFinding; file: string }[] = [];
    for (const entry of entries) {
      const path = `${name}/${entry.name}`;
      if (entry.name === MANIFEST_FILE || listed.has(entry.name)) continue;
      if (isTemporaryManifest(entry.name) && entry.isFile()) {
        removable.push({ finding: finding(key, path, "temp-file", `${path} is a temporary manifest left by an interrupted commit`), file: entry.name });
      } else if (isRowGroupFile(entry.name) && entry.isFile()) {
        // Which row-group files an unreadable manifest lists is unknown: none of them can be proved unreferenced.
        if (manifest === "invalid") continue;
        if (held.has(entry.name)) check.heldFiles.push({ key, path });
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
async function removeLeftover(dir: string, file: string, held: ReadonlySet<string>): Promise<boolean> {
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
