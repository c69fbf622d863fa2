/**
 * The benchmark suite (`npm run bench -- [options]`): compares the daemon, run as a child process, with the
 * anchors named in each phase, prints the table on stdout, writes it to bench/results/latest.json and, after a
 * complete run, into the `## Benchmarks` section of README.md. It prints figures; it never fails on a time.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Phase } from "./bench-config.js";
import { PHASES, benchUsage, parseBenchConfig } from "./bench-config.js";
import type { BenchContext } from "./bench-context.js";
import { formatCpuProfiles } from "./cpu-profile.js";
import { generateMarketColumns } from "./data.js";
import { benchIngest } from "./ingest.js";
import { benchKeys } from "./keys.js";
import { benchManyKeys } from "./many-keys.js";
import { describeMachine } from "./machine.js";
import { collectGarbage, now, progress } from "./measure.js";
import { benchMemory } from "./memory.js";
import { benchPythonSdk } from "./python-sdk.js";
import { benchVersions } from "./versions.js";
import { benchRangeQuery } from "./range-query.js";
import type { BenchResults } from "./report.js";
import { formatReport, replaceReadmeSection, writeResultsJson } from "./report.js";
import { benchTransport } from "./transport.js";
import { benchUpdate } from "./update.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const resultsFile = join(repoRoot, "bench", "results", "latest.json");
const readmeFile = join(repoRoot, "README.md");
const README_INTRO =
  "`npm run bench` (options: `npm run bench -- --help`) rewrites this section after a complete, unprofiled run. The daemon runs as a " +
  "child process on 127.0.0.1; each anchor is the best the same machine does without oups. Targets are aims displayed " +
  "beside the ratios, never asserted. Full results: `bench/results/latest.json`.";

const runners: Record<Phase, (context: BenchContext) => Promise<void>> = {
  ingest: benchIngest,
  update: benchUpdate,
  range: benchRangeQuery,
  transport: benchTransport,
  memory: benchMemory,
  keys: benchKeys,
  "many-keys": benchManyKeys,
  python: benchPythonSdk,
  versions: benchVersions,
};

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${benchUsage}\n`);
    return 0;
  }
  const config = parseBenchConfig(args);
  const started = now();
  const machine = describeMachine();
  if ((globalThis as { gc?: unknown }).gc === undefined) progress("warning: run node with --expose-gc to collect garbage between phases");

  const generatedRows = Math.max(config.phases.has("ingest") || config.phases.has("versions") ? config.rows : 1, config.phases.has("memory") ? config.memoryRows : 1);
  progress(`generating ${generatedRows.toLocaleString("en-US")} rows of synthetic market data`);
  const context: BenchContext = {
    config,
    columns: generateMarketColumns(0, generatedRows),
    tempRoot: await mkdtemp(join(tmpdir(), "oups-bench-")),
    profileDir: config.cpuProfile === undefined ? "" : await mkdtemp(join(tmpdir(), `oups-bench-profile-${config.cpuProfile}-`)),
    rows: [],
    notes: [],
  };
  let failure: unknown;
  try {
    for (const phase of PHASES) {
      if (!config.phases.has(phase)) continue;
      collectGarbage();
      await runners[phase](context);
    }
  } catch (err) {
    failure = err;
  } finally {
    await rm(context.tempRoot, { recursive: true, force: true });
  }

  const loadAtEnd = loadavg()[0] ?? 0;
  if (Math.max(machine.loadAverage, loadAtEnd) >= 0.5) {
    context.notes.push(
      `Load average ${machine.loadAverage.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end: other processes shared the ${machine.cores} cores, so times are noisy.`,
    );
  }
  const complete = failure === undefined && config.phases.size === PHASES.length;
  if (config.cpuProfile !== undefined) {
    context.notes.push(`The ${config.cpuProfile} daemon ran under node --cpu-prof: its figures are slowed by the profiler.`);
  }
  const results: BenchResults = {
    machine,
    config: { ...config, phases: [...config.phases], args: args.join(" ") },
    rows: context.rows,
    notes: context.notes,
    durationSeconds: (now() - started) / 1000,
  };
  const report = formatReport(results);
  process.stdout.write(`\n${report}\n`);
  if (failure !== undefined) {
    process.stderr.write(`\nbenchmark failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
    return 1;
  }
  // The saved results and the README always show one complete, unprofiled run, never a mix.
  if (complete && config.cpuProfile === undefined) {
    await writeResultsJson(resultsFile, results);
    progress(`results written to ${resultsFile}`);
    if (config.updateReadme) {
      await replaceReadmeSection(readmeFile, `${README_INTRO}\n\n${report}`);
      progress("README.md: Benchmarks section replaced");
    }
  } else {
    progress(`partial or profiled run: ${resultsFile} and README.md left as they were`);
  }
  if (config.cpuProfile !== undefined) {
    process.stdout.write(`\nCPU profiles of the ${config.cpuProfile} daemon (${context.profileDir}), top self time:\n`);
    process.stdout.write(`${await formatCpuProfiles(context.profileDir, 20)}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
