import type { Schema } from "apache-arrow";
import { ordinalKindOf, timeUnitOf } from "../arrow/ordered-column.js";
import type { SchemaEvolution } from "../arrow/evolve-schema.js";
import { OupsError } from "../errors.js";
import type { Compression } from "../io/compression.js";
import { parseCompression } from "../io/compression.js";
import type { RowGroupTarget } from "../plan/plan-merge.js";
import { parsePeriod } from "../plan/period.js";
import type { RetentionOverride } from "../versions/retention-policy.js";

/** Options of a write, as the engine takes them. */
export interface WriteOptions {
  /** The column the dataset is ordered on: required on the first write, checked on later ones. */
  orderedOn?: string | undefined;
  /** Drop rows equal on these columns (plus `orderedOn`), keeping the last; `[]` means every column. */
  duplicatesOn?: readonly string[] | undefined;
  dropDuplicates?: boolean | undefined;
  /** A row count, or a period ("1D", "2h", "MS") for timestamp columns. */
  rowGroupTarget?: number | string | undefined;
  /**
   * Coalesce runs of more than this many off-target row groups next to new data; 0: never. Undefined: the
   * store's default. Given explicitly on a write of no rows, it compacts the dataset.
   */
  maxNOffTargetRgs?: number | undefined;
  /** Metadata keys to add or replace. */
  metadata?: Readonly<Record<string, string>> | undefined;
  /** Metadata keys to remove. */
  removeMetadata?: readonly string[] | undefined;
  /** Sort the incoming rows instead of rejecting unordered input (they are then held in memory). */
  sort?: boolean | undefined;
  compression?: string | undefined;
  /** Whether the write may add nullable columns and widen int32/float32 ones (see evolve-schema.ts); default "none". */
  schemaEvolution?: SchemaEvolution | undefined;
  /** Sets the dataset's retention override (an empty one, or null, returns it to the store's policy); undefined keeps it. */
  retention?: RetentionOverride | null | undefined;
  signal?: AbortSignal | undefined;
}

/** Row count per row group when a write does not say: DuckDB's row-group size, a good read/rewrite balance. */
export const DEFAULT_ROW_GROUP_ROWS = 122_880;

/** Options checked against a schema, ready for the planner. */
export interface ResolvedWriteOptions {
  orderedOn: string;
  duplicatesOn: readonly string[] | "all" | undefined;
  target: RowGroupTarget;
  maxNOffTargetRgs: number | undefined;
  compression: Compression;
}

/** Checks `options` against `schema` (the dataset's) and resolves defaults; errors name the option and value. */
export function resolveWriteOptions(
  options: WriteOptions,
  orderedOn: string,
  schema: Schema | undefined,
  defaultMaxNOffTargetRgs: number | undefined,
  defaultCompression?: Compression | undefined,
): ResolvedWriteOptions {
  const column = schema?.fields.find((f) => f.name === orderedOn);
  if (schema && !column) {
    throw new OupsError("INVALID_ARGUMENT", `ordered_on column "${orderedOn}" is not among the columns (${schema.fields.map((f) => f.name).join(", ")})`);
  }
  if (column && ordinalKindOf(column.type) === undefined) {
    throw new OupsError("INVALID_ARGUMENT", `ordered_on column "${orderedOn}" has type ${String(column.type)}, which cannot be ordered on`);
  }
  let duplicatesOn: readonly string[] | "all" | undefined;
  if (options.dropDuplicates || (options.duplicatesOn && options.duplicatesOn.length > 0)) {
    duplicatesOn = !options.duplicatesOn || options.duplicatesOn.length === 0 ? "all" : [...new Set([...options.duplicatesOn, orderedOn])];
    const missing = duplicatesOn === "all" || !schema ? [] : duplicatesOn.filter((c) => !schema.fields.some((f) => f.name === c));
    if (missing.length > 0) throw new OupsError("INVALID_ARGUMENT", `duplicates_on columns not found: ${missing.join(", ")}`);
  }
  const requested = options.maxNOffTargetRgs ?? defaultMaxNOffTargetRgs;
  if (requested !== undefined && (!Number.isSafeInteger(requested) || requested < 0)) {
    throw new OupsError("INVALID_ARGUMENT", `max_n_off_target_rgs must be a whole number, got ${requested}`);
  }
  // 0 means "never coalesce", which the planner spells `undefined`.
  const maxNOffTargetRgs = requested || undefined;
  return {
    orderedOn,
    duplicatesOn,
    target: resolveTarget(options.rowGroupTarget, orderedOn, column?.type),
    maxNOffTargetRgs,
    compression: parseCompression(options.compression || undefined, defaultCompression),
  };
}

function resolveTarget(target: number | string | undefined, orderedOn: string, type: Schema["fields"][number]["type"] | undefined): RowGroupTarget {
  if (target === undefined) return { kind: "rows", rows: DEFAULT_ROW_GROUP_ROWS };
  if (typeof target === "number") {
    if (!Number.isSafeInteger(target) || target < 1) {
      throw new OupsError("INVALID_ARGUMENT", `row group target must be a positive number of rows, got ${target}`);
    }
    return { kind: "rows", rows: target };
  }
  const unit = type ? timeUnitOf(type) : undefined;
  if (!unit) {
    throw new OupsError("INVALID_ARGUMENT", `a period row group target ("${target}") needs a timestamp ordered_on column; "${orderedOn}" is ${type ? String(type) : "unknown"}`);
  }
  return { kind: "period", period: parsePeriod(target, unit) };
}
