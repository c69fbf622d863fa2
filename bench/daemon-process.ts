import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { peakRssBytes, rssBytes } from "./proc-memory.js";

/** Options of {@link DaemonProcess.start}. */
export interface DaemonProcessOptions {
  storeDir: string;
  /** Index spec of a new store, as `oups serve --index` takes it. */
  index: string;
  /** `oups serve --compression`; the daemon's default when absent. */
  compression?: string | undefined;
  /** When set, the daemon runs under `node --cpu-prof` and writes its profiles in this directory. */
  cpuProfileDir?: string | undefined;
  /** More `oups serve` flags. */
  extraArgs?: readonly string[] | undefined;
  /** The daemon's entry script (another build, for A/B runs); this build's server/src/main.js when absent. */
  mainScript?: string | undefined;
  /** Node flags of the daemon (V8 options, …), before the script. */
  nodeFlags?: readonly string[] | undefined;
  /** Runs the daemon under `node --expose-gc`, so that it measures its key index's heap after a full collection. */
  exposeGc?: boolean | undefined;
}

const mainScript = fileURLToPath(new URL("../server/src/main.js", import.meta.url));
const READY_LINE = / serving store .* on (\S+:\d+)/;
const LOG_TAIL_CHARS = 4000;

/**
 * An `oups serve` daemon running as a child process on 127.0.0.1 (a free port), as it runs in production: its
 * address comes from its own log line, its memory from /proc.
 */
export class DaemonProcess {
  #log = "";

  private constructor(
    private readonly child: ChildProcess,
    /** host:port the daemon listens on. */
    readonly address: string,
    log: string,
  ) {
    this.#log = log;
    child.stderr?.on("data", (chunk: Buffer) => this.#append(chunk.toString()));
  }

  /** Starts a daemon on `options.storeDir` and resolves once it serves (rejects with its log if it exits first). */
  static async start(options: DaemonProcessOptions): Promise<DaemonProcess> {
    const nodeFlags = [
      ...(options.nodeFlags ?? []),
      ...(options.cpuProfileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.cpuProfileDir]),
    ];
    if (options.exposeGc) nodeFlags.push("--expose-gc");
    const child = spawn(
      process.execPath,
      [...nodeFlags, options.mainScript ?? mainScript, "serve", "--store", options.storeDir, "--listen", "127.0.0.1:0", "--index", options.index,
        ...(options.compression === undefined ? [] : ["--compression", options.compression]), ...(options.extraArgs ?? [])],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    const address = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-LOG_TAIL_CHARS);
        const match = READY_LINE.exec(log);
        if (match) {
          child.stderr?.off("data", onData);
          child.off("exit", onExit);
          resolve(match[1]!);
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(new Error(`oups daemon exited (${signal ?? code}) before serving:\n${log}`));
      child.stderr?.on("data", onData);
      child.once("exit", onExit);
      child.once("error", reject);
    });
    return new DaemonProcess(child, address, log);
  }

  /** Process id of the daemon. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The last few KB of the daemon's log. */
  get logTail(): string {
    return this.#log;
  }

  /** Peak resident set size of the daemon so far (VmHWM), in bytes. */
  peakRssBytes(): Promise<number> {
    return peakRssBytes(this.pid);
  }

  /** Current resident set size of the daemon (VmRSS), in bytes. */
  rssBytes(): Promise<number> {
    return rssBytes(this.pid);
  }

  /** The first match of `pattern` in the log from now on or still in its tail, or undefined after `guardMs` (a hang guard). */
  async waitForLog(pattern: RegExp, guardMs = 30_000): Promise<RegExpExecArray | undefined> {
    const deadline = Date.now() + guardMs;
    for (;;) {
      const match = pattern.exec(this.#log);
      if (match || Date.now() > deadline || this.child.exitCode !== null) return match ?? undefined;
      const done = new AbortController();
      const { signal } = done;
      await Promise.race([once(this.child.stderr!, "data", { signal }), delay(Math.max(0, deadline - Date.now()), undefined, { signal })]).catch(() => undefined);
      done.abort();
    }
  }

  /** Stops the daemon with SIGTERM (it finishes calls in flight) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }

  #append(text: string): void {
    this.#log = (this.#log + text).slice(-LOG_TAIL_CHARS);
  }
}
