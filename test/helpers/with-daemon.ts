import type { ExecutionContext } from "ava";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OupsClient } from "../../client/src/index.js";
import type { IndexSchemaDescription, OupsClientOptions } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import type { VersionSettings } from "../../server/src/version-config.js";
import type { ServingLimits } from "../../server/src/serving-limits.js";
import type { Compression } from "../../server/src/store/io/compression.js";

/** What a test running against a daemon gets. */
export interface DaemonFixture {
  daemon: Daemon;
  client: OupsClient;
  storeDir: string;
}

/** How the fixture's daemon and client are set up. */
export interface DaemonTestOptions {
  /** The store's index schema; `null` leaves the store without one. Default: {@link testIndex}. */
  index?: IndexSchemaDescription | null;
  clientOptions?: OupsClientOptions;
  /** The daemon's idle timeouts and limits (small ones make stalled clients testable); the defaults otherwise. */
  limits?: Partial<ServingLimits>;
  /** The daemon's default codec (`oups serve --compression`); the engine's default otherwise. */
  compression?: Compression;
  /** Retention and leases (default: the daemon's, 10 generations and 24 h). */
  versions?: VersionSettings;
}

/** Keeps only the current generation: for tests that watch old files being deleted. */
export const noRetention: DaemonTestOptions = { versions: { retainGenerations: 0, retainForMs: 0 } };

/**
 * A client that reads slowly enough for the daemon to still be sending when a consumer stops: with Node's default
 * 64 KiB HTTP/2 window, a query larger than that cannot be buffered whole in the transport.
 */
export const slowReaderClient: DaemonTestOptions = { ...noRetention, clientOptions: { channelOptions: { "grpc-node.flow_control_window": 65_535 } } };

/** The index schema most tests use: `symbol-year/month`. */
export const testIndex: IndexSchemaDescription = {
  name: "TestIndex",
  fieldSeparator: "-",
  levels: [
    [
      { name: "symbol", type: "string" },
      { name: "year", type: "int" },
    ],
    [{ name: "month", type: "int" }],
  ],
};

/** Creates a temporary store directory, removed by {@link removeTempDir}. */
export async function makeTempDir(prefix = "oups-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs `body` with a temporary directory outside any store (for links out of it), removed afterwards. */
export async function withOutsideDir(body: (outside: string) => Promise<void>): Promise<void> {
  const outside = await makeTempDir("oups-outside-");
  try {
    await body(outside);
  } finally {
    await removeTempDir(outside);
  }
}

/**
 * Runs `body` against a real daemon on 127.0.0.1 (a free port) over a fresh temporary store, with a connected
 * client; everything is closed and removed afterwards, whatever happens. `index: null` leaves the store without a
 * schema.
 */
export async function withDaemon<T>(
  body: (fixture: DaemonFixture) => Promise<T>,
  options: DaemonTestOptions = {},
): Promise<T> {
  const storeDir = await makeTempDir();
  const index = options.index === undefined ? testIndex : options.index;
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: index ?? undefined, limits: options.limits, compression: options.compression, versions: options.versions });
  const client = new OupsClient(daemon.address, options.clientOptions);
  try {
    return await body({ daemon, client, storeDir });
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
  }
}

/** An ava implementation running against a fresh daemon (see {@link withDaemon}). */
export function daemonTest(
  body: (t: ExecutionContext, fixture: DaemonFixture) => Promise<void>,
  options?: DaemonTestOptions,
): (t: ExecutionContext) => Promise<void> {
  return (t) => withDaemon((fixture) => body(t, fixture), options);
}
