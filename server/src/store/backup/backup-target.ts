import { mkdir, readdir, realpath, rmdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { OupsError } from "../errors.js";
import { errnoOf } from "../io/fs-error.js";

/**
 * Creates the backup's directory (and its missing parents), or accepts an existing empty one; returns its absolute
 * path.
 * @throws OupsError `ALREADY_EXISTS` when `target` holds anything or is not a directory.
 */
export async function prepareBackupTarget(target: string): Promise<{ dir: string; created: boolean }> {
  const dir = resolve(target);
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) {
      throw new OupsError("ALREADY_EXISTS", `backup target ${dir} is not empty (${entries.length} entries): give a new or empty directory`);
    }
  } catch (err) {
    if (err instanceof OupsError) throw err;
    const code = errnoOf(err);
    if (code === "ENOTDIR") throw new OupsError("ALREADY_EXISTS", `backup target ${dir} exists and is not a directory`, { cause: err });
    if (code !== "ENOENT") throw err;
    await mkdir(dir, { recursive: true });
    return { dir, created: true };
  }
  return { dir, created: false };
}

/** Removes the backup directory this backup created, when it is still empty (a backup that failed early). */
export async function removeEmptyTarget(target: { dir: string; created: boolean }): Promise<void> {
  if (target.created) await rmdir(target.dir).catch(() => undefined);
}

/**
 * @throws OupsError `INVALID_ARGUMENT` when the backup directory `dir` is the store `storeDir` or inside it: the
 * backup would become part of the store it copies.
 */
export async function assertOutsideStore(storeDir: string, dir: string): Promise<void> {
  const store = await realpath(storeDir);
  const inside = relative(store, await realPathOf(resolve(dir)));
  if (inside === "" || !(inside === ".." || inside.startsWith(`..${sep}`))) {
    throw new OupsError("INVALID_ARGUMENT", `backup target ${dir} is inside the store ${store}: give a directory outside it`);
  }
}

/** The real path of `path`, which need not exist: its nearest existing ancestor's real path, joined with the rest. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    const parent = dirname(path);
    if (errnoOf(err) !== "ENOENT" || parent === path) throw err;
    return join(await realPathOf(parent), basename(path));
  }
}
