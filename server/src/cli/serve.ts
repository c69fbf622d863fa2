import { parseArgs } from "node:util";
import type { DaemonConfig } from "../config.js";
import { resolveDaemonConfig } from "../config.js";
import { Daemon } from "../daemon.js";
import { log } from "../log.js";
import { handleSignals } from "../signals.js";
import { OupsError } from "../store/errors.js";
import { parseIndexSpec } from "../store/keys/index-schema.js";

export const serveHelp = `Usage: oups serve [--store DIR] [--listen HOST:PORT] [--index SPEC] [--cache-mb N]
                  [--metadata-max-keys N] [--metadata-max-key-bytes N] [--metadata-max-value-bytes N]
                  [--metadata-max-bytes N] [--lock-update-ms N] [--lock-retry-ms N]

Runs the daemon: serves the store in DIR over gRPC until SIGINT or SIGTERM (a graceful stop: calls in flight
finish, exit 0; the same signal again a second or more later cancels them). SIGHUP does not stop it. Exits 1 when
another process takes the store (see README, "Running unattended").

  --store DIR         store directory (env OUPS_STORE, default ./oups-data)
  --listen HOST:PORT  address to listen on (env OUPS_LISTEN, default 127.0.0.1:50051): HOST:PORT,
                      [IPv6]:PORT, :PORT (every IPv4 interface, 0.0.0.0) or PORT (127.0.0.1)
  --index SPEC        index schema for a new store, e.g. "symbol,year:int/month:int" (env OUPS_INDEX)
  --cache-mb N        memory for decoded row groups that small range reads reuse (env OUPS_CACHE_MB,
                      default 128; 0 turns the cache off)
  --metadata-max-keys N         keys of a dataset's metadata at most (env OUPS_METADATA_MAX_KEYS, default 1000)
  --metadata-max-key-bytes N    UTF-8 bytes of a metadata key at most (env OUPS_METADATA_MAX_KEY_BYTES, default 256)
  --metadata-max-value-bytes N  UTF-8 bytes of a metadata value at most (env OUPS_METADATA_MAX_VALUE_BYTES,
                                default 65536)
  --metadata-max-bytes N        UTF-8 bytes of a dataset's metadata, keys and values, at most
                                (env OUPS_METADATA_MAX_BYTES, default 1048576; 8388608 at most)
  --lock-update-ms N  how often the store lock is refreshed, hence how soon its loss is noticed
                      (env OUPS_LOCK_UPDATE_MS, default 5000; 1000 at least)
  --lock-retry-ms N   how often a lost store lock is tried again (env OUPS_LOCK_RETRY_MS, default 1000)`;

/** `oups serve`: runs the daemon until a signal stops it. */
export async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: "string" },
      listen: { type: "string" },
      index: { type: "string" },
      "cache-mb": { type: "string" },
      "metadata-max-keys": { type: "string" },
      "metadata-max-key-bytes": { type: "string" },
      "metadata-max-value-bytes": { type: "string" },
      "metadata-max-bytes": { type: "string" },
      "lock-update-ms": { type: "string" },
      "lock-retry-ms": { type: "string" },
    },
  });
  const config = resolveDaemonConfig(values);
  // Installed before the store is opened: a signal during start-up stops the daemon as soon as it has started.
  let stopRequested!: (signal: NodeJS.Signals) => void;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    stopRequested = resolve;
  });
  let daemon: Daemon | undefined;
  const removeSignalHandlers = handleSignals({
    onStop: (signal) => {
      log.info(`${signal} received: finishing calls in flight, then stopping`);
      stopRequested(signal);
    },
    onForceStop: (signal) => {
      log.warn(`${signal} received again: cancelling calls in flight`);
      daemon?.forceStop();
    },
    // Hook for what a reload covers; today nothing, and the daemon keeps serving.
    onReload: () => log.info("SIGHUP received: nothing to reload"),
  });
  try {
    daemon = await startDaemon(config);
    log.info(`oups serving store ${daemon.store.dir} on ${daemon.address}`);
    const outcome = await Promise.race([stopSignal, daemon.failure]);
    await daemon.stop();
    if (outcome instanceof OupsError) throw outcome;
    log.info("oups stopped");
  } finally {
    removeSignalHandlers();
  }
}

function startDaemon(config: DaemonConfig): Promise<Daemon> {
  return Daemon.start({
    storeDir: config.storeDir,
    listen: config.listen,
    indexSchema: config.indexSpec ? parseIndexSpec(config.indexSpec) : undefined,
    rowGroupCacheBytes: config.cacheMiB === undefined ? undefined : config.cacheMiB * 1024 * 1024,
    metadataLimits: config.metadataLimits,
    lockUpdateMs: config.lockUpdateMs,
    lockRetryMs: config.lockRetryMs,
  });
}
