import { parseDuration } from "./duration.js";
import { OupsError } from "./store/errors.js";

/**
 * How long the daemon waits for idle clients, how it notices dead peers, and how much one client may ask of it.
 * Each has a flag of `oups serve` and an environment variable (see {@link resolveServingLimits}).
 */
export interface ServingLimits {
  /** A Write whose client sends nothing for this long while the daemon waits for it is ended (0: never). */
  writeIdleTimeoutMs: number;
  /** A RangeQuery or QueryIntersections whose client reads nothing for this long is ended (0: never). */
  readIdleTimeoutMs: number;
  /** Ping a connection after this long without activity (HTTP/2 PING); 0 turns keepalive off. */
  keepaliveTimeMs: number;
  /** Drop a connection whose ping is not answered within this long. */
  keepaliveTimeoutMs: number;
  /** Largest gRPC message received or sent, in bytes. */
  maxMessageBytes: number;
  /** Streams (calls) open at once on one connection; more wait in the client (HTTP/2 SETTINGS). */
  maxConcurrentStreams: number;
  /** Keys one QueryIntersections may name. */
  maxIntersectionKeys: number;
  /** Writes merging at once in the whole store; more wait for a slot before their rows are read. */
  maxConcurrentWrites: number;
}

export const DEFAULT_SERVING_LIMITS: Readonly<ServingLimits> = Object.freeze({
  writeIdleTimeoutMs: 30_000,
  readIdleTimeoutMs: 5 * 60_000,
  // A minute: a dead peer (cable pulled, host gone) is noticed within about 80 s, at one small frame per minute.
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  maxMessageBytes: 64 * 1024 * 1024,
  // Enough for a client's parallel queries; bounds what one connection can pin (generations, buffers).
  maxConcurrentStreams: 100,
  maxIntersectionKeys: 1_000,
  // Each write holds up to a merge window of rows and Parquet buffers: a few at a time keep memory bounded.
  maxConcurrentWrites: 16,
});

/** The limits given, over the defaults (an undefined one keeps its default). */
export function servingLimits(given: Partial<ServingLimits> = {}): ServingLimits {
  const limits = { ...DEFAULT_SERVING_LIMITS };
  for (const [name, value] of Object.entries(given) as [keyof ServingLimits, number | undefined][]) {
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}

/**
 * Bounds of `--max-message-mb`: the SDK's and the CLI's Write chunks (about 4 MiB, a little more when one batch is
 * larger) must fit; grpc-js keeps lengths in 32-bit integers.
 */
export const MIN_MAX_MESSAGE_MB = 8;
export const MAX_MAX_MESSAGE_MB = 1024;

/** Flags of these settings (strings, as parseArgs gives them). */
export interface ServingLimitFlags {
  "write-idle-timeout"?: string | undefined;
  "read-idle-timeout"?: string | undefined;
  "keepalive-time"?: string | undefined;
  "keepalive-timeout"?: string | undefined;
  "max-message-mb"?: string | undefined;
  "max-concurrent-streams"?: string | undefined;
  "max-intersection-keys"?: string | undefined;
  "max-concurrent-writes"?: string | undefined;
}

/** The parseArgs options of these flags, for `oups serve`. */
export const servingLimitOptions = {
  "write-idle-timeout": { type: "string" },
  "read-idle-timeout": { type: "string" },
  "keepalive-time": { type: "string" },
  "keepalive-timeout": { type: "string" },
  "max-message-mb": { type: "string" },
  "max-concurrent-streams": { type: "string" },
  "max-intersection-keys": { type: "string" },
  "max-concurrent-writes": { type: "string" },
} as const;

/** The environment variable of a flag: `max-message-mb` → OUPS_MAX_MESSAGE_MB. */
function envOf(flag: keyof ServingLimitFlags): string {
  return `OUPS_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** Resolves each setting from its flag, then its environment variable (OUPS_WRITE_IDLE_TIMEOUT, …), then its default. */
export function resolveServingLimits(flags: ServingLimitFlags, env: NodeJS.ProcessEnv = process.env): ServingLimits {
  const read = (flag: keyof ServingLimitFlags) => {
    const value = flags[flag] ?? env[envOf(flag)];
    return value === undefined ? undefined : { value, source: `--${flag} (${envOf(flag)})` };
  };
  const duration = (flag: keyof ServingLimitFlags, fallback: number) => {
    const given = read(flag);
    return given ? parseDuration(given.value, given.source) : fallback;
  };
  const count = (flag: keyof ServingLimitFlags, fallback: number, min = 1, max = 2 ** 31 - 1) => {
    const given = read(flag);
    if (!given) return fallback;
    const n = Number(given.value);
    if (given.value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new OupsError("INVALID_ARGUMENT", `${given.source} must be a whole number from ${min} to ${max}, got ${JSON.stringify(given.value)}`);
    }
    return n;
  };
  const d = DEFAULT_SERVING_LIMITS;
  const keepaliveTimeoutMs = duration("keepalive-timeout", d.keepaliveTimeoutMs);
  if (keepaliveTimeoutMs === 0) throw new OupsError("INVALID_ARGUMENT", "--keepalive-timeout (OUPS_KEEPALIVE_TIMEOUT) must be more than 0 (turn keepalive off with --keepalive-time 0)");
  return {
    writeIdleTimeoutMs: duration("write-idle-timeout", d.writeIdleTimeoutMs),
    readIdleTimeoutMs: duration("read-idle-timeout", d.readIdleTimeoutMs),
    keepaliveTimeMs: duration("keepalive-time", d.keepaliveTimeMs),
    keepaliveTimeoutMs,
    maxMessageBytes: count("max-message-mb", d.maxMessageBytes / 2 ** 20, MIN_MAX_MESSAGE_MB, MAX_MAX_MESSAGE_MB) * 2 ** 20,
    maxConcurrentStreams: count("max-concurrent-streams", d.maxConcurrentStreams),
    maxIntersectionKeys: count("max-intersection-keys", d.maxIntersectionKeys),
    maxConcurrentWrites: count("max-concurrent-writes", d.maxConcurrentWrites),
  };
}
