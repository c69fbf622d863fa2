import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { OupsError } from "../errors.js";
import { keyToPath } from "../keys/key.js";
import { listKeys } from "../keys/list-keys.js";
import { readIndexSchema } from "../store-descriptor.js";
import { StoreLock } from "../store-lock.js";
import { assertOutsideStore, prepareBackupTarget } from "./backup-target.js";
import { readManifestOfGeneration } from "./manifest-of-generation.js";
import type { BackupDataset, BackupReport } from "./write-backup.js";
import { writeBackup } from "./write-backup.js";

/**
 * Backs up the store in `storeDir`, which no daemon serves, into the new or empty directory `target`: every
 * dataset as its current manifest says, holding the store lock throughout so that no daemon starts meanwhile.
 * @throws OupsError `NOT_FOUND` for a missing store directory, `STORE_LOCKED` while a daemon serves it,
 * `NOT_INITIALIZED` for a store without an index schema, `ALREADY_EXISTS` for a non-empty target.
 */
export async function backupStoppedStore(storeDir: string, target: string): Promise<BackupReport & { target: string }> {
  const dir = resolve(storeDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new OupsError("NOT_FOUND", `store directory ${dir} does not exist`);
  const lock = await StoreLock.acquire(dir);
  try {
    const schema = await readIndexSchema(dir);
    if (schema === undefined) throw new OupsError("NOT_INITIALIZED", `store ${dir} has no index schema: there is nothing to back up`);
    await assertOutsideStore(dir, target);
    const { dir: to } = await prepareBackupTarget(target);
    const datasets: BackupDataset[] = [];
    for (const key of await listKeys(dir, schema)) {
      const path = keyToPath(schema, key);
      datasets.push({ path, manifest: await readManifestOfGeneration(resolve(dir, path), path) });
    }
    return { ...(await writeBackup(dir, to, schema, datasets)), target: to };
  } finally {
    await lock.release();
  }
}
