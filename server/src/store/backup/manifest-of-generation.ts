import { constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "../errors.js";
import { errnoOf } from "../io/fs-error.js";
import { MANIFEST_FILE, VERSIONS_DIR } from "../keys/layout.js";
import { versionRecordName } from "../versions/version-records.js";
import type { ManifestJson } from "../dataset/validate-manifest.js";
import { checkManifestJson } from "../dataset/validate-manifest.js";

/** A manifest as a backup copies it: its JSON form, checked. */
export type BackupManifest = ManifestJson;

/**
 * The manifest of one generation of the dataset in `datasetDir` (`name`: its path relative to the store, for
 * messages): the current `_manifest.json` when it is that generation, else the generation's version record. The
 * caller makes sure the generation is held (a snapshot, a lease) while this reads: a commit writes the record of
 * the generation it replaces before replacing the manifest, so one of the two always holds it.
 * @throws OupsError `CORRUPT_DATASET` when neither holds it or what is read is not a valid manifest.
 */
export async function readManifestOfGeneration(datasetDir: string, name: string, generation?: number): Promise<BackupManifest> {
  const current = await readJson(join(datasetDir, MANIFEST_FILE), `${name}/${MANIFEST_FILE}`);
  if (current === undefined) throw new OupsError("CORRUPT_DATASET", `${name}/${MANIFEST_FILE} does not exist`);
  const manifest = checked(current, `${name}/${MANIFEST_FILE}`);
  if (generation === undefined || manifest.generation === generation) return manifest;
  const recordName = `${name}/${VERSIONS_DIR}/${versionRecordName(generation)}`;
  const record = await readJson(join(datasetDir, VERSIONS_DIR, versionRecordName(generation)), recordName);
  if (record === undefined) {
    throw new OupsError("CORRUPT_DATASET", `generation ${generation} of ${name} is neither current (${manifest.generation}) nor recorded in ${recordName}`);
  }
  const fromRecord = checked((record as { manifest?: unknown }).manifest, recordName);
  if (fromRecord.generation !== generation) {
    throw new OupsError("CORRUPT_DATASET", `${recordName} holds generation ${fromRecord.generation}, not ${generation}`);
  }
  return fromRecord;
}

async function readJson(path: string, name: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return undefined;
    if (errnoOf(err) === "ELOOP") throw new OupsError("CORRUPT_DATASET", `${name} is a symbolic link`, { cause: err });
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OupsError("CORRUPT_DATASET", `${name} is not valid JSON`, { cause: err });
  }
}

function checked(json: unknown, name: string): ManifestJson {
  try {
    checkManifestJson(json);
  } catch (err) {
    throw new OupsError("CORRUPT_DATASET", `${name} is not a valid manifest: ${(err as Error).message}`, { cause: err });
  }
  return json;
}
