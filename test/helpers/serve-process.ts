import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { MAIN } from "../cli/run-cli.js";

/** One JSON log line of the daemon, as pino writes it. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** The start-up line's address, in either log format. */
const SERVING = / serving store .* on (\S+:\d+)/;

/** Longest wait for a log line: a hang guard only, generous for busy CI machines. */
const LINE_TIMEOUT_MS = 60_000;

/**
 * `oups serve ARGS` as a child process (no OUPS_* variables but those given), with its stderr collected line by
 * line. {@link stop} sends SIGTERM and waits for the exit.
 */
export class ServeProcess {
  readonly #child: ChildProcess;
  #stderr = "";
  readonly #exited: Promise<number | null>;
  #waiters: (() => void)[] = [];
  #address: string | undefined;

  /** Starts `oups serve ARGS` and resolves once it serves, its address read from its start-up line. */
  static async start(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ServeProcess> {
    const serve = new ServeProcess(args, env);
    try {
      serve.#address = SERVING.exec(await serve.waitForText((s) => SERVING.test(s)))![1]!;
    } catch (err) {
      serve.kill("SIGKILL");
      throw err;
    }
    return serve;
  }

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OUPS_")));
    this.#child = spawn(process.execPath, [MAIN, "serve", ...args], { env: { ...base, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    this.#child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      this.#stderr += text;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#exited = once(this.#child, "exit").then(([code]) => {
      for (const wake of this.#waiters.splice(0)) wake();
      return code as number | null;
    });
  }

  /** The address it listens on (once started by {@link ServeProcess.start}). */
  get address(): string {
    if (this.#address === undefined) throw new Error("the daemon was not started by ServeProcess.start");
    return this.#address;
  }

  /** Sends `signal` to the daemon. */
  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Everything written on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** The complete stderr lines so far, parsed as JSON (throws on a line that is not JSON). */
  get lines(): LogLine[] {
    return this.#stderr
      .split("\n")
      .slice(0, -1)
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Resolves with the first JSON line that `match` accepts, once it has been written; rejects if the daemon exits first. */
  async waitForLine(match: (line: LogLine) => boolean): Promise<LogLine> {
    const deadline = Date.now() + LINE_TIMEOUT_MS;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) throw new Error(`oups serve exited before the line came:\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`no such log line after ${LINE_TIMEOUT_MS} ms:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
    }
  }

  /** Resolves with the text written on stderr once `match` accepts it (for text logs). */
  async waitForText(match: (stderr: string) => boolean): Promise<string> {
    const deadline = Date.now() + LINE_TIMEOUT_MS;
    while (!match(this.#stderr)) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`oups serve never wrote what was expected:\n${this.#stderr}`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
    }
    return this.#stderr;
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGTERM");
    return this.#exited;
  }
}
