import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Creates `path` holding exactly `data`, flushed to the disk before the promise resolves.
 * Fails with Node's `EEXIST` error when `path` exists: it never overwrites. On any failure after the file was
 * created, the partial file is removed. The new directory entry is not yet durable: call {@link fsyncDir} on
 * the parent (once for a batch of files) before anything that a crash must not lose points at the file.
 */
export async function writeFileDurable(path: string, data: Uint8Array): Promise<void> {
  // 'wx' rather than 'w': a stored file is immutable once named, so an existing name is a bug or a leftover for
  // recovery to judge, never something to truncate.
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(data);
    // The bytes must be on disk before a rename or a metadata commit can make the file reachable; otherwise a
    // crash could leave a reachable name over missing data.
    await handle.sync();
  } catch (err) {
    // The file is ours ('wx' created it) and incomplete: remove it so that a retry can succeed. Secondary
    // failures are dropped so that the caller sees the error that mattered.
    await handle.close().catch(() => undefined);
    await removeQuietly(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
}

/**
 * Flushes the directory `dir` itself, making the creations, renames and removals of its entries durable.
 * Fails with Node's error when `dir` cannot be opened.
 */
export async function fsyncDir(dir: string): Promise<void> {
  // A file's fsync covers its contents, not the entry naming it: after a crash, a created or renamed file can
  // be missing or back under its old name unless the directory was flushed too.
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Atomically puts `tmpPath` (already written and flushed, e.g. by {@link writeFileDurable}) in place of
 * `finalPath`, replacing any file there, then flushes the directory (both directories when they differ).
 * Both paths must be on the same file system.
 */
export async function replaceFileDurable(tmpPath: string, finalPath: string): Promise<void> {
  // rename(2) is atomic: a reader or a crash sees the old file or the new one, never a half-written one.
  await rename(tmpPath, finalPath);
  // Until the directory is flushed, a crash may undo the rename and bring the old file back.
  const finalDir = dirname(finalPath);
  await fsyncDir(finalDir);
  const tmpDir = dirname(tmpPath);
  if (tmpDir !== finalDir) {
    await fsyncDir(tmpDir);
  }
}

/** Removes the file `path`; a file that does not exist is not an error. Other failures reject. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw err;
    }
  }
}
