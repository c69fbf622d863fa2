import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServerInterceptor } from "@grpc/grpc-js";
import type { HealthImplementation } from "grpc-health-check";
import { DEFAULT_MAX_N_OFF_TARGET_RGS, manifestBytesFor, RECEIVE_WINDOW_BYTES } from "./config.js";
import type { ServingLimits } from "./serving-limits.js";
import { servingLimits } from "./serving-limits.js";
import { assertListenable, formatListenAddress, parseListenAddress } from "./listen-address.js";
import { LockRecovery } from "./lock-recovery.js";
import { log } from "./log.js";
import { DaemonMetrics } from "./metrics/daemon-metrics.js";
import { MetricsServer } from "./metrics/metrics-server.js";
import { callLog } from "./rpc/call-log.js";
import { observeCalls, observeRefusal } from "./rpc/call-observer.js";
import { toGrpcServiceDefinition } from "#shared/grpc/service-definition.js";
import { sendEncodedResponses } from "./rpc/encoded-response.js";
import { createAuthInterceptor } from "./rpc/access/auth-interceptor.js";
import { isLoopbackHost } from "./rpc/access/is-loopback.js";
import type { TlsFiles } from "./rpc/access/tls-credentials.js";
import { loadServerCredentials } from "./rpc/access/tls-credentials.js";
import { TokenRegistry } from "./rpc/access/token-registry.js";
import { StoreService } from "./rpc/contract.js";
import { readIdleTimeout } from "./rpc/read-idle-timeout.js";
import { raiseReceiveWindow } from "./rpc/receive-window.js";
import { serverOptions } from "./rpc/server-options.js";
import { addHealthAndReflection } from "./rpc/reflection.js";
import { toServiceError } from "./rpc/service-error.js";
import { createStoreService } from "./rpc/store-service.js";
import { implementService } from "./rpc/typed-service.js";
import type { MetadataLimits } from "./store/dataset/metadata-limits.js";
import type { IndexSchema } from "./store/keys/index-schema.js";
import { OupsError } from "./store/errors.js";
import type { Compression } from "./store/io/compression.js";
import { Store } from "./store/store.js";
import type { VersionSettings } from "./version-config.js";

/** The services whose health the daemon reports, besides the server's own (""). */
const SERVED_SERVICES = [StoreService.typeName];

/** Options of {@link Daemon.start}. */
export interface DaemonOptions {
  storeDir: string;
  /** host:port to listen on (the forms of {@link parseListenAddress}); port 0 picks a free one (see {@link Daemon.address}). */
  listen: string;
  indexSchema?: IndexSchema | undefined;
  /** Budget of the decoded row-group cache in bytes (0: none); the engine's default when undefined. */
  rowGroupCacheBytes?: number | undefined;
  /** Codec of row groups written by writes that name none; the engine's default when undefined. */
  compression?: Compression | undefined;
  /** Bounds on each dataset's metadata; the engine's defaults for those not given. */
  metadataLimits?: Partial<MetadataLimits> | undefined;
  /** Idle timeouts, keepalive and per-client limits; the defaults (serving-limits.ts) for those not given. */
  limits?: Partial<ServingLimits> | undefined;
  /** host:port where to serve Prometheus metrics at /metrics (see {@link Daemon.metricsAddress}); none when undefined. */
  metricsListen?: string | undefined;
  /** Serve over TLS with these PEM files (and require client certificates when a client CA is given). */
  tls?: TlsFiles | undefined;
  /** Require a bearer token from this file on every call but health (see rpc/access/token-file.ts). */
  authTokenFile?: string | undefined;
  /** How often the store lock is refreshed, in ms (1000 at least), hence how soon its loss is noticed; default 5000. */
  lockUpdateMs?: number | undefined;
  /** How often a lost store lock is tried again, in ms; default {@link DEFAULT_LOCK_RETRY_MS}. */
  lockRetryMs?: number | undefined;
  /** Retention of generations and file leases; the engine's defaults for what is not given. */
  versions?: VersionSettings | undefined;
}

/** How often a daemon that lost its store lock tries to take it again, unless told otherwise. */
export const DEFAULT_LOCK_RETRY_MS = 1000;

/**
 * The daemon: one store, served over gRPC with health and reflection.
 *
 * When the store lock is lost while serving, health turns NOT_SERVING and writes fail with UNAVAILABLE
 * (LOCK_COMPROMISED) while reads go on; the lock is tried again every `lockRetryMs`: once taken back, health is
 * SERVING again; if another live process holds it, the daemon stops and {@link failure} says why.
 */
export class Daemon {
  #stopping: Promise<void> | undefined;
  #recovery: LockRecovery | undefined;
  #fail: (err: OupsError) => void = () => {};

  /** Settles only if the daemon stopped by itself: another process took its store. */
  readonly failure: Promise<OupsError>;

  private constructor(
    readonly store: Store,
    private readonly server: Server,
    private readonly health: HealthImplementation,
    /** The address actually bound, with the real port. */
    readonly address: string,
    private readonly metrics?: { registry: DaemonMetrics; server: MetricsServer },
  ) {
    this.failure = new Promise((resolve) => {
      this.#fail = resolve;
    });
  }

  private setHealth(status: "SERVING" | "NOT_SERVING"): void {
    // The server as a whole ("") and each service: clients may watch either.
    for (const service of ["", ...SERVED_SERVICES]) this.health.setStatus(service, status);
  }

  /** The lock was lost: stop serving writes, and try to take it back. */
  private lockLost(retryMs: number): void {
    if (this.#stopping) return;
    this.setHealth("NOT_SERVING");
    this.#recovery ??= new LockRecovery(this.store, retryMs, {
      onRestored: () => {
        this.#recovery = undefined;
        if (!this.#stopping) this.setHealth("SERVING");
      },
      onTaken: (holder) => {
        const err = new OupsError("STORE_LOCKED", `lost the store lock to another process: ${holder.message}`);
        log.error(`${err.message}: stopping`);
        void this.stop().then(() => this.#fail(err));
      },
    });
    this.#recovery.start();
  }

  /** Where /metrics is served (the address bound, with the real port), or undefined without metrics. */
  get metricsAddress(): string | undefined {
    return this.metrics?.server.address;
  }
  /** The bearer tokens in force, when the daemon requires them. */
  private tokens: TokenRegistry | undefined;

  /** Opens the store (taking its lock), binds the server and starts serving. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    let server: Server | undefined;
    let metrics: { registry: DaemonMetrics; server: MetricsServer } | undefined;
    const listen = parseListenAddress(options.listen);
    const metricsListen = options.metricsListen === undefined ? undefined : parseListenAddress(options.metricsListen);
    // Before the store is opened: a daemon that cannot listen must not take the store's lock, even briefly.
    await assertListenable(listen);
    const limits = servingLimits(options.limits);
    if (metricsListen) await assertListenable(metricsListen);
    // Likewise for the access files: a typo in a path must not cost a lock, nor start an open daemon.
    const credentials = options.tls ? await loadServerCredentials(options.tls) : ServerCredentials.createInsecure();
    const tokens = options.authTokenFile === undefined ? undefined : await TokenRegistry.load(options.authTokenFile);
    const missing = [options.tls ? "" : "TLS", tokens ? "" : "tokens"].filter(Boolean).join(" and ");
    // The daemon does not exist yet when the store opens: a loss before it does is handed over once it does.
    let lostEarly = false;
    let lockLost: () => void = () => {
      lostEarly = true;
    };
    const store = await Store.open(options.storeDir, {
      indexSchema: options.indexSchema,
      onLockCompromised: (err) => {
        log.error("store lock compromised: health NOT_SERVING, refusing writes until it is taken again", err);
        lockLost();
      },
      lockUpdateMs: options.lockUpdateMs,
      defaultMaxNOffTargetRgs: DEFAULT_MAX_N_OFF_TARGET_RGS,
      rowGroupCacheBytes: options.rowGroupCacheBytes,
      defaultCompression: options.compression,
      metadataLimits: options.metadataLimits,
      maxManifestBytes: manifestBytesFor(limits.maxMessageBytes),
      maxConcurrentWrites: limits.maxConcurrentWrites,
      retention: { generations: options.versions?.retainGenerations, durationMs: options.versions?.retainForMs, durationAtMost: options.versions?.retainAtMost },
      leaseDurationMs: options.versions?.leaseDurationMs,
      maxLeaseDurationMs: options.versions?.maxLeaseDurationMs,
    });
    try {
      const registry = metricsListen ? new DaemonMetrics(store) : undefined;
      if (registry && metricsListen) metrics = { registry, server: await MetricsServer.start(metricsListen, registry.registry) };
      const observer = metrics ? observeCalls(callLog, metrics.registry) : callLog;
      // Calls refused for lack of access never reach a handler: the log and the metrics see them from here.
      const interceptors: ServerInterceptor[] = tokens ? [createAuthInterceptor(tokens, (refused) => observeRefusal(observer, refused))] : [];
      server = new Server({ ...serverOptions(limits), interceptors });
      // grpc-js's server copies each response into its frame as it serialises it, so one buffer serves them all.
      const definition = sendEncodedResponses(toGrpcServiceDefinition(StoreService, { reuseResponseBuffer: true }));
      const service = createStoreService(store, {
        writeIdleTimeoutMs: limits.writeIdleTimeoutMs,
        maxIntersectionKeys: limits.maxIntersectionKeys,
        maxMessageBytes: limits.maxMessageBytes,
      });
      server.addService(
        definition,
        implementService(StoreService, service, toServiceError, { responseIdleTimeout: readIdleTimeout(limits.readIdleTimeoutMs), observer }),
      );
      const health = addHealthAndReflection(server, SERVED_SERVICES);
      const port = await new Promise<number>((resolve, reject) =>
        server!.bindAsync(formatListenAddress(listen), credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
      if (!isLoopbackHost(listen.host) && missing !== "") {
        log.warn(
          `listening on ${listen.host}, reachable from other machines, without ${missing}: anyone who can connect ` +
            "may read or change the store (see --tls-cert, --tls-key and --auth-token-file)",
        );
      }
      if (!raiseReceiveWindow(server, RECEIVE_WINDOW_BYTES)) {
        log.warn("cannot raise the HTTP/2 receive window of this grpc-js version: writes will stream in 64 KiB windows");
      }
      const daemon = new Daemon(store, server, health, formatListenAddress({ host: listen.host, port }), metrics);
      daemon.tokens = tokens;
      lockLost = () => daemon.lockLost(options.lockRetryMs ?? DEFAULT_LOCK_RETRY_MS);
      if (lostEarly) lockLost();
      return daemon;
    } catch (err) {
      server?.forceShutdown();
      metrics?.registry.close();
      await metrics?.server.close();
      await store.close();
      throw err;
    }
  }

  /**
   * Reads the token file again (on SIGHUP): calls from then on are checked against the new tokens. When the file
   * cannot be read or is malformed, the tokens in force stay so and the error is logged. Resolves to whether new
   * tokens were loaded.
   */
  async reloadTokens(): Promise<boolean> {
    if (!this.tokens) {
      log.info("no token file to reload: this daemon was started without --auth-token-file");
      return false;
    }
    try {
      await this.tokens.reload();
    } catch (err) {
      log.error(`token reload failed, the tokens loaded before stay in force: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    const { read, write } = this.tokens.counts;
    log.info(`tokens reloaded from ${this.tokens.file}: ${write} write, ${read} read`);
    return true;
  }

  /**
   * Stops accepting calls, lets calls in flight finish (or cancels them after `graceMs`), then releases the store.
   */
  stop(graceMs = 30_000): Promise<void> {
    this.#stopping ??= this.shutdown(graceMs);
    return this.#stopping;
  }

  /** Cancels the calls still running at once (a second signal during a slow stop); the stop then completes. */
  forceStop(): void {
    log.warn("cancelling the calls still running");
    this.server.forceShutdown();
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.setHealth("NOT_SERVING");
    await this.#recovery?.stop();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log.warn(`calls still running after ${graceMs} ms: cancelling them`);
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.metrics?.registry.close();
    await this.metrics?.server.close();
    await this.store.close();
  }
}

/**
 * Logs how the key index was built at open: how many keys, how long it took, and the heap it grew by. `oups serve`
 * logs it after its start-up line, which stays the first line an operator reads.
 */
export function logKeyIndexBuild(store: Store): void {
  const build = store.keyIndexBuild;
  if (build === undefined) {
    if (store.indexSchema) log.warn("key index not built at open: the first ListKeys builds it (and reports what failed)");
    return;
  }
  log.info(`key index: ${build.keys} keys in memory, built in ${build.ms.toFixed(0)} ms, heap +${(build.heapBytes / 2 ** 20).toFixed(1)} MiB${build.afterGc ? " after GC" : ""}`, {
    keyIndexKeys: build.keys,
    keyIndexBuildMs: Math.round(build.ms),
    keyIndexHeapBytes: build.heapBytes,
  });
}
