import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import { durationFromMs, durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { OupsError } from "../store/errors.js";
import type { RetentionOverride, RetentionPolicy } from "../store/versions/retention-policy.js";
import type { VersionChange } from "../store/versions/version-change.js";
import type { VersionSelector } from "../store/versions/version-selector.js";
import type { RetentionPolicy as RetentionPolicyMessage, RetentionPolicySchema, VersionChangeSchema, VersionSelector as VersionSelectorMessage } from "./contract.js";

/** The engine's selector of a wire VersionSelector; undefined (the current version) when absent or empty. */
export function versionFromWire(message: VersionSelectorMessage | undefined): VersionSelector | undefined {
  const v = message?.version;
  switch (v?.case) {
    case "generation":
      return { generation: Number(v.value) };
    case "asOf":
      return { asOfMs: timestampToMs(v.value, "as_of") };
    case "snapshot":
      if (v.value === "") throw new OupsError("INVALID_ARGUMENT", "a version selector's snapshot must name a snapshot");
      return { snapshot: v.value };
    default:
      return undefined;
  }
}

/** A required selector (RestoreVersion). */
export function requiredVersionFromWire(message: VersionSelectorMessage | undefined, method: string): VersionSelector {
  const version = versionFromWire(message);
  if (!version) throw new OupsError("INVALID_ARGUMENT", `${method} needs a version: a generation, an as_of time or a snapshot`);
  return version;
}

/** A wire retention override: undefined when absent (unchanged), else the override it sets (empty: the store's). */
export function retentionFromWire(message: RetentionPolicyMessage | undefined): RetentionOverride | undefined {
  if (!message) return undefined;
  return {
    generations: message.generations,
    durationMs: message.duration === undefined ? undefined : durationToMs(message.duration, "retention duration"),
  };
}

/** A policy (or override) on the wire; undefined stays undefined. */
export function retentionToWire(policy: RetentionPolicy | RetentionOverride | undefined): MessageInitShape<typeof RetentionPolicySchema> | undefined {
  if (!policy) return undefined;
  return {
    ...(policy.generations === undefined ? {} : { generations: policy.generations }),
    ...(policy.durationMs === undefined ? {} : { duration: durationFromMs(policy.durationMs) }),
  };
}

/** A lease duration in ms; undefined (the daemon's default) when absent. */
export function optionalDurationMs(duration: Duration | undefined, what: string): number | undefined {
  return duration === undefined ? undefined : durationToMs(duration, what);
}

export function msToTimestamp(ms: number | undefined): Timestamp | undefined {
  return ms === undefined ? undefined : timestampFromMs(ms);
}

export function changeToWire(change: VersionChange | undefined): MessageInitShape<typeof VersionChangeSchema> | undefined {
  if (!change) return undefined;
  return {
    operation: change.operation,
    rowsReceived: BigInt(change.rowsReceived),
    rowGroupsRewritten: change.rowGroupsRewritten,
    rowGroupsAdded: change.rowGroupsAdded,
    metadataChanged: change.metadataChanged,
    ...(change.restoredFrom === undefined ? {} : { restoredFrom: BigInt(change.restoredFrom) }),
  };
}

function timestampToMs(timestamp: Timestamp, what: string): number {
  if (timestamp.nanos < 0 || timestamp.nanos > 999_999_999) throw new OupsError("INVALID_ARGUMENT", `${what} has nanos ${timestamp.nanos}, outside 0..999,999,999`);
  return timestampMs(timestamp);
}

function durationToMs(duration: Duration, what: string): number {
  const ms = durationMs(duration);
  if (!(Number.isFinite(ms) && ms >= 0)) throw new OupsError("INVALID_ARGUMENT", `${what} must not be negative`);
  return Math.round(ms);
}
