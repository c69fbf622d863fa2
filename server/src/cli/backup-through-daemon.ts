import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { OupsClient } from "../../../client/src/index.js";
import { OupsClientError } from "../../../client/src/index.js";
import { assertOutsideStore, prepareBackupTarget, removeEmptyTarget } from "../store/backup/backup-target.js";
import { readManifestOfGeneration } from "../store/backup/manifest-of-generation.js";
import type { BackupDataset, BackupReport } from "../store/backup/write-backup.js";
import { writeBackup } from "../store/backup/write-backup.js";
import { OupsError } from "../store/errors.js";
import { validateIndexSchema } from "../store/keys/index-schema.js";
import { keyToPath } from "../store/keys/key.js";

/** What a backup through the daemon did, besides writing the files. */
export interface DaemonBackupReport extends BackupReport {
  readonly target: string;
  /** The temporary snapshot the backup copied (deleted afterwards). */
  readonly snapshot: string;
  /** Each dataset's generation copied, by its directory relative to the store. */
  readonly generations: Readonly<Record<string, number>>;
  /** Set when the temporary snapshot could not be deleted: it still holds its files. */
  readonly snapshotLeft?: string | undefined;
}

/**
 * Backs up the whole store of the daemon `client` talks to into the new or empty directory `target`: a temporary
 * snapshot of every dataset fixes one consistent version of them all (no commit lands while it is taken) and keeps
 * its files on disk while they are linked or copied; it is deleted afterwards, whether the backup succeeded or not.
 * The row-group files and manifests are read from the store's directory, which must be reachable at the path the
 * daemon reports: the backup runs on the daemon's host.
 */
export async function backupThroughDaemon(client: OupsClient, target: string): Promise<DaemonBackupReport> {
  const schema = validateIndexSchema(await client.getIndexSchema());
  // Before the snapshot: a target that cannot be used must not cost a snapshot.
  const prepared = await prepareBackupTarget(target);
  const to = prepared.dir;
  const name = `backup-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(4).toString("hex")}`;
  let created;
  try {
    created = await call(() => client.rpc.createSnapshot({ name, allKeys: true }));
  } catch (err) {
    await removeEmptyTarget(prepared);
    throw err;
  }
  let leaseId = "";
  let outcome: DaemonBackupReport | undefined;
  let failure: unknown;
  try {
    const datasets: BackupDataset[] = [];
    const generations: Record<string, number> = {};
    let storeDir: string | undefined;
    for (const held of created.snapshot?.datasets ?? []) {
      const key = held.key?.fields ?? {};
      const path = keyToPath(schema, key);
      // The snapshot already holds the files; the listing says where the store is and cross-checks the manifest.
      const listed = await call(() => client.rpc.listFiles({ key: { fields: key }, version: { version: { case: "snapshot", value: name } }, leaseId }));
      leaseId = listed.lease?.id ?? leaseId;
      storeDir ??= await reachableStoreDir(listed.storeDir);
      const generation = Number(held.generation);
      const manifest = await readManifestOfGeneration(join(storeDir, ...path.split("/")), path, generation);
      const files = manifest.rowGroups.map((g) => `${path}/${g.file}`);
      const listedFiles = listed.files.map((f) => f.path);
      if (Number(listed.generation) !== generation || files.join("\n") !== listedFiles.join("\n")) {
        throw new OupsError(
          "INTERNAL",
          `the daemon lists generation ${listed.generation} of ${path} with ${listedFiles.length} files, but its manifest of generation ${generation} has ${files.length}`,
        );
      }
      datasets.push({ path, manifest });
      generations[path] = generation;
    }
    // With no dataset, no store directory was learnt: there is nothing the target could be inside of.
    if (storeDir !== undefined) await assertOutsideStore(storeDir, to);
    const report = await writeBackup(storeDir ?? to, to, schema, datasets);
    outcome = { ...report, target: to, snapshot: name, generations };
  } catch (err) {
    failure = err;
  }
  let snapshotLeft: string | undefined;
  if (leaseId !== "") await client.rpc.releaseLease({ leaseId }).catch(() => undefined);
  try {
    await call(() => client.rpc.deleteSnapshot({ name }));
  } catch (err) {
    snapshotLeft = `${name} (${(err as Error).message})`;
  }
  if (failure !== undefined) {
    await removeEmptyTarget(prepared);
    if (snapshotLeft !== undefined && failure instanceof Error) failure.message += `; the temporary snapshot ${snapshotLeft} is left: delete it`;
    throw failure;
  }
  return { ...outcome!, snapshotLeft };
}

async function reachableStoreDir(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new OupsError(
      "NOT_FOUND",
      `the daemon's store directory ${dir} is not reachable from here: run oups backup on the daemon's host`,
    );
  }
  return dir;
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw OupsClientError.from(err);
  }
}
