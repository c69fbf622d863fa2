import { readFile } from "node:fs/promises";

/** Peak resident set size of process `pid` so far (VmHWM of /proc/PID/status), in bytes. */
export function peakRssBytes(pid: number): Promise<number> {
  return statusBytes(pid, "VmHWM");
}

/** Current resident set size of process `pid` (VmRSS of /proc/PID/status), in bytes. */
export function rssBytes(pid: number): Promise<number> {
  return statusBytes(pid, "VmRSS");
}

async function statusBytes(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
