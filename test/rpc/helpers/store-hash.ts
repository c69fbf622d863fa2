import { createHash } from "node:crypto";
import { readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every entry under `root` (relative path → what it is: a file's SHA-256, `dir`, or a symlink's target), the store
 * lock excepted: two equal results mean the store did not change by a byte.
 */
export async function hashTree(root: string): Promise<Record<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    const relative = path.slice(root.length + 1);
    if (relative.startsWith(".oups.lock")) continue;
    if (entry.isDirectory()) out[relative] = "dir";
    else if (entry.isSymbolicLink()) out[relative] = `link → ${await readlink(path)}`;
    else out[relative] = createHash("sha256").update(await readFile(path)).digest("hex");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
