import { OupsError } from "./store/errors.js";

/** How the daemon keeps versions, as flags or environment give it; the engine's defaults for what is not given. */
export interface VersionSettings {
  /** `--retain-generations` (OUPS_RETAIN_GENERATIONS): older generations kept by count (default 10). */
  retainGenerations?: number | undefined;
  /** `--retain-for` (OUPS_RETAIN_FOR): how long a replaced generation is kept, in ms (default 24 h). */
  retainForMs?: number | undefined;
  /** `--retain-at-most` (OUPS_RETAIN_AT_MOST): the most older generations --retain-for keeps per dataset (default 1000). */
  retainAtMost?: number | undefined;
  /** `--lease-duration` (OUPS_LEASE_DURATION): a ListFiles lease when the call gives none (default 5 min). */
  leaseDurationMs?: number | undefined;
  /** `--max-lease-duration` (OUPS_MAX_LEASE_DURATION): the longest lease a call may ask for (default 24 h). */
  maxLeaseDurationMs?: number | undefined;
}

/** The flags of {@link VersionSettings}, as parseArgs gives them. */
export interface VersionFlags {
  "retain-generations"?: string | undefined;
  "retain-for"?: string | undefined;
  "retain-at-most"?: string | undefined;
  "lease-duration"?: string | undefined;
  "max-lease-duration"?: string | undefined;
}

/** parseArgs options of the version flags. */
export const versionFlagOptions = {
  "retain-generations": { type: "string" },
  "retain-for": { type: "string" },
  "retain-at-most": { type: "string" },
  "lease-duration": { type: "string" },
  "max-lease-duration": { type: "string" },
} as const;

/** Help text of the version flags (for `oups serve --help`). */
export const versionFlagsHelp = `Versions (see the README, "Versions and snapshots"):
  --retain-generations N   older generations each dataset keeps by count (env OUPS_RETAIN_GENERATIONS,
                           default 10); a generation is kept while this or --retain-for holds
  --retain-for DURATION    how long a replaced generation is kept (env OUPS_RETAIN_FOR, default 24h;
                           500ms, 30s, 5m, 2h, 7d); 0 and 0 keep only the current generation
  --retain-at-most N       the most older generations --retain-for keeps per dataset, so that frequent
                           commits do not pile up records (env OUPS_RETAIN_AT_MOST, default 1000)
  --lease-duration DURATION      how long ListFiles keeps the files it lists when the call does not say
                                 (env OUPS_LEASE_DURATION, default 5m)
  --max-lease-duration DURATION  the longest lease a call may ask for (env OUPS_MAX_LEASE_DURATION, default 24h)`;

const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration that may be long: `500ms`, `30s`, `5m`, `2h`, `7d`, `2w` or a plain number of seconds; returns
 * whole milliseconds. `source` names the flag and its variable in the error.
 */
export function parseLongDuration(value: string, source: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(value);
  if (!match) throw new OupsError("INVALID_ARGUMENT", `${source} must be a duration such as 30s, 5m, 2h, 7d or a number of seconds, got ${JSON.stringify(value)}`);
  const ms = Math.round(Number(match[1]) * MS_PER_UNIT[match[2] ?? "s"]!);
  if (!Number.isSafeInteger(ms)) throw new OupsError("INVALID_ARGUMENT", `${source} is too long: ${JSON.stringify(value)}`);
  return ms;
}

/** Reads the version flags, then OUPS_RETAIN_GENERATIONS, OUPS_RETAIN_FOR, OUPS_RETAIN_AT_MOST, OUPS_LEASE_DURATION, OUPS_MAX_LEASE_DURATION. */
export function parseVersionSettings(flags: VersionFlags, env: NodeJS.ProcessEnv): VersionSettings {
  const settings: VersionSettings = {};
  const generations = flags["retain-generations"] ?? env.OUPS_RETAIN_GENERATIONS;
  if (generations !== undefined) settings.retainGenerations = wholeNumber(generations, "--retain-generations (OUPS_RETAIN_GENERATIONS)");
  const atMost = flags["retain-at-most"] ?? env.OUPS_RETAIN_AT_MOST;
  if (atMost !== undefined) settings.retainAtMost = wholeNumber(atMost, "--retain-at-most (OUPS_RETAIN_AT_MOST)");
  const retainFor = flags["retain-for"] ?? env.OUPS_RETAIN_FOR;
  if (retainFor !== undefined) settings.retainForMs = parseLongDuration(retainFor, "--retain-for (OUPS_RETAIN_FOR)");
  const lease = flags["lease-duration"] ?? env.OUPS_LEASE_DURATION;
  if (lease !== undefined) settings.leaseDurationMs = positive(parseLongDuration(lease, "--lease-duration (OUPS_LEASE_DURATION)"), "--lease-duration");
  const maxLease = flags["max-lease-duration"] ?? env.OUPS_MAX_LEASE_DURATION;
  if (maxLease !== undefined) {
    settings.maxLeaseDurationMs = positive(parseLongDuration(maxLease, "--max-lease-duration (OUPS_MAX_LEASE_DURATION)"), "--max-lease-duration");
  }
  return settings;
}

function wholeNumber(value: string, source: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < 0) {
    throw new OupsError("INVALID_ARGUMENT", `${source} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

function positive(ms: number, flag: string): number {
  if (ms <= 0) throw new OupsError("INVALID_ARGUMENT", `${flag} must be longer than 0`);
  return ms;
}
