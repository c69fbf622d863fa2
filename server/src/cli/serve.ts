import { parseArgs } from "node:util";
import type { DaemonConfig } from "../config.js";
import { resolveDaemonConfig } from "../config.js";
import { Daemon, logKeyIndexBuild } from "../daemon.js";
import { configureLog, log } from "../log.js";
import { defaultLogFormat } from "../log-settings.js";
import { startupLine } from "../startup-line.js";
import { servingLimitOptions } from "../serving-limits.js";
import { handleSignals } from "../signals.js";
import { OupsError } from "../store/errors.js";
import { parseIndexSpec } from "../store/keys/index-schema.js";
import { versionFlagOptions, versionFlagsHelp } from "../version-config.js";

export const serveHelp = `Usage: oups serve [--store DIR] [--listen HOST:PORT] [--index SPEC] [--cache-mb N]
                  [--compression CODEC]
                  [--metadata-max-keys N] [--metadata-max-key-bytes N] [--metadata-max-value-bytes N]
                  [--metadata-max-bytes N] [--write-idle-timeout DURATION] [--read-idle-timeout DURATION]
                  [--keepalive-time DURATION] [--keepalive-timeout DURATION] [--max-message-mb N]
                  [--max-concurrent-streams N] [--max-intersection-keys N] [--max-concurrent-writes N]
                  [--log-level LEVEL] [--log-format json|text] [--metrics-listen HOST:PORT]
                  [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--auth-token-file FILE]
                  [--lock-update-ms N] [--lock-retry-ms N] [--retain-generations N] [--retain-for DURATION]
                  [--retain-at-most N] [--lease-duration DURATION] [--max-lease-duration DURATION]

Runs the daemon: serves the store in DIR over gRPC until SIGINT or SIGTERM (a graceful stop: calls in flight
finish, exit 0; the same signal again a second or more later cancels them). SIGHUP reloads the token file. Exits 1 when
another process takes the store (see the README, "Running unattended").

  --store DIR         store directory (env OUPS_STORE, default ./oups-data)
  --listen HOST:PORT  address to listen on (env OUPS_LISTEN, default 127.0.0.1:50051): HOST:PORT,
                      [IPv6]:PORT, :PORT (every IPv4 interface, 0.0.0.0) or PORT (127.0.0.1)
  --index SPEC        index schema for a new store, e.g. "symbol,year:int/month:int" (env OUPS_INDEX)
  --cache-mb N        memory for decoded row groups that small range reads reuse (env OUPS_CACHE_MB,
                      default 128; 0 turns the cache off)
  --compression CODEC Parquet codec of the row groups of writes that name none: lz4 (LZ4_RAW), snappy,
                      zstd, gzip, brotli or none (env OUPS_COMPRESSION, default snappy)
  --metadata-max-keys N         keys of a dataset's metadata at most (env OUPS_METADATA_MAX_KEYS, default 1000)
  --metadata-max-key-bytes N    UTF-8 bytes of a metadata key at most (env OUPS_METADATA_MAX_KEY_BYTES, default 256)
  --metadata-max-value-bytes N  UTF-8 bytes of a metadata value at most (env OUPS_METADATA_MAX_VALUE_BYTES,
                                default 65536)
  --metadata-max-bytes N        UTF-8 bytes of a dataset's metadata, keys and values, at most
                                (env OUPS_METADATA_MAX_BYTES, default 1048576; at most an eighth of
                                --max-message-mb, 8388608 by default)

Stalled clients and limits (a DURATION is 500ms, 30s, 5m, 1h or a number of seconds; 0 turns a timeout off):
  --write-idle-timeout DURATION  end a Write whose client sends nothing for this long while the daemon waits
                                 for it, with DEADLINE_EXCEEDED; nothing is committed and its key is freed
                                 (env OUPS_WRITE_IDLE_TIMEOUT, default 30s)
  --read-idle-timeout DURATION   end a RangeQuery or QueryIntersections whose client reads nothing for this
                                 long, with DEADLINE_EXCEEDED, releasing the files it holds
                                 (env OUPS_READ_IDLE_TIMEOUT, default 5m)
  --keepalive-time DURATION      ping each connection after this long without activity, to notice dead peers
                                 (env OUPS_KEEPALIVE_TIME, default 60s; 0 never pings)
  --keepalive-timeout DURATION   drop a connection whose ping is not answered within this long
                                 (env OUPS_KEEPALIVE_TIMEOUT, default 20s)
  --max-message-mb N             largest gRPC message received or sent, in MiB; larger ones are refused with
                                 RESOURCE_EXHAUSTED (env OUPS_MAX_MESSAGE_MB, default 64, from 8 to 1024)
  --max-concurrent-streams N     calls open at once on one connection; more wait in the client
                                 (env OUPS_MAX_CONCURRENT_STREAMS, default 100)
  --max-intersection-keys N      keys one QueryIntersections may name; more are refused with
                                 RESOURCE_EXHAUSTED (env OUPS_MAX_INTERSECTION_KEYS, default 1000)
  --max-concurrent-writes N      writes merging at once in the whole store; more wait for a slot before their
                                 rows are read (env OUPS_MAX_CONCURRENT_WRITES, default 16)

Logs and metrics:
  --log-level LEVEL   trace, debug, info, warn, error, fatal or silent (env OUPS_LOG_LEVEL, default info);
                      info logs one line per call
  --log-format F      json (one object per line) or text (env OUPS_LOG_FORMAT; default text when stderr
                      is a terminal, json otherwise); logs go to stderr
  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (env OUPS_METRICS_LISTEN;
                      default off); same address forms as --listen

Access:
  --tls-cert FILE        serve TLS with this PEM certificate (chain) (env OUPS_TLS_CERT); needs --tls-key
  --tls-key FILE         PEM private key of --tls-cert, unencrypted (env OUPS_TLS_KEY)
  --tls-client-ca FILE   require client certificates signed by this PEM CA (mTLS) (env OUPS_TLS_CLIENT_CA)
  --auth-token-file FILE require "authorization: Bearer TOKEN" on every call but health; FILE holds one
                         "TOKEN read" or "TOKEN write" per line, # comments allowed (env OUPS_AUTH_TOKEN_FILE);
                         reloaded on SIGHUP
Listening on an address other than loopback without both TLS and tokens logs a warning.

Store lock:
  --lock-update-ms N  how often the store lock is refreshed, hence how soon its loss is noticed
                      (env OUPS_LOCK_UPDATE_MS, default 5000; 1000 at least)
  --lock-retry-ms N   how often a lost store lock is tried again (env OUPS_LOCK_RETRY_MS, default 1000)

${versionFlagsHelp}`;

/** `oups serve`: runs the daemon until a signal stops it. */
export async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: "string" },
      listen: { type: "string" },
      index: { type: "string" },
      "cache-mb": { type: "string" },
      compression: { type: "string" },
      "metadata-max-keys": { type: "string" },
      "metadata-max-key-bytes": { type: "string" },
      "metadata-max-value-bytes": { type: "string" },
      "metadata-max-bytes": { type: "string" },
      ...servingLimitOptions,
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      "metrics-listen": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-client-ca": { type: "string" },
      "auth-token-file": { type: "string" },
      "lock-update-ms": { type: "string" },
      "lock-retry-ms": { type: "string" },
      ...versionFlagOptions,
    },
  });
  const config = resolveDaemonConfig(values);
  configureLog({ level: config.logLevel, format: config.logFormat ?? defaultLogFormat() });
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
    onReload: () => {
      log.info("SIGHUP received: reloading the token file");
      void daemon?.reloadTokens();
    },
  });
  try {
    daemon = await startDaemon(config);
    const startup = startupLine(daemon, { tls: config.access.tls !== undefined, auth: config.access.authTokenFile !== undefined });
    log.info(startup.message, startup.fields);
    logKeyIndexBuild(daemon.store);
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
    compression: config.compression,
    metadataLimits: config.metadataLimits,
    limits: config.limits,
    metricsListen: config.metricsListen,
    tls: config.access.tls,
    authTokenFile: config.access.authTokenFile,
    lockUpdateMs: config.lockUpdateMs,
    lockRetryMs: config.lockRetryMs,
    versions: config.versions,
  });
}
