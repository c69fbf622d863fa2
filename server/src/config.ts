import { formatListenAddress, parseListenAddress } from "./listen-address.js";
import type { LogFormat, LogLevel } from "./log-settings.js";
import { DEFAULT_LOG_LEVEL, parseLogFormat, parseLogLevel } from "./log-settings.js";
import type { AccessConfig, AccessFlags } from "./rpc/access/access-config.js";
import { resolveAccessConfig } from "./rpc/access/access-config.js";
import type { LockTimings } from "./lock-config.js";
import { parseLockTimings } from "./lock-config.js";
import type { MetadataLimits } from "./store/dataset/metadata-limits.js";
import { OupsError } from "./store/errors.js";
import type { Compression } from "./store/io/compression.js";
import { optionalCompression, parseCompressionFlag } from "./compression-flag.js";
import type { ServingLimitFlags, ServingLimits } from "./serving-limits.js";
import { DEFAULT_SERVING_LIMITS, resolveServingLimits } from "./serving-limits.js";
import type { VersionFlags, VersionSettings } from "./version-config.js";
import { parseVersionSettings } from "./version-config.js";

/** Where the daemon keeps its store and listens, unless told otherwise by flags or environment. */
export const DEFAULT_STORE_DIR = "./oups-data";
export const DEFAULT_LISTEN = "127.0.0.1:50051";

/**
 * Largest gRPC message accepted or sent, unless `--max-message-mb` says otherwise. Arrow chunks are a few MiB; the
 * margin lets clients send larger ones while still refusing a runaway message with RESOURCE_EXHAUSTED before it is
 * buffered whole.
 */
export const MAX_MESSAGE_BYTES = DEFAULT_SERVING_LIMITS.maxMessageBytes;

/**
 * Largest manifest a dataset may have (its row groups, schema and metadata) for a message limit: Describe sends all
 * of it in one message, whose protobuf form is at most about 1.5 times the manifest's JSON; a quarter of the
 * message limit keeps Describe far below it (see store/dataset/manifest-budget.ts).
 */
export function manifestBytesFor(maxMessageBytes: number): number {
  return Math.floor(maxMessageBytes / 4);
}

/** The manifest bound of the default message limit. */
export const MAX_MANIFEST_BYTES = manifestBytesFor(MAX_MESSAGE_BYTES);

/** HTTP/2 receive window of the daemon's connections (as the SDK's for its own): Write streams are not throttled. */
export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Writes that do not say otherwise coalesce runs of more than this many small row groups next to their rows, so
 * that a collector appending small batches does not leave thousands of tiny row groups (the rewrite this costs is
 * bounded by a few row groups).
 */
export const DEFAULT_MAX_N_OFF_TARGET_RGS = 2;

/** Settings of `oups serve`. */
export interface DaemonConfig extends LockTimings {
  storeDir: string;
  listen: string;
  /** Index schema spec used to initialise an empty store (`symbol,year/month`). */
  indexSpec?: string | undefined;
  /** Budget of the decoded row-group cache, in MiB (0 turns it off); the engine's default when undefined. */
  cacheMiB?: number | undefined;
  /** Codec of row groups written by writes that name none; the engine's default when undefined. */
  compression?: Compression | undefined;
  /** Bounds on each dataset's metadata given by flags or environment; the engine's defaults for the others. */
  metadataLimits: Partial<MetadataLimits>;
  /** Idle timeouts, keepalive and per-client limits (serving-limits.ts). */
  limits: ServingLimits;
  logLevel: LogLevel;
  /** undefined: text when stderr is a terminal, JSON otherwise. */
  logFormat?: LogFormat | undefined;
  /** host:port of the Prometheus endpoint; none when undefined. */
  metricsListen?: string | undefined;
  /** TLS files and token file (see rpc/access/access-config.ts). */
  access: AccessConfig;
  /** Retention of generations and file leases (see version-config.ts). */
  versions: VersionSettings;
}

/** Flags of `oups serve` (strings, as parseArgs gives them). */
export interface DaemonFlags extends ServingLimitFlags, AccessFlags, VersionFlags {
  store?: string | undefined;
  listen?: string | undefined;
  index?: string | undefined;
  "cache-mb"?: string | undefined;
  compression?: string | undefined;
  "metadata-max-keys"?: string | undefined;
  "metadata-max-key-bytes"?: string | undefined;
  "metadata-max-value-bytes"?: string | undefined;
  "metadata-max-bytes"?: string | undefined;
  "log-level"?: string | undefined;
  "log-format"?: string | undefined;
  "metrics-listen"?: string | undefined;
  "lock-update-ms"?: string | undefined;
  "lock-retry-ms"?: string | undefined;
}

/** Each metadata limit: its flag (`--metadata-max-keys`) and environment variable (OUPS_METADATA_MAX_KEYS). */
const metadataLimitSources: readonly { limit: keyof MetadataLimits; flag: keyof DaemonFlags; env: string }[] = [
  { limit: "maxKeys", flag: "metadata-max-keys", env: "OUPS_METADATA_MAX_KEYS" },
  { limit: "maxKeyBytes", flag: "metadata-max-key-bytes", env: "OUPS_METADATA_MAX_KEY_BYTES" },
  { limit: "maxValueBytes", flag: "metadata-max-value-bytes", env: "OUPS_METADATA_MAX_VALUE_BYTES" },
  { limit: "maxTotalBytes", flag: "metadata-max-bytes", env: "OUPS_METADATA_MAX_BYTES" },
];

/**
 * Resolves the daemon's settings: flags first, then OUPS_STORE / OUPS_LISTEN / OUPS_INDEX / OUPS_CACHE_MB / OUPS_COMPRESSION /
 * OUPS_METADATA_MAX_* / OUPS_LOG_LEVEL / OUPS_LOG_FORMAT / OUPS_METRICS_LISTEN / OUPS_TLS_* / OUPS_AUTH_TOKEN_FILE /
 * OUPS_LOCK_*,
 * then defaults.
 */
export function resolveDaemonConfig(flags: DaemonFlags, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const limits = resolveServingLimits(flags, env);
  return {
    storeDir: flags.store ?? env.OUPS_STORE ?? DEFAULT_STORE_DIR,
    listen: formatListenAddress(parseListenAddress(flags.listen ?? env.OUPS_LISTEN ?? DEFAULT_LISTEN)),
    indexSpec: flags.index ?? env.OUPS_INDEX,
    cacheMiB: parseCacheMiB(flags["cache-mb"] ?? env.OUPS_CACHE_MB),
    metadataLimits: parseMetadataLimits(flags, env, manifestBytesFor(limits.maxMessageBytes)),
    limits,
    logLevel: parseLogLevel(flags["log-level"] ?? env.OUPS_LOG_LEVEL) ?? DEFAULT_LOG_LEVEL,
    logFormat: parseLogFormat(flags["log-format"] ?? env.OUPS_LOG_FORMAT),
    metricsListen: parseMetricsListen(flags["metrics-listen"] ?? env.OUPS_METRICS_LISTEN),
    access: resolveAccessConfig(flags, env),
    versions: parseVersionSettings(flags, env),
    ...parseLockTimings(flags, env),
    // Only when given, as the lock timings: the engine keeps its default otherwise.
    ...optionalCompression(parseCompressionFlag(flags.compression ?? env.OUPS_COMPRESSION)),
  };
}

function parseMetadataLimits(flags: DaemonFlags, env: NodeJS.ProcessEnv, maxManifestBytes: number): Partial<MetadataLimits> {
  const limits: Partial<Record<keyof MetadataLimits, number>> = {};
  for (const { limit, flag, env: variable } of metadataLimitSources) {
    const value = flags[flag] ?? env[variable];
    if (value === undefined) continue;
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < 1) {
      throw new OupsError("INVALID_ARGUMENT", `--${flag} (${variable}) must be a positive whole number, got ${JSON.stringify(value)}`);
    }
    // Metadata past half the manifest bound would leave no room for the row groups Describe also lists.
    if (limit !== "maxKeys" && n > maxManifestBytes / 2) {
      throw new OupsError("INVALID_ARGUMENT", `--${flag} (${variable}) must be at most ${maxManifestBytes / 2} bytes (half the manifest bound of --max-message-mb), got ${value}`);
    }
    limits[limit] = n;
  }
  return limits;
}

function parseMetricsListen(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return formatListenAddress(parseListenAddress(value));
  } catch (err) {
    throw new OupsError("INVALID_ARGUMENT", `--metrics-listen (OUPS_METRICS_LISTEN): ${(err as Error).message}`, { cause: err });
  }
}

function parseCacheMiB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mib = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(mib) || mib < 0) {
    throw new OupsError("INVALID_ARGUMENT", `cache size must be a whole number of MiB (0 turns the cache off), got ${JSON.stringify(value)}`);
  }
  return mib;
}
