import { parseArgs } from "node:util";
import { resolveDaemonConfig } from "../config.js";
import { Daemon } from "../daemon.js";
import { configureLog, log } from "../log.js";
import { defaultLogFormat } from "../log-settings.js";
import { startupLine } from "../startup-line.js";
import { parseIndexSpec } from "../store/keys/index-schema.js";

export const serveHelp = `Usage: oups serve [--store DIR] [--listen HOST:PORT] [--index SPEC] [--cache-mb N]
                  [--metadata-max-keys N] [--metadata-max-key-bytes N] [--metadata-max-value-bytes N]
                  [--metadata-max-bytes N] [--log-level LEVEL] [--log-format json|text]
                  [--metrics-listen HOST:PORT]

Runs the daemon: serves the store in DIR over gRPC until SIGINT or SIGTERM.

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
  --log-level LEVEL   trace, debug, info, warn, error, fatal or silent (env OUPS_LOG_LEVEL, default info);
                      info logs one line per call
  --log-format F      json (one object per line) or text (env OUPS_LOG_FORMAT; default text when stderr
                      is a terminal, json otherwise); logs go to stderr
  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (env OUPS_METRICS_LISTEN;
                      default off); same address forms as --listen`;

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
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      "metrics-listen": { type: "string" },
    },
  });
  const config = resolveDaemonConfig(values);
  configureLog({ level: config.logLevel, format: config.logFormat ?? defaultLogFormat() });
  const daemon = await Daemon.start({
    storeDir: config.storeDir,
    listen: config.listen,
    indexSchema: config.indexSpec ? parseIndexSpec(config.indexSpec) : undefined,
    rowGroupCacheBytes: config.cacheMiB === undefined ? undefined : config.cacheMiB * 1024 * 1024,
    metadataLimits: config.metadataLimits,
    metricsListen: config.metricsListen,
  });
  const startup = startupLine(daemon, { tls: false, auth: false });
  log.info(startup.message, startup.fields);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info(`${signal} received: finishing calls in flight, then stopping`);
      process.off("SIGINT", stop).off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
  await daemon.stop();
  log.info("oups stopped");
}
