import { parseArgs } from "node:util";
import { resolveDaemonConfig } from "../config.js";
import { Daemon } from "../daemon.js";
import { log } from "../log.js";
import { parseIndexSpec } from "../store/keys/index-schema.js";

export const serveHelp = `Usage: oups serve [--store DIR] [--listen HOST:PORT] [--index SPEC] [--cache-mb N]
                  [--metadata-max-keys N] [--metadata-max-key-bytes N] [--metadata-max-value-bytes N]
                  [--metadata-max-bytes N]
                  [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--auth-token-file FILE]

Runs the daemon: serves the store in DIR over gRPC until SIGINT or SIGTERM (SIGHUP reloads the token file).

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
  --tls-cert FILE        serve TLS with this PEM certificate (chain) (env OUPS_TLS_CERT); needs --tls-key
  --tls-key FILE         PEM private key of --tls-cert, unencrypted (env OUPS_TLS_KEY)
  --tls-client-ca FILE   require client certificates signed by this PEM CA (mTLS) (env OUPS_TLS_CLIENT_CA)
  --auth-token-file FILE require "authorization: Bearer TOKEN" on every call but health; FILE holds one
                         "TOKEN read" or "TOKEN write" per line, # comments allowed (env OUPS_AUTH_TOKEN_FILE);
                         reloaded on SIGHUP
Listening on an address other than loopback without both TLS and tokens logs a warning.`;

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
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-client-ca": { type: "string" },
      "auth-token-file": { type: "string" },
    },
  });
  const config = resolveDaemonConfig(values);
  const daemon = await Daemon.start({
    storeDir: config.storeDir,
    listen: config.listen,
    indexSchema: config.indexSpec ? parseIndexSpec(config.indexSpec) : undefined,
    rowGroupCacheBytes: config.cacheMiB === undefined ? undefined : config.cacheMiB * 1024 * 1024,
    metadataLimits: config.metadataLimits,
    tls: config.access.tls,
    authTokenFile: config.access.authTokenFile,
  });
  const reloadTokens = () => void daemon.reloadTokens();
  process.on("SIGHUP", reloadTokens);
  log.info(`oups serving store ${daemon.store.dir} on ${daemon.address}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info(`${signal} received: finishing calls in flight, then stopping`);
      process.off("SIGINT", stop).off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
  process.off("SIGHUP", reloadTokens);
  await daemon.stop();
  log.info("oups stopped");
}
