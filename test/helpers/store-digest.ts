import { createHash } from "node:crypto";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every entry under `root` (relative paths, sorted) with a SHA-256 of its bytes for files, "dir" for directories,
 * the store lock excepted: two digests are equal exactly when the store's files are byte for byte the same.
 */
export async function storeDigest(root: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  const names = (await readdir(root, { recursive: true })).filter((p) => !p.startsWith(".oups.lock")).sort();
  for (const name of names) {
    const path = join(root, name);
    const info = await lstat(path);
    digest[name] = info.isDirectory() ? "dir" : createHash("sha256").update(await readFile(path)).digest("hex");
  }
  return digest;
}
