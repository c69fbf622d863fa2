import { availableParallelism, cpus, loadavg, platform, release, totalmem } from "node:os";

/** The machine a run measured, as the report states it. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  nodeVersion: string;
  /** Day of the run, YYYY-MM-DD (UTC). */
  date: string;
  /** 1-minute load average when the run started: above 0 means other processes shared the cores. */
  loadAverage: number;
}

/** Describes the machine this process runs on. */
export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
    memoryBytes: totalmem(),
    platform: `${platform()} ${release()}`,
    nodeVersion: process.versions.node,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: loadavg()[0] ?? 0,
  };
}
