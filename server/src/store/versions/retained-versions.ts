import { OupsError } from "../errors.js";
import type { Manifest } from "../dataset/manifest.js";
import type { RetentionPolicy } from "./retention-policy.js";
import { DEFAULT_DURATION_AT_MOST } from "./retention-policy.js";
import type { VersionRecord } from "./version-records.js";

/**
 * True when the policy keeps an older generation: it is among the last `generations` before the current one (by
 * number: every commit adds one), or it was replaced less than `durationMs` ago and is among the last
 * `durationAtMost`.
 */
export function retainedByPolicy(record: VersionRecord, currentGeneration: number, policy: RetentionPolicy, nowMs: number): boolean {
  const age = currentGeneration - record.manifest.generation;
  if (age <= policy.generations) return true;
  return nowMs - record.supersededAtMs < policy.durationMs && age <= (policy.durationAtMost ?? DEFAULT_DURATION_AT_MOST);
}

/** The versions a read may name: the current one and the retained older ones, oldest first. */
export interface VisibleVersions {
  readonly current: Manifest;
  /** Retained older generations (by policy or snapshot), oldest first. */
  readonly older: readonly VersionRecord[];
  /** The dataset's path relative to the store, for messages. */
  readonly name: string;
}

/** The generation's manifest. @throws OupsError `VERSION_NOT_FOUND` naming the oldest retained generation. */
export function versionByGeneration(versions: VisibleVersions, generation: number): Manifest {
  if (generation === versions.current.generation) return versions.current;
  const found = versions.older.find((r) => r.manifest.generation === generation);
  if (found) return found.manifest;
  if (generation > versions.current.generation) {
    throw new OupsError("VERSION_NOT_FOUND", `${versions.name} has no generation ${generation}: the current one is ${versions.current.generation}`);
  }
  throw new OupsError("VERSION_NOT_FOUND", `generation ${generation} of ${versions.name} is not retained: ${oldestRetained(versions)}`);
}

/**
 * The generation current at `asOfMs`: the newest committed at or before it, if it was not yet replaced then.
 * @throws OupsError `VERSION_NOT_FOUND` naming the oldest retained generation.
 */
export function versionAsOf(versions: VisibleVersions, asOfMs: number): Manifest {
  const { current, older } = versions;
  // A generation committed before versions were kept has no time: it is taken to be current ever since.
  if (current.committedAtMs === undefined || current.committedAtMs <= asOfMs) return current;
  for (let i = older.length - 1; i >= 0; i--) {
    const record = older[i]!;
    const committed = record.manifest.committedAtMs;
    if (committed !== undefined && committed > asOfMs) continue;
    if (record.supersededAtMs > asOfMs) return record.manifest;
    break;
  }
  throw new OupsError(
    "VERSION_NOT_FOUND",
    `no retained generation of ${versions.name} was current at ${new Date(asOfMs).toISOString()}: ${oldestRetained(versions)}`,
  );
}

/** "the oldest retained is generation N, committed at …", for messages. */
export function oldestRetained(versions: VisibleVersions): string {
  const oldest = versions.older[0]?.manifest ?? versions.current;
  const at = oldest.committedAtMs === undefined ? "" : `, committed at ${new Date(oldest.committedAtMs).toISOString()}`;
  return `the oldest retained is generation ${oldest.generation}${at}`;
}
