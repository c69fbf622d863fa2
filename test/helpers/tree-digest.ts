import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every entry under `root` (relative path → what it is): a file as the SHA-256 of its bytes, a symbolic link as
 * its target (never followed), a directory as `dir`; the store lock, which the daemon refreshes while it runs,
 * excepted. Two equal digests mean nothing under `root` changed.
 */
export async function digestTree(root: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const path of (await readdir(root, { recursive: true })).filter((p) => !p.startsWith(".oups.lock")).sort()) {
    const full = join(root, path);
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) digest[path] = `link -> ${await readlink(full)}`;
    else if (stat.isDirectory()) digest[path] = "dir";
    else digest[path] = `sha256 ${createHash("sha256").update(await readFile(full)).digest("hex")}`;
  }
  return digest;
}
