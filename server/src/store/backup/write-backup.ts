import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileDurable, fsyncDir } from "../io/durable-fs.js";
import { writeIndexSchema } from "../store-descriptor.js";
import type { IndexSchema } from "../keys/index-schema.js";
import { MANIFEST_FILE } from "../keys/layout.js";
import { createConcurrencyLimit } from "../queue/concurrency-limit.js";
import type { BackupManifest } from "./manifest-of-generation.js";
import { linkOrCopy } from "./link-or-copy.js";

/** One dataset to back up: its directory relative to the store ("/"-separated) and the manifest of the version copied. */
export interface BackupDataset {
  readonly path: string;
  readonly manifest: BackupManifest;
}

/** What a backup wrote. */
export interface BackupReport {
  readonly datasets: number;
  /** Row-group files hard-linked to the store's. */
  readonly linkedFiles: number;
  /** Row-group files copied (the backup is on another file system). */
  readonly copiedFiles: number;
  /** Bytes of the row-group files, linked or copied. */
  readonly bytes: number;
}

/** Datasets copied at once: enough to overlap file-system latency, few enough not to exhaust file handles. */
const PARALLEL_DATASETS = 8;

/**
 * Writes a store into the empty directory `target`: for each dataset, its row-group files (hard links to those
 * of `storeDir` when on the same file system, else flushed copies), then its manifest as `_manifest.json`; then
 * the store descriptor, last, so that a backup interrupted part way has none and `oups serve` does not take it
 * for a store without being told its index. Every file and directory entry is flushed before this resolves.
 * The caller keeps the files of the copied versions on disk meanwhile (a snapshot, a lease, the store lock).
 */
export async function writeBackup(storeDir: string, target: string, schema: IndexSchema, datasets: readonly BackupDataset[]): Promise<BackupReport> {
  const limit = createConcurrencyLimit(PARALLEL_DATASETS);
  let linkedFiles = 0;
  let copiedFiles = 0;
  let bytes = 0;
  const createdDirs = new Set<string>();
  await Promise.all(
    datasets.map((dataset) =>
      limit(async () => {
        const from = join(storeDir, ...dataset.path.split("/"));
        const to = join(target, ...dataset.path.split("/"));
        await mkdir(to, { recursive: true });
        for (let dir = to; dir !== target; dir = dirname(dir)) createdDirs.add(dir);
        for (const group of dataset.manifest.rowGroups) {
          if ((await linkOrCopy(join(from, group.file), join(to, group.file))) === "linked") linkedFiles++;
          else copiedFiles++;
          bytes += group.bytes;
        }
        await writeFileDurable(join(to, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(dataset.manifest)}\n`));
      }),
    ),
  );
  // Deepest first: each directory's entry in its parent is flushed after its own entries.
  for (const dir of [...createdDirs].sort((a, b) => b.length - a.length)) await fsyncDir(dir);
  await fsyncDir(target);
  await writeIndexSchema(target, schema);
  return { datasets: datasets.length, linkedFiles, copiedFiles, bytes };
}
