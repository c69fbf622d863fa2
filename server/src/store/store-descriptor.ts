import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsError } from "./errors.js";
import { removeQuietly, replaceFileDurable, writeFileDurable } from "./io/durable-fs.js";
import { fsError } from "./io/fs-error.js";
import type { IndexSchema } from "./keys/index-schema.js";
import { validateIndexSchema } from "./keys/index-schema.js";
import { STORE_FILE } from "./keys/layout.js";

/** The store descriptor persisted at the store root: a format version and the index schema. */
interface StoreDescriptor {
  format: 1;
  indexSchema: IndexSchema;
}

/** Name of the temporary file a declaration writes before renaming it into place. */
const TMP_DESCRIPTOR = `.${STORE_FILE}.tmp`;

/** True for the temporary file an interrupted declaration of the index schema may leave at the store root. */
export function isTemporaryDescriptor(name: string): boolean {
  return name === TMP_DESCRIPTOR;
}

/** Reads the store's index schema, or `undefined` when the store has none yet. */
export async function readIndexSchema(storeDir: string): Promise<IndexSchema | undefined> {
  let text: string;
  try {
    text = await readFile(join(storeDir, STORE_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let descriptor: StoreDescriptor;
  try {
    descriptor = JSON.parse(text) as StoreDescriptor;
  } catch (err) {
    throw new OupsError("CORRUPT_DATASET", `store descriptor ${join(storeDir, STORE_FILE)} is not valid JSON`, { cause: err });
  }
  if (descriptor.format !== 1) {
    throw new OupsError("CORRUPT_DATASET", `store descriptor has unknown format ${String(descriptor.format)}`);
  }
  return validateIndexSchema(descriptor.indexSchema);
}

/**
 * Persists the index schema atomically (temporary file, fsync, rename, directory fsync). File-system failures
 * become typed errors (see fs-error.ts), leaving no temporary file behind.
 */
export async function writeIndexSchema(storeDir: string, schema: IndexSchema): Promise<void> {
  const descriptor: StoreDescriptor = { format: 1, indexSchema: schema };
  const tmp = join(storeDir, TMP_DESCRIPTOR);
  try {
    // A leftover of a crashed declaration: writeFileDurable never overwrites.
    await removeQuietly(tmp);
    await writeFileDurable(tmp, new TextEncoder().encode(`${JSON.stringify(descriptor, null, 2)}\n`));
    await replaceFileDurable(tmp, join(storeDir, STORE_FILE));
  } catch (err) {
    await removeQuietly(tmp).catch(() => undefined);
    throw fsError(err, `write the store descriptor ${STORE_FILE}`);
  }
}
