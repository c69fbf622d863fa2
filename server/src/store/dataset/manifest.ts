import type { Schema } from "apache-arrow";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeSchema, encodeSchema } from "../../../../client/src/arrow/ipc-stream.js";
import { OupsError } from "../errors.js";
import { writeFileDurable, replaceFileDurable, removeQuietly } from "../io/durable-fs.js";
import { MANIFEST_FILE } from "../keys/layout.js";
import type { Ordinal, OrdinalKind } from "../ordinal.js";

/** One row group: one immutable Parquet file of the dataset's directory. */
export interface RowGroupEntry {
  /** File name, relative to the dataset directory. */
  readonly file: string;
  readonly rows: number;
  /** First and last value of the ordered column (rows are sorted, so also its min and max). */
  readonly min: Ordinal;
  readonly max: Ordinal;
  /** Size of the file on disk. */
  readonly bytes: number;
}

/**
 * The commit record of a dataset: which files hold its row groups, in order, and everything else it is. A new
 * manifest replaces the old one atomically (rename), which is what makes a write visible.
 */
export interface Manifest {
  /** Grows by one on every commit. */
  readonly generation: number;
  readonly orderedOn: string;
  /** Arrow schema of every row group; undefined while the dataset has never held a row. */
  readonly schema: Schema | undefined;
  readonly ordinalKind: OrdinalKind | undefined;
  readonly rowGroups: readonly RowGroupEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Next id for a row-group file name; file names are never reused within a dataset's life. */
  readonly nextFileId: number;
}

/** The JSON form, kept independent of any language: ordinals as JSON numbers or strings (bigints as text). */
interface ManifestJson {
  format: 1;
  generation: number;
  orderedOn: string;
  /** Base64 of an Arrow IPC stream holding just the schema. */
  schema: string | null;
  ordinalKind: OrdinalKind | null;
  rowGroups: { file: string; rows: number; min: number | string; max: number | string; bytes: number }[];
  metadata: Record<string, string>;
  nextFileId: number;
}

const TMP_MANIFEST = `.${MANIFEST_FILE}.tmp`;

/** Temporary file names a commit may leave behind after a crash. */
export function isTemporaryManifest(name: string): boolean {
  return name.startsWith(TMP_MANIFEST);
}

/**
 * Reads a dataset's manifest, or `null` when the directory holds no dataset; messages name the dataset `name`
 * (its directory relative to the store). File-system failures are Node's errors.
 */
export async function readManifest(datasetDir: string, name = datasetDir): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(datasetDir, MANIFEST_FILE), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
  try {
    return manifestFromJson(JSON.parse(text) as ManifestJson);
  } catch (err) {
    throw new OupsError("CORRUPT_DATASET", `manifest of ${name} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Commits `manifest`: writes it beside the current one, fsyncs it, renames it into place and fsyncs the
 * directory. A crash at any point leaves either the old manifest or the new one.
 */
export async function writeManifest(datasetDir: string, manifest: Manifest, bytes = encodeManifest(manifest)): Promise<void> {
  const tmp = join(datasetDir, `${TMP_MANIFEST}-${manifest.generation}`);
  await removeQuietly(tmp);
  await writeFileDurable(tmp, bytes);
  try {
    await replaceFileDurable(tmp, join(datasetDir, MANIFEST_FILE));
  } catch (err) {
    // Not renamed (or renamed but not flushed, when this removal fails harmlessly): leave no temporary file.
    await removeQuietly(tmp).catch(() => undefined);
    throw err;
  }
}

/** The bytes of a manifest as {@link writeManifest} stores them. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifestToJson(manifest))}\n`);
}

function manifestToJson(m: Manifest): ManifestJson {
  return {
    format: 1,
    generation: m.generation,
    orderedOn: m.orderedOn,
    schema: m.schema ? Buffer.from(encodeSchema(m.schema)).toString("base64") : null,
    ordinalKind: m.ordinalKind ?? null,
    rowGroups: m.rowGroups.map((g) => ({ file: g.file, rows: g.rows, min: ordinalToJson(g.min), max: ordinalToJson(g.max), bytes: g.bytes })),
    metadata: { ...m.metadata },
    nextFileId: m.nextFileId,
  };
}

function manifestFromJson(json: ManifestJson): Manifest {
  if (json.format !== 1) throw new Error(`unknown manifest format ${String(json.format)}`);
  const kind = json.ordinalKind ?? undefined;
  return {
    generation: json.generation,
    orderedOn: json.orderedOn,
    schema: json.schema ? decodeSchema(Buffer.from(json.schema, "base64")) : undefined,
    ordinalKind: kind,
    rowGroups: json.rowGroups.map((g) => ({
      file: g.file,
      rows: g.rows,
      min: ordinalFromJson(g.min, kind),
      max: ordinalFromJson(g.max, kind),
      bytes: g.bytes,
    })),
    metadata: json.metadata,
    nextFileId: json.nextFileId,
  };
}

function ordinalToJson(value: Ordinal): number | string {
  if (typeof value === "bigint") return value.toString();
  // JSON has no infinities; the ordinal kind tells text from number on the way back.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

function ordinalFromJson(value: number | string, kind: OrdinalKind | undefined): Ordinal {
  switch (kind) {
    case "bigint":
      return BigInt(value);
    case "number":
      return Number(value);
    case "string":
      return String(value);
    default:
      throw new Error("row group bounds without an ordinal kind");
  }
}
