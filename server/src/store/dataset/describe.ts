import type { Schema } from "apache-arrow";
import type { Key } from "../keys/key.js";
import type { Manifest, RowGroupEntry } from "./manifest.js";
import type { SchemaChange } from "./schema-history.js";
import { describeSchemaHistory } from "./schema-history.js";

/** What Describe tells of a dataset. */
export interface DatasetDescription {
  key: Key;
  orderedOn: string;
  schema: Schema | undefined;
  totalRows: number;
  totalBytes: number;
  rowGroups: readonly RowGroupEntry[];
  metadata: Readonly<Record<string, string>>;
  generation: number;
  /** The schemas the dataset has had, oldest first (see schema-history.ts); row groups name theirs by index. */
  schemaHistory: readonly SchemaChange[];
}

/** The description of a committed manifest. */
export function describeManifest(key: Key, manifest: Manifest): DatasetDescription {
  return {
    key,
    orderedOn: manifest.orderedOn,
    schema: manifest.schema,
    totalRows: manifest.rowGroups.reduce((n, g) => n + g.rows, 0),
    totalBytes: manifest.rowGroups.reduce((n, g) => n + g.bytes, 0),
    rowGroups: manifest.rowGroups,
    metadata: manifest.metadata,
    generation: manifest.generation,
    schemaHistory: describeSchemaHistory(manifest),
  };
}
