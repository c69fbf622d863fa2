import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsClient } from "../../client/src/index.js";
import type { OupsClientOptions } from "../../client/src/index.js";
import type { DaemonOptions } from "../../server/src/daemon.js";
import { Daemon } from "../../server/src/daemon.js";
import type { TestPki } from "./test-certificates.js";
import { makeTestPki } from "./test-certificates.js";
import { makeTempDir, removeTempDir, testIndex } from "./with-daemon.js";

/** What a test of a daemon with access control gets. */
export interface AccessFixture {
  daemon: Daemon;
  storeDir: string;
  /** A client of the daemon with these options, closed when the test ends. */
  connect(options?: OupsClientOptions): OupsClient;
}

/**
 * Runs `body` against a daemon on 127.0.0.1 (a free port) over a fresh store with the test index, started with
 * `options` (TLS files, token file); every client made by `connect` and the daemon are closed afterwards.
 */
export async function withAccessDaemon(
  options: Pick<DaemonOptions, "tls" | "authTokenFile">,
  body: (fixture: AccessFixture) => Promise<void>,
): Promise<void> {
  const storeDir = await makeTempDir();
  const clients: OupsClient[] = [];
  try {
    const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, ...options });
    try {
      await body({
        daemon,
        storeDir,
        connect: (clientOptions) => {
          const client = new OupsClient(daemon.address, clientOptions);
          clients.push(client);
          return client;
        },
      });
    } finally {
      for (const client of clients) client.close();
      await daemon.stop(5_000);
    }
  } finally {
    await removeTempDir(storeDir);
  }
}

let shared: Promise<TestPki> | undefined;

/** One test PKI per test file (the process), made on first use in a temporary directory. */
export function sharedTestPki(): Promise<TestPki> {
  shared ??= makeTempDir("oups-pki-").then(makeTestPki);
  return shared;
}

/** Writes a token file in `dir` and returns its path. */
export async function writeTokenFile(dir: string, lines: readonly string[], name = "tokens"): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  return file;
}

/** Removes the directory of {@link sharedTestPki}, if it was made (for `test.after.always`). */
export async function removeSharedTestPki(): Promise<void> {
  if (shared) await removeTempDir((await shared).dir);
}
