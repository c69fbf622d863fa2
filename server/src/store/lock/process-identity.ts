import { readFileSync } from "node:fs";

/**
 * What tells a process apart from a later one given the same pid: its start time in clock ticks after boot (field
 * 22 of `/proc/<pid>/stat`), and the boot it belongs to (`/proc/sys/kernel/random/boot_id`). Linux only: elsewhere
 * both are null and a process is known by its pid alone.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: string | null;
  bootId: string | null;
}

/** Where a process stands, as far as `/proc` and `kill(pid, 0)` can tell. */
export type ProcessState = "running" | "gone" | "unknown";

/** The identity of the running process. */
export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startTime: readStat(process.pid)?.startTime ?? null, bootId: readBootId() };
}

/**
 * Whether the process `identity` names is still running: "gone" only when that is certain (another boot, no such
 * pid, a zombie, or the pid now belongs to a process started at another time).
 */
export function processState(identity: ProcessIdentity): ProcessState {
  const bootId = readBootId();
  if (identity.bootId !== null && bootId !== null && identity.bootId !== bootId) return "gone";
  try {
    process.kill(identity.pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // EPERM: the pid exists, owned by another user.
    if (code === "ESRCH") return "gone";
    if (code !== "EPERM") return "unknown";
  }
  if (identity.startTime === null) return "running";
  const stat = readStat(identity.pid);
  if (stat === undefined) return process.platform === "linux" ? "gone" : "running";
  // A zombie holds no lock: it is dead, only not yet reaped by its parent.
  if (stat.state === "Z" || stat.state === "X") return "gone";
  return stat.startTime === identity.startTime ? "running" : "gone";
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself: count from the last one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  return state !== undefined && startTime !== undefined ? { state, startTime } : undefined;
}

let bootIdCache: string | null | undefined;

function readBootId(): string | null {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache;
}
