import { OupsError } from "../errors.js";

/** Which older generations a dataset keeps: a generation is kept while either rule holds (the current always is). */
export interface RetentionPolicy {
  /** Older generations kept by count: the last `generations` before the current one. */
  readonly generations: number;
  /** How long a replaced generation is kept after the commit that replaced it, in ms. */
  readonly durationMs: number;
  /**
   * The most older generations the duration rule keeps (store-wide; default {@link DEFAULT_DURATION_AT_MOST}):
   * without it, a writer committing every second would keep 86,400 records, each a whole manifest, in the daemon's
   * memory and on disk. The count rule is not capped.
   */
  readonly durationAtMost?: number | undefined;
}

/** A dataset's own policy, stored in its manifest: each rule it does not give follows the store's. */
export interface RetentionOverride {
  readonly generations?: number | undefined;
  readonly durationMs?: number | undefined;
}

/** Enough to undo today's mistakes without doubling the store. */
export const DEFAULT_RETENTION: RetentionPolicy = { generations: 10, durationMs: 24 * 60 * 60 * 1000 };

/** The duration rule's cap when the store sets none. */
export const DEFAULT_DURATION_AT_MOST = 1000;

/** The policy in force for a dataset: the store's, with the dataset's override applied. */
export function effectiveRetention(store: RetentionPolicy, override: RetentionOverride | undefined): RetentionPolicy {
  return {
    generations: override?.generations ?? store.generations,
    durationMs: override?.durationMs ?? store.durationMs,
    durationAtMost: store.durationAtMost,
  };
}

/**
 * Checks a policy or an override given by a caller.
 * @throws OupsError `INVALID_ARGUMENT` naming the rule that is not a whole number >= 0.
 */
export function validateRetention<T extends RetentionOverride>(policy: T, what = "retention"): T {
  for (const [name, value] of [
    ["generations", policy.generations],
    ["duration", policy.durationMs],
    ["at-most", "durationAtMost" in policy ? (policy.durationAtMost as number | undefined) : undefined],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new OupsError("INVALID_ARGUMENT", `${what} ${name} must be a whole number >= 0, got ${String(value)}`);
    }
  }
  return policy;
}

/** True when an override gives no rule of its own (the dataset follows the store). */
export function isEmptyOverride(override: RetentionOverride | undefined): boolean {
  return override === undefined || (override.generations === undefined && override.durationMs === undefined);
}
