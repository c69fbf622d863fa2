import type { Schema } from "apache-arrow";
import { decodeSchema, encodeSchema } from "#shared/arrow/ipc-stream.js";
import { withCanonicalDictionaryIds } from "../arrow/canonical-dictionary-ids.js";

/** One schema a dataset has had, and the commit that gave it. */
export interface SchemaVersion {
  /** The generation whose commit introduced this schema; 0 for a schema from before the history was kept. */
  readonly generation: number;
  readonly schema: Schema;
}

/** The parts of a manifest the history is about (see `Manifest`). */
interface Versioned {
  readonly schema: Schema | undefined;
  readonly schemaHistory?: readonly SchemaVersion[] | undefined;
}

/**
 * The schemas of a dataset, oldest first; the last is its current schema. A manifest written before the history
 * was kept has one version, of generation 0 (unknown). Empty while the dataset has no schema.
 */
export function schemaVersionsOf(manifest: Versioned): readonly SchemaVersion[] {
  if (!manifest.schema) return [];
  if (manifest.schemaHistory && manifest.schemaHistory.length > 0) return manifest.schemaHistory;
  return [{ generation: 0, schema: manifest.schema }];
}

/** The index of `entry`'s schema in {@link schemaVersionsOf}: the current one when the entry names none. */
export function schemaVersionIndex(manifest: Versioned, entry: { readonly schemaVersion?: number | undefined }): number {
  return entry.schemaVersion ?? schemaVersionsOf(manifest).length - 1;
}

/** The schema `entry`'s file was written with (a row group is never rewritten when its dataset's schema evolves). */
export function rowGroupSchema(manifest: Versioned & { readonly schema: Schema }, entry: { readonly schemaVersion?: number | undefined }): Schema {
  const versions = schemaVersionsOf(manifest);
  return entry.schemaVersion === undefined ? manifest.schema : (versions[entry.schemaVersion]?.schema ?? manifest.schema);
}

/** Whether `entry`'s file has its dataset's current schema (reads then take it as it is). */
export function hasCurrentSchema(manifest: Versioned, entry: { readonly schemaVersion?: number | undefined }): boolean {
  return entry.schemaVersion === undefined || entry.schemaVersion === schemaVersionsOf(manifest).length - 1;
}

/** The history as a manifest stores it: the last version's schema is the manifest's own, so it is not repeated. */
export interface SchemaVersionJson {
  generation: number;
  /** Base64 of an Arrow IPC stream holding just the schema; absent on the last version. */
  schema?: string;
}

/** The JSON form of a history (undefined: none to store). */
export function schemaHistoryToJson(history: readonly SchemaVersion[] | undefined): SchemaVersionJson[] | undefined {
  if (!history || history.length === 0) return undefined;
  return history.map((v, i) =>
    i === history.length - 1 ? { generation: v.generation } : { generation: v.generation, schema: Buffer.from(encodeSchema(v.schema)).toString("base64") },
  );
}

/** The history of a checked manifest JSON, given its decoded current `schema`. */
export function schemaHistoryFromJson(json: readonly SchemaVersionJson[] | undefined, schema: Schema | undefined): SchemaVersion[] | undefined {
  if (!json || json.length === 0 || !schema) return undefined;
  return json.map((v, i) => ({
    generation: v.generation,
    schema: i === json.length - 1 ? schema : withCanonicalDictionaryIds(decodeSchema(Buffer.from(v.schema!, "base64"))),
  }));
}

/**
 * Checks the shape of a manifest's `schemaHistory` JSON (absent in manifests written before it existed) and of the
 * row groups' `schemaVersion`s against it: generations growing, every version but the last with its schema.
 * @throws Error saying what is wrong.
 */
export function checkSchemaHistoryJson(history: unknown, rowGroups: readonly Record<string, unknown>[], generation: number): void {
  let versions = 1;
  if (history !== undefined) {
    if (!Array.isArray(history) || history.length === 0) throw new Error("schemaHistory must be a non-empty array");
    let previous = -1;
    for (const [i, v] of (history as unknown[]).entries()) {
      const version = v as Record<string, unknown> | null;
      if (typeof version !== "object" || version === null) throw new Error(`schemaHistory ${i} must be an object`);
      const g = version.generation;
      if (!(typeof g === "number" && Number.isSafeInteger(g) && g > previous && g <= generation)) {
        throw new Error(`schemaHistory ${i} generation must grow and not exceed the manifest's, got ${JSON.stringify(g)}`);
      }
      previous = g;
      if (i < history.length - 1 && typeof version.schema !== "string") throw new Error(`schemaHistory ${i} must hold its schema`);
    }
    versions = history.length;
  }
  for (const [i, group] of rowGroups.entries()) {
    const v = group.schemaVersion;
    // The last version is the current schema, which an entry names by leaving the field out.
    if (v !== undefined && !(typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v < versions)) {
      throw new Error(`row group ${i} schemaVersion ${JSON.stringify(v)} is not a version of the schema history`);
    }
  }
}

/** One version of a dataset's schema as Describe tells it. */
export interface SchemaChange {
  readonly generation: number;
  readonly schema: Schema;
  /** Columns this version added (all of them for the first). */
  readonly addedColumns: readonly string[];
  /** Columns whose type this version widened. */
  readonly widenedColumns: readonly string[];
  /** Row groups stored with this schema in the described generation. */
  readonly rowGroups: number;
}

/** The history of a manifest's schema, with what each version changed and how many row groups still have it. */
export function describeSchemaHistory(manifest: Versioned & { readonly rowGroups: readonly { readonly schemaVersion?: number | undefined }[] }): SchemaChange[] {
  const versions = schemaVersionsOf(manifest);
  const counts = new Array<number>(versions.length).fill(0);
  for (const g of manifest.rowGroups) counts[schemaVersionIndex(manifest, g)]! += 1;
  return versions.map((v, i) => {
    const before = new Map((versions[i - 1]?.schema.fields ?? []).map((f) => [f.name, f]));
    const addedColumns = v.schema.fields.filter((f) => !before.has(f.name)).map((f) => f.name);
    const widenedColumns = v.schema.fields.filter((f) => before.has(f.name) && String(before.get(f.name)!.type) !== String(f.type)).map((f) => f.name);
    return { generation: v.generation, schema: v.schema, addedColumns, widenedColumns, rowGroups: counts[i]! };
  });
}
