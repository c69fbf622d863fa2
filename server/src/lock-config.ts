import { OupsError } from "./store/errors.js";

/** Timings of the store lock given by flags or environment (ms); the daemon's defaults for those not given. */
export interface LockTimings {
  lockUpdateMs?: number | undefined;
  lockRetryMs?: number | undefined;
}

/** proper-lockfile refreshes the lock once a second at most often. */
const MIN_LOCK_UPDATE_MS = 1000;

/** Reads `--lock-update-ms` (OUPS_LOCK_UPDATE_MS) and `--lock-retry-ms` (OUPS_LOCK_RETRY_MS). */
export function parseLockTimings(
  flags: { "lock-update-ms"?: string | undefined; "lock-retry-ms"?: string | undefined },
  env: NodeJS.ProcessEnv,
): LockTimings {
  const lockUpdateMs = parseMs("lock-update-ms", "OUPS_LOCK_UPDATE_MS", flags["lock-update-ms"] ?? env.OUPS_LOCK_UPDATE_MS, MIN_LOCK_UPDATE_MS);
  const lockRetryMs = parseMs("lock-retry-ms", "OUPS_LOCK_RETRY_MS", flags["lock-retry-ms"] ?? env.OUPS_LOCK_RETRY_MS, 1);
  // Only those given: the config of a daemon started without them is what it was before these settings existed.
  return { ...(lockUpdateMs === undefined ? {} : { lockUpdateMs }), ...(lockRetryMs === undefined ? {} : { lockRetryMs }) };
}

function parseMs(flag: string, variable: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(ms) || ms < min) {
    throw new OupsError("INVALID_ARGUMENT", `--${flag} (${variable}) must be a whole number of milliseconds, ${min} at least, got ${JSON.stringify(value)}`);
  }
  return ms;
}
