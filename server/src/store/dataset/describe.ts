import type { Schema } from "apache-arrow";
import type { Key } from "../keys/key.js";
import type { Manifest, RowGroupEntry } from "./manifest.js";

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
  };
}
