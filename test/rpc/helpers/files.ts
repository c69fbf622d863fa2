import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate } from "node:timers/promises";

/** The directory of a `symbol-year/month` key (the layout of the tests' index) under `storeDir`. */
export function datasetDir(storeDir: string, key: { symbol: string; year: string; month: string }): string {
  return join(storeDir, `${key.symbol}-${key.year}`, key.month);
}

/** The names in `dir`, sorted; an empty list when it does not exist. */
export async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/**
 * Checks `condition` once per turn of the event loop until it holds, up to `attempts` turns: for effects the daemon
 * finishes in the background (file deletions), which need a few file-system round trips but no timer.
 * Returns whether the condition held.
 */
export async function eventually(condition: () => Promise<boolean>, attempts = 5_000): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await setImmediate();
  }
  return condition();
}

/** Every file and directory under `root` (relative paths, sorted), the store lock excepted. */
export async function treeOf(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((p) => !p.startsWith(".oups.lock")).sort();
}
