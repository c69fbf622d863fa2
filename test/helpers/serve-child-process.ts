import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { MAIN } from "../cli/run-cli.js";

/** `oups serve` running as a child process. */
export interface ServeChild {
  child: ChildProcess;
  /** The address it listens on, as its start-up line says. */
  address: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves once its stderr matches `pattern` (at once if it already does); rejects if it exits first. */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** Sends SIGTERM and resolves with its exit code once it has exited. */
  stop(): Promise<number | null>;
}

/** Longest a child may take to start or stop: a hang guard on a busy machine, not a timing assertion. */
const GUARD_MS = 60_000;

/**
 * Starts the built `oups serve ARGS` (with no OUPS_* variables but those of `env`) and resolves once it listens,
 * reading its address from the start-up line (so `--listen 127.0.0.1:0` works).
 */
export async function startServeChild(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ServeChild> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OUPS_")));
  const child = spawn(process.execPath, [MAIN, "serve", ...args], { env: { ...base, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const wake of waiters) wake();
  });
  const exited = once(child, "exit");
  const waitForStderr = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => done(new Error(`oups serve did not log ${pattern} in ${GUARD_MS} ms:\n${stderr}`)), GUARD_MS);
      const check = () => {
        if (pattern.test(stderr)) done();
      };
      const done = (err?: Error) => {
        clearTimeout(guard);
        waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      waiters.add(check);
      void exited.then(() => done(pattern.test(stderr) ? undefined : new Error(`oups serve exited (${child.exitCode}) before logging ${pattern}:\n${stderr}`)));
      check();
    });
  try {
    await waitForStderr(/serving store .* on \S+:\d+/);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  const address = /serving store .* on (\S+:\d+)/.exec(stderr)![1]!;
  return {
    child,
    address,
    stderr: () => stderr,
    waitForStderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const guard = setTimeout(() => child.kill("SIGKILL"), GUARD_MS);
      const [code] = (await exited) as [number | null];
      clearTimeout(guard);
      return code;
    },
  };
}
