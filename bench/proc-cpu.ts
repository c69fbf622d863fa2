import { readFile, readdir } from "node:fs/promises";

/** CPU time a process used so far, in ms: its main thread's and all its threads' (Linux, /proc/PID/task/TID/stat). */
export interface ProcessCpu {
  mainMs: number;
  totalMs: number;
}

// utime and stime are in clock ticks: 100 per second on Linux (sysconf(_SC_CLK_TCK)).
const MS_PER_TICK = 10;

/** CPU time of process `pid` so far, split into its main thread and the whole process (workers, libuv, V8 threads). */
export async function processCpu(pid: number): Promise<ProcessCpu> {
  const main = await threadTicks(pid, pid);
  const total = await threadTicks(pid);
  return { mainMs: main * MS_PER_TICK, totalMs: total * MS_PER_TICK };
}

async function threadTicks(pid: number, tid?: number): Promise<number> {
  if (tid === undefined) return ticksOf(await readFile(`/proc/${pid}/stat`, "utf8"));
  const tids = (await readdir(`/proc/${pid}/task`)).filter((t) => Number(t) === tid);
  let ticks = 0;
  for (const t of tids) ticks += ticksOf(await readFile(`/proc/${pid}/task/${t}/stat`, "utf8").catch(() => ""));
  return ticks;
}

function ticksOf(stat: string): number {
  if (stat === "") return 0;
  // Fields after the command (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
