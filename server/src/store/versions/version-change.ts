/** What the commit that made a generation did, as ListVersions reports it. */
export interface VersionChange {
  readonly operation: "write" | "update-metadata" | "restore" | "retention";
  readonly rowsReceived: number;
  readonly rowGroupsRewritten: number;
  readonly rowGroupsAdded: number;
  readonly metadataChanged: boolean;
  /** For a restore, the generation restored. */
  readonly restoredFrom?: number | undefined;
}

const OPERATIONS: readonly string[] = ["write", "update-metadata", "restore", "retention"] satisfies VersionChange["operation"][];

/**
 * Checks the optional version fields of a parsed manifest (commit time, change, retention override): absent in
 * manifests written before versions were kept.
 * @throws Error saying what is wrong.
 */
export function checkVersionFields(json: Record<string, unknown>): void {
  if (json.committedAt !== undefined && !isCount(json.committedAt)) throw new Error(`committedAt must be ms since the epoch, got ${String(json.committedAt)}`);
  const change = json.change;
  if (change !== undefined) {
    if (typeof change !== "object" || change === null) throw new Error("change must be an object");
    const c = change as Record<string, unknown>;
    if (typeof c.operation !== "string" || !OPERATIONS.includes(c.operation)) throw new Error(`change.operation ${String(c.operation)} is unknown`);
    for (const name of ["rowsReceived", "rowGroupsRewritten", "rowGroupsAdded"]) {
      if (!isCount(c[name])) throw new Error(`change.${name} must be a whole number >= 0`);
    }
    if (typeof c.metadataChanged !== "boolean") throw new Error("change.metadataChanged must be a boolean");
    if (c.restoredFrom !== undefined && !isCount(c.restoredFrom)) throw new Error("change.restoredFrom must be a generation");
  }
  const retention = json.retention;
  if (retention !== undefined) {
    if (typeof retention !== "object" || retention === null) throw new Error("retention must be an object");
    const r = retention as Record<string, unknown>;
    if (r.generations !== undefined && !isCount(r.generations)) throw new Error("retention.generations must be a whole number >= 0");
    if (r.durationMs !== undefined && !isCount(r.durationMs)) throw new Error("retention.durationMs must be a whole number >= 0");
  }
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
