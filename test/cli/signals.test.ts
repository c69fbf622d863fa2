import type { ExecutionContext } from "ava";
import test from "ava";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RecordBatch } from "apache-arrow";
import { OupsClient } from "../../client/src/index.js";
import { LOCK_DIR } from "../../server/src/store/keys/layout.js";
import { exited, processesInGroup, waitForLine } from "../helpers/child-process.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";
import { marketBatch } from "../rpc/helpers/market-data.js";
import { MAIN } from "./run-cli.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const key = { symbol: "SIG", year: "2024", month: "1" };

interface Started {
  child: ChildProcess;
  storeDir: string;
  address: string;
  stderr: () => string;
}

/** Starts `command` in a process group of its own over a fresh store; `address` is the daemon's, from its log. */
async function startInGroup(t: ExecutionContext, command: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const storeDir = await makeTempDir("oups-signals-");
  t.teardown(() => removeTempDir(storeDir));
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OUPS_")));
  const child = spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...base, OUPS_STORE: storeDir, OUPS_LISTEN: "127.0.0.1:0", OUPS_INDEX: "symbol,year:int/month:int", ...env },
  });
  // Whatever happens, nothing of the group outlives the test.
  t.teardown(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const line = await waitForLine(child.stderr!, / serving store .* on \S+:\d+/);
  const address = / serving store .* on (\S+:\d+)/.exec(line)![1]!;
  return { child, storeDir, address, stderr: () => stderr };
}

async function lockExists(storeDir: string): Promise<boolean> {
  return stat(join(storeDir, LOCK_DIR)).then(
    () => true,
    () => false,
  );
}

/** After the process the test started has exited: nothing of its group is left, and the store is unlocked. */
async function assertNothingLeft(t: ExecutionContext, started: Started): Promise<void> {
  t.deepEqual(processesInGroup(started.child.pid!), [], "no process left in the group");
  t.false(await lockExists(started.storeDir), "the lock is released");
}

// npm's pre-start build would rewrite build/ under the other tests: run only the start script, as npm start does it.
const npmStart = ["npm", ["start", "--ignore-scripts", "--silent"]] as const;

test("SIGTERM to `npm start` stops the daemon: exit 0, no process left behind, lock released", async (t) => {
  const started = await startInGroup(t, npmStart[0], [...npmStart[1]]);
  t.true(await lockExists(started.storeDir));
  started.child.kill("SIGTERM");
  const { code } = await exited(started.child);
  t.is(code, 0, started.stderr());
  t.regex(started.stderr(), /SIGTERM received/);
  t.regex(started.stderr(), /oups stopped/);
  await assertNothingLeft(t, started);
});

test("SIGTERM to the process group of `npm start` stops the daemon gracefully", async (t) => {
  const started = await startInGroup(t, npmStart[0], [...npmStart[1]]);
  process.kill(-started.child.pid!, "SIGTERM");
  const { code } = await exited(started.child);
  t.is(code, 0, started.stderr());
  t.regex(started.stderr(), /oups stopped/);
  t.notRegex(started.stderr(), /cancelling/, "npm's forwarded copy of the signal does not force the stop");
  await assertNothingLeft(t, started);
});

test("SIGINT to `oups serve` stops it gracefully, letting a write in flight commit", async (t) => {
  const started = await startInGroup(t, process.execPath, [MAIN, "serve"]);
  const client = new OupsClient(started.address);
  t.teardown(() => client.close());
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let sent!: () => void;
  const firstSent = new Promise<void>((resolve) => {
    sent = resolve;
  });
  async function* slow(): AsyncGenerator<RecordBatch> {
    yield marketBatch(0, 100);
    sent();
    await released;
    yield marketBatch(100, 100);
  }
  const writing = client.write(key, slow(), { orderedOn: "timestamp" });
  await firstSent;
  // Answered on the same connection after the write's stream was opened: the daemon has the write by then.
  await t.throwsAsync(client.describe({ ...key, month: "2" }), { message: /no dataset/ });
  started.child.kill("SIGINT");
  await waitForLine(started.child.stderr!, /SIGINT received/).catch(() => undefined);
  release();
  t.is((await writing).totalRows, 200);
  const { code } = await exited(started.child);
  t.is(code, 0, started.stderr());
  await assertNothingLeft(t, started);
});

test("SIGTERM to the process group of `oups serve` stops it: exit 0, lock released", async (t) => {
  const started = await startInGroup(t, process.execPath, [MAIN, "serve"]);
  process.kill(-started.child.pid!, "SIGTERM");
  const { code } = await exited(started.child);
  t.is(code, 0, started.stderr());
  await assertNothingLeft(t, started);
});

test("SIGHUP does not stop `oups serve`", async (t) => {
  const started = await startInGroup(t, process.execPath, [MAIN, "serve"]);
  const logged = waitForLine(started.child.stderr!, /SIGHUP received/);
  started.child.kill("SIGHUP");
  await logged;
  const client = new OupsClient(started.address);
  t.teardown(() => client.close());
  t.is(await client.checkHealth(), "SERVING");
  t.is((await client.write(key, marketBatch(0, 3), { orderedOn: "timestamp" })).totalRows, 3);
  started.child.kill("SIGTERM");
  t.is((await exited(started.child)).code, 0, started.stderr());
  await assertNothingLeft(t, started);
});
