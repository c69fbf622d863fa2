import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

/** A V8 CPU profile, as `node --cpu-prof` writes it (the fields this module reads). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function (all its call-tree nodes added up). */
export interface SelfTime {
  functionName: string;
  /** script:line (1-based), or "" for V8's own entries like (garbage collector). */
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

/** Total and busy time of a profile, and its functions by decreasing self time. */
export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  functions: SelfTime[];
}

/** Adds up the self time of each function of `profile` (sample intervals), idle time aside. */
export function summarizeCpuProfile(profile: CpuProfile): ProfileSummary {
  const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<string, { functionName: string; location: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    // Each delta is the time since the previous sample: it belongs to the sample it precedes.
    const us = profile.timeDeltas[i] ?? 0;
    const frame = frameOf.get(id);
    const functionName = frame?.functionName || "(anonymous)";
    totalUs += us;
    if (functionName === "(idle)") {
      idleUs += us;
      return;
    }
    const location = frame?.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${functionName}@${location}`;
    const entry = selfUs.get(key) ?? { functionName, location, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
  });
  const busyUs = totalUs - idleUs;
  const functions = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .map(({ functionName, location, us }) => ({ functionName, location, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, functions };
}

/** The `top` heaviest functions of each profile in `pathOrDir` (a .cpuprofile file, or a folder of them), as text. */
export async function formatCpuProfiles(pathOrDir: string, top = 15): Promise<string> {
  const files = (await stat(pathOrDir)).isDirectory()
    ? (await readdir(pathOrDir)).filter((f) => f.endsWith(".cpuprofile")).sort().map((f) => join(pathOrDir, f))
    : [pathOrDir];
  const parts: string[] = [];
  for (const file of files) {
    const summary = summarizeCpuProfile(JSON.parse(await readFile(file, "utf8")) as CpuProfile);
    if (summary.busyMs < 1) continue;
    parts.push(
      `${basename(file)}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s`,
      ...summary.functions
        .slice(0, top)
        .map((f) => `  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.functionName}  ${f.location}`),
    );
  }
  return parts.join("\n");
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  const marker = ["/node_modules/", "/build/"].find((m) => path.includes(m));
  return marker === undefined ? path : path.slice(path.lastIndexOf(marker) + 1);
}

// Run directly: `node build/bench/cpu-profile.js FILE_OR_DIR [TOP]`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [target, top] = process.argv.slice(2);
  if (target === undefined) {
    process.stderr.write("usage: cpu-profile.js FILE.cpuprofile|DIR [TOP]\n");
    process.exitCode = 2;
  } else {
    process.stdout.write(`${await formatCpuProfiles(target, top === undefined ? 15 : Number(top))}\n`);
  }
}
