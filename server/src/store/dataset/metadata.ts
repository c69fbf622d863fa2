import { OupsError } from "../errors.js";
import type { MetadataLimits } from "./metadata-limits.js";
import { checkMetadataLimits } from "./metadata-limits.js";

/**
 * A dataset's metadata after a change: `set` keys are added or replaced (empty strings included, unlike the
 * original's truthiness rule), then `remove` keys deleted (a key that is not there is no error). A key both set
 * and removed is an error, and so is a result over `limits` (see {@link checkMetadataLimits}).
 */
export function mergeMetadata(
  current: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>> | undefined,
  remove: readonly string[] | undefined,
  limits: MetadataLimits,
): Record<string, string> {
  const both = (remove ?? []).filter((k) => set && Object.hasOwn(set, k));
  if (both.length > 0) throw new OupsError("INVALID_ARGUMENT", `metadata keys both set and removed: ${both.join(", ")}`);
  const next: Record<string, string> = { ...current, ...set };
  for (const key of remove ?? []) delete next[key];
  checkMetadataLimits(current, next, set, limits);
  return next;
}

/** True when `a` and `b` hold the same keys and values: a change that leaves metadata so is no commit. */
export function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
