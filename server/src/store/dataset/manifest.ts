import type { Schema } from "apache-arrow";
import { constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeSchema, encodeSchema } from "#shared/arrow/ipc-stream.js";
import { withCanonicalDictionaryIds } from "../arrow/canonical-dictionary-ids.js";
import { OupsError } from "../errors.js";
import { writeFileDurable, replaceFileDurable, removeQuietly } from "../io/durable-fs.js";
import { MANIFEST_FILE } from "../keys/layout.js";
import type { Ordinal, OrdinalKind } from "../ordinal.js";
import type { RetentionOverride } from "../versions/retention-policy.js";
import type { VersionChange } from "../versions/version-change.js";
import { symbolicLinkRefused } from "./directories.js";
import type { SchemaVersion } from "./schema-history.js";
import { schemaHistoryFromJson, schemaHistoryToJson } from "./schema-history.js";
import type { ManifestJson } from "./validate-manifest.js";
import { checkManifestJson, checkRowGroupOrder } from "./validate-manifest.js";

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
  /** Index in the schema history of the schema the file was written with; absent: the dataset's current schema. */
  readonly schemaVersion?: number | undefined;
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
  /** The schemas the dataset has had, oldest first, the last being `schema`; absent: `schema` only (see schema-history.ts). */
  readonly schemaHistory?: readonly SchemaVersion[] | undefined;
  /** When the generation was committed (ms since the epoch); undefined in manifests written before versions were kept. */
  readonly committedAtMs?: number | undefined;
  /** What the commit did (see ListVersions). */
  readonly change?: VersionChange | undefined;
  /** The dataset's own retention policy, overriding the store's; carried over by every commit. */
  readonly retention?: RetentionOverride | undefined;
}

const TMP_MANIFEST = `.${MANIFEST_FILE}.tmp`;

/** Temporary file names a commit may leave behind after a crash. */
export function isTemporaryManifest(name: string): boolean {
  return name.startsWith(TMP_MANIFEST);
}

/**
 * Reads a dataset's manifest, or `null` when the directory holds no dataset. `name` is the dataset's path
 * relative to the store, for messages.
 * @throws OupsError `CORRUPT_DATASET` when the manifest is a symbolic link, not a regular file, or not a valid
 * manifest (the message says what is wrong).
 */
export async function readManifest(datasetDir: string, name: string): Promise<Manifest | null> {
  let text: string;
  try {
    // O_NOFOLLOW: a manifest replaced by a link is refused by the open itself, not by a check a swap could race.
    text = await readFile(join(datasetDir, MANIFEST_FILE), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (code === "ELOOP") throw symbolicLinkRefused(`${name}/${MANIFEST_FILE}`);
    if (code === "EISDIR") throw new OupsError("CORRUPT_DATASET", `${name}/${MANIFEST_FILE} is not a regular file`, { cause: err });
    throw err;
  }
  try {
    return manifestFromJson(JSON.parse(text));
  } catch (err) {
    throw new OupsError("CORRUPT_DATASET", `manifest of ${name} is invalid: ${(err as Error).message}`, { cause: err });
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

/** The JSON form of a manifest, as {@link encodeManifest} stores it. */
export function manifestToJson(m: Manifest): ManifestJson {
  return {
    format: 1,
    generation: m.generation,
    orderedOn: m.orderedOn,
    schema: m.schema ? Buffer.from(encodeSchema(m.schema)).toString("base64") : null,
    ordinalKind: m.ordinalKind ?? null,
    rowGroups: m.rowGroups.map((g) => ({
      file: g.file,
      rows: g.rows,
      min: ordinalToJson(g.min),
      max: ordinalToJson(g.max),
      bytes: g.bytes,
      ...(g.schemaVersion !== undefined ? { schemaVersion: g.schemaVersion } : {}),
    })),
    metadata: { ...m.metadata },
    nextFileId: m.nextFileId,
    ...optional("schemaHistory", schemaHistoryToJson(m.schemaHistory)),
    ...(m.committedAtMs === undefined ? {} : { committedAt: m.committedAtMs }),
    ...(m.change === undefined ? {} : { change: { ...m.change } }),
    ...(m.retention === undefined ? {} : { retention: { ...m.retention } }),
  };
}

/** Decodes a manifest's JSON (a dataset's `_manifest.json`, or a retained version's record). */
export function manifestFromJson(json: unknown): Manifest {
  checkManifestJson(json);
  const kind = json.ordinalKind ?? undefined;
  // Manifests written before dictionary ids were made canonical hold the first writer's ids.
  const schema = json.schema ? withCanonicalDictionaryIds(decodeSchema(Buffer.from(json.schema, "base64"))) : undefined;
  const manifest: Manifest = {
    generation: json.generation,
    orderedOn: json.orderedOn,
    schema,
    ordinalKind: kind,
    rowGroups: json.rowGroups.map((g) => ({
      file: g.file,
      rows: g.rows,
      min: ordinalFromJson(g.min, kind),
      max: ordinalFromJson(g.max, kind),
      bytes: g.bytes,
      ...(g.schemaVersion !== undefined ? { schemaVersion: g.schemaVersion } : {}),
    })),
    metadata: json.metadata,
    nextFileId: json.nextFileId,
    ...optional("schemaHistory", schemaHistoryFromJson(json.schemaHistory, schema)),
    committedAtMs: json.committedAt,
    change: json.change,
    retention: json.retention,
  };
  checkRowGroupOrder(manifest.rowGroups);
  const { orderedOn } = manifest;
  for (const version of manifest.schemaHistory ?? (schema ? [{ schema }] : [])) {
    if (!version.schema.fields.some((f) => f.name === orderedOn)) throw new Error(`orderedOn column "${orderedOn}" is not in the schema`);
  }
  return manifest;
}

/** `{ [key]: value }`, or nothing when `value` is undefined (so that manifests without it keep their old form). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
