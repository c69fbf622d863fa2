import { formatListenAddress, parseListenAddress } from "./listen-address.js";
import { OupsError } from "./store/errors.js";

/** Where the daemon keeps its store and listens, unless told otherwise by flags or environment. */
export const DEFAULT_STORE_DIR = "./oups-data";
export const DEFAULT_LISTEN = "127.0.0.1:50051";

/**
 * Largest gRPC message accepted or sent. Arrow chunks are a few MiB; the margin lets clients send larger ones
 * while still refusing a runaway message with RESOURCE_EXHAUSTED before it is buffered whole.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** HTTP/2 receive window of the daemon's connections (as the SDK's for its own): Write streams are not throttled. */
export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Writes that do not say otherwise coalesce runs of more than this many small row groups next to their rows, so
 * that a collector appending small batches does not leave thousands of tiny row groups (the rewrite this costs is
 * bounded by a few row groups).
 */
export const DEFAULT_MAX_N_OFF_TARGET_RGS = 2;

/** Settings of `oups serve`. */
export interface DaemonConfig {
  storeDir: string;
  listen: string;
  /** Index schema spec used to initialise an empty store (`symbol,year/month`). */
  indexSpec?: string | undefined;
  /** Budget of the decoded row-group cache, in MiB (0 turns it off); the engine's default when undefined. */
  cacheMiB?: number | undefined;
}

/** Resolves the daemon's settings: flags first, then OUPS_STORE / OUPS_LISTEN / OUPS_INDEX / OUPS_CACHE_MB, then defaults. */
export function resolveDaemonConfig(
  flags: { store?: string | undefined; listen?: string | undefined; index?: string | undefined; "cache-mb"?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): DaemonConfig {
  return {
    storeDir: flags.store ?? env.OUPS_STORE ?? DEFAULT_STORE_DIR,
    listen: formatListenAddress(parseListenAddress(flags.listen ?? env.OUPS_LISTEN ?? DEFAULT_LISTEN)),
    indexSpec: flags.index ?? env.OUPS_INDEX,
    cacheMiB: parseCacheMiB(flags["cache-mb"] ?? env.OUPS_CACHE_MB),
  };
}

function parseCacheMiB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mib = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(mib) || mib < 0) {
    throw new OupsError("INVALID_ARGUMENT", `cache size must be a whole number of MiB (0 turns the cache off), got ${JSON.stringify(value)}`);
  }
  return mib;
}
