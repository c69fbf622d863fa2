import type { Ordinal, OrdinalKind } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import type { VersionChange } from "../versions/version-change.js";
import { checkVersionFields } from "../versions/version-change.js";
import type { RetentionOverride } from "../versions/retention-policy.js";
import { isRowGroupFile, rowGroupFileId } from "./row-group-files.js";
import type { SchemaVersionJson } from "./schema-history.js";
import { checkSchemaHistoryJson } from "./schema-history.js";

/** A manifest as read from disk, after {@link checkManifestJson}: the JSON form of `Manifest`. */
export interface ManifestJson {
  format: 1;
  generation: number;
  orderedOn: string;
  /** Base64 of an Arrow IPC stream holding just the schema. */
  schema: string | null;
  ordinalKind: OrdinalKind | null;
  rowGroups: RowGroupJson[];
  metadata: Record<string, string>;
  nextFileId: number;
  /** Absent in manifests written before schema evolution. */
  schemaHistory?: SchemaVersionJson[];
  /** Commit time (ms since the epoch), what the commit did, the dataset's retention override (see versions/). */
  committedAt?: number;
  change?: VersionChange;
  retention?: RetentionOverride;
}

/** One row group in JSON: ordinals as JSON numbers or strings (bigints and non-finite numbers as text). */
export interface RowGroupJson {
  file: string;
  rows: number;
  min: number | string;
  max: number | string;
  bytes: number;
  /** Absent: the current schema. */
  schemaVersion?: number;
}

const ORDINAL_KINDS: readonly string[] = ["number", "bigint", "string"] satisfies OrdinalKind[];

/**
 * Checks the shape of a parsed manifest, so that nothing read from disk is trusted further than it was checked:
 * file names are row-group names of the dataset's own directory (no separator, no `..`, so no path leads out of
 * it), counts are non-negative integers, bounds have the ordinal kind's type, metadata values are strings.
 * @throws Error saying what is wrong (the caller names the dataset).
 */
export function checkManifestJson(json: unknown): asserts json is ManifestJson {
  if (!isRecord(json)) throw new Error(`expected a JSON object, got ${describe(json)}`);
  if (json.format !== 1) throw new Error(`unknown manifest format ${describe(json.format)}`);
  checkCount(json.generation, "generation");
  if (typeof json.orderedOn !== "string" || json.orderedOn === "") {
    throw new Error(`orderedOn must be a column name, got ${describe(json.orderedOn)}`);
  }
  if (json.schema !== null && typeof json.schema !== "string") throw new Error(`schema must be base64 text or null, got ${describe(json.schema)}`);
  const kind = json.ordinalKind;
  if (kind !== null && !(typeof kind === "string" && ORDINAL_KINDS.includes(kind))) {
    throw new Error(`ordinalKind must be one of ${ORDINAL_KINDS.join(", ")} or null, got ${describe(kind)}`);
  }
  if (!isRecord(json.metadata) || Array.isArray(json.metadata)) throw new Error(`metadata must be an object, got ${describe(json.metadata)}`);
  for (const [key, value] of Object.entries(json.metadata)) {
    if (typeof value !== "string") throw new Error(`metadata value of ${JSON.stringify(key)} must be a string, got ${describe(value)}`);
  }
  checkCount(json.nextFileId, "nextFileId");
  checkVersionFields(json);
  if (!Array.isArray(json.rowGroups)) throw new Error(`rowGroups must be an array, got ${describe(json.rowGroups)}`);
  if (json.rowGroups.length > 0 && (json.schema === null || kind === null)) {
    throw new Error("row groups listed without a schema and an ordinal kind");
  }
  const files = new Set<string>();
  for (const [i, group] of (json.rowGroups as unknown[]).entries()) {
    if (!isRecord(group)) throw new Error(`row group ${i} must be an object, got ${describe(group)}`);
    const { file } = group;
    if (typeof file !== "string" || !isRowGroupFile(file)) {
      throw new Error(`row group ${i} names file ${describe(file)}, not a row-group file of the dataset's directory`);
    }
    if (files.has(file)) throw new Error(`row group ${i} names file ${file} again`);
    files.add(file);
    if (rowGroupFileId(file) >= (json.nextFileId as number)) {
      throw new Error(`row group ${i} names file ${file}, but nextFileId is ${String(json.nextFileId)}`);
    }
    // The engine never writes an empty row group (and planning relies on every group having a min and a max).
    checkCount(group.rows, `row group ${i} rows`, 1);
    checkCount(group.bytes, `row group ${i} bytes`);
    checkBound(group.min, kind as OrdinalKind, `row group ${i} min`);
    checkBound(group.max, kind as OrdinalKind, `row group ${i} max`);
  }
  checkSchemaHistoryJson(json.schemaHistory, json.rowGroups as Record<string, unknown>[], json.generation as number);
}

/**
 * Checks the order of decoded row-group bounds: each group's min is at most its max, and groups follow one
 * another (a group may start at the value the previous one ends with: rows equal on the ordered column).
 * @throws Error saying which groups are out of order.
 */
export function checkRowGroupOrder(groups: readonly { readonly min: Ordinal; readonly max: Ordinal }[]): void {
  // compareOrdinals, the engine's own order (bounds cannot be NaN: JSON has none, and checkBound refuses "NaN").
  for (const [i, { min, max }] of groups.entries()) {
    if (compareOrdinals(min, max) > 0) throw new Error(`row group ${i} has min ${String(min)} > max ${String(max)}`);
    const previous = groups[i - 1];
    if (previous !== undefined && compareOrdinals(previous.max, min) > 0) {
      throw new Error(`row groups ${i - 1} and ${i} are out of order: max ${String(previous.max)} > next min ${String(min)}`);
    }
  }
}

function checkCount(value: unknown, what: string, least = 0): void {
  if (!(typeof value === "number" && Number.isSafeInteger(value) && value >= least)) {
    throw new Error(`${what} must be an integer >= ${least}, got ${describe(value)}`);
  }
}

function checkBound(value: unknown, kind: OrdinalKind, what: string): void {
  const ok =
    kind === "bigint"
      ? (typeof value === "string" && /^-?\d+$/.test(value)) || (typeof value === "number" && Number.isSafeInteger(value))
      : kind === "number"
        ? // Non-finite numbers travel as text (JSON has none).
          typeof value === "number" || value === "Infinity" || value === "-Infinity"
        : typeof value === "string";
  if (!ok) throw new Error(`${what} ${describe(value)} is not a ${kind} bound`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
