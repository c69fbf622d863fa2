import { tableFromIPC } from "apache-arrow";
import type { Schema } from "apache-arrow";
import type { Stats } from "node:fs";
import { firstUnordered } from "../arrow/check-order.js";
import { orderedColumn } from "../arrow/ordered-column.js";
import { schemaDifferences } from "../arrow/schema-diff.js";
import type { Manifest, RowGroupEntry } from "../dataset/manifest.js";
import { hasCurrentSchema, rowGroupSchema, schemaVersionIndex } from "../dataset/schema-history.js";
import { isOupsError } from "../errors.js";
import type { ParquetPool } from "../io/parquet-pool.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import type { CheckFindingKind } from "./check-finding.js";

/** One problem of a row-group file, before the caller names its key and path. */
export interface RowGroupProblem {
  readonly kind: CheckFindingKind;
  readonly message: string;
}

/**
 * Checks one listed row-group file against its manifest entry: a regular file (`stat` from lstat, so a link is
 * not followed) of the listed size, which decodes to its end through the Parquet pool (as reads do) into the
 * dataset's schema, with the listed row count, sorted on the ordered column, from the listed min to the listed max.
 * `name` is the file's path relative to the store.
 */
export async function checkRowGroupFile(
  path: string,
  name: string,
  stat: Stats,
  entry: RowGroupEntry,
  manifest: Manifest,
  pool: ParquetPool,
): Promise<RowGroupProblem[]> {
  if (!stat.isFile()) {
    const what = stat.isSymbolicLink() ? "a symbolic link" : stat.isDirectory() ? "a directory" : "not a regular file";
    return [{ kind: "not-regular-file", message: `row-group file ${name} is ${what}` }];
  }
  const problems: RowGroupProblem[] = [];
  if (stat.size !== entry.bytes) {
    problems.push({ kind: "size-mismatch", message: `${name} has ${stat.size} bytes, the manifest says ${entry.bytes}` });
  }
  let ipc: Uint8Array;
  try {
    ipc = await pool.readRowGroupFile(path);
  } catch (err) {
    // The pool's errors name the file relative to the store, and say what failed (a corrupt footer, a short page).
    problems.push({ kind: "unreadable-file", message: isOupsError(err) ? err.message : `${name} cannot be read` });
    return problems;
  }
  let table;
  try {
    table = tableFromIPC(ipc);
  } catch (err) {
    problems.push({ kind: "unreadable-file", message: `${name} decodes to invalid Arrow data: ${(err as Error).message}` });
    return problems;
  }
  if (manifest.schema) {
    // A row group keeps the schema it was written with when the dataset's evolves: it is checked against that one.
    const expected = rowGroupSchema(manifest as Manifest & { schema: Schema }, entry);
    const differences = schemaDifferences(expected, table.schema);
    if (differences.length > 0) {
      const which = hasCurrentSchema(manifest, entry) ? "the dataset's schema" : `the dataset's schema version ${schemaVersionIndex(manifest, entry)}`;
      problems.push({ kind: "schema-mismatch", message: `${name} does not have ${which}: ${differences.join("; ")}` });
    }
  }
  if (table.numRows !== entry.rows) {
    problems.push({ kind: "row-count-mismatch", message: `${name} holds ${table.numRows} rows, the manifest says ${entry.rows}` });
  }
  let values;
  try {
    values = orderedColumn(table, manifest.orderedOn).values;
  } catch (err) {
    // A missing column is a schema difference already reported; nulls or NaN in it are a problem of their own.
    if (!problems.some((p) => p.kind === "schema-mismatch")) {
      problems.push({ kind: "unordered-rows", message: `${name}: ${(err as Error).message}` });
    }
    return problems;
  }
  if (values.length === 0) return problems;
  const unordered = firstUnordered(values);
  if (unordered >= 0) {
    problems.push({
      kind: "unordered-rows",
      message: `${name} is not sorted on "${manifest.orderedOn}": row ${unordered + 1} (${String(values[unordered])}) < row ${unordered} (${String(values[unordered - 1])})`,
    });
  }
  const first = values[0]!;
  const last = values[values.length - 1]!;
  if (!sameOrdinal(first, entry.min) || !sameOrdinal(last, entry.max)) {
    problems.push({
      kind: "bounds-mismatch",
      message: `${name} holds "${manifest.orderedOn}" from ${String(first)} to ${String(last)}, the manifest says ${String(entry.min)} to ${String(entry.max)}`,
    });
  }
  return problems;
}

/** Equal ordinals; of different kinds (a file of another column type) they differ. */
function sameOrdinal(a: Ordinal, b: Ordinal): boolean {
  return typeof a === typeof b && compareOrdinals(a, b) === 0;
}
