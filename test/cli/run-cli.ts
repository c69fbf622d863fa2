import type { ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";

/** What a run of the `oups` command gave. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI entry point (tests run from build/test/cli/). */
export const MAIN = fileURLToPath(new URL("../../server/src/main.js", import.meta.url));

/** Longest a run may take: generous, since CI machines are busy; a hung CLI fails the test rather than the run. */
const RUN_TIMEOUT_MS = 60_000;

/** Children running at once: each loads Node, gRPC and Arrow, and ava starts every test of a file together. */
const MAX_RUNNING = 4;
let running = 0;
const waiting: (() => void)[] = [];

/**
 * Runs `oups ARGS` as a child process, with no OUPS_* variables but those given, and resolves with its exit code
 * and output whatever the code.
 */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  // A finishing run hands its slot straight to the next waiting one, so that no newcomer slips in between.
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await spawnCli(args, env);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OUPS_")));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...base, ...env }, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new Error(`oups ${args.join(" ")} did not finish: ${err.message}\n${stderr}`, { cause: err }));
          return;
        }
        resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** A temporary directory for a CLI test's files, removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await makeTempDir("oups-cli-");
  t.teardown(() => removeTempDir(dir));
  return dir;
}
