import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Resolves with the first line of `stream` matching `pattern` (the daemon's "serving" line, say); rejects at its end. */
export function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      const line = lines.find((l) => pattern.test(l));
      if (line !== undefined) {
        stream.off("data", onData).off("end", onEnd);
        resolve(line);
      }
    };
    const onEnd = () => reject(new Error(`stream ended without a line matching ${pattern}`));
    stream.on("data", onData).on("end", onEnd);
  });
}

/** Resolves with the exit code (or signal) of `child` once it has exited. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** The pids of the processes of process group `pgid` still running (zombies included), from /proc (Linux). */
export function processesInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "latin1");
    } catch {
      continue;
    }
    // Fields after the command name: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) pids.push(Number(name));
  }
  return pids;
}
