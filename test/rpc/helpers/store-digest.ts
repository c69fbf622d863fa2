import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { treeOf } from "./files.js";

/** Every path under `root` (the store lock excepted) with a SHA-256 of its bytes: equal digests, same store. */
export async function storeDigest(root: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const path of await treeOf(root)) {
    const full = join(root, path);
    digest[path] = (await stat(full)).isDirectory() ? "dir" : createHash("sha256").update(await readFile(full)).digest("hex");
  }
  return digest;
}
