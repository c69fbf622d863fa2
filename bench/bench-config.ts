import { parseArgs } from "node:util";
import type { Compression } from "../server/src/store/io/compression.js";
import { DEFAULT_COMPRESSION, parseCompression } from "../server/src/store/io/compression.js";

/** The comparisons the suite can run, in the order it runs them. */
export const PHASES = ["ingest", "update", "range", "transport", "memory", "keys", "many-keys", "python", "versions"] as const;

/** One comparison of the suite. */
export type Phase = (typeof PHASES)[number];

/** What one run of the suite measures, and how much. */
export interface BenchConfig {
  /** Rows of the main dataset (ingest, update, range query, transport). */
  rows: number;
  /** Rows ingested then scanned to watch the daemon's peak memory. */
  memoryRows: number;
  /** Rows of the update, overlapping the last 1% of the main dataset. */
  updateRows: number;
  /** Keys of the ListKeys store. */
  keys: number;
  /** Writes in flight while creating those keys. */
  keyConcurrency: number;
  /** Keys of the many-keys store, generated directly on disk. */
  manyKeys: number;
  /** Rows per record batch sent by the SDK. */
  batchRows: number;
  /** Rows per Write call while ingesting. */
  rowsPerWrite: number;
  /** Codec of the daemons' row groups and of the bare parquet-wasm anchors' files. */
  compression: Compression;
  /** Phases to run (those a phase depends on run too). */
  phases: ReadonlySet<Phase>;
  /** Phase whose daemon runs under `node --cpu-prof`, if any. */
  cpuProfile: Phase | "memory-ingest" | "memory-scan" | undefined;
  /** Whether to rewrite the `## Benchmarks` section of README.md. */
  updateReadme: boolean;
}

export const benchUsage = `Usage: npm run bench -- [options]

  --rows N             rows of the main dataset (env BENCH_ROWS, default 10000000)
  --memory-rows N      rows ingested then scanned for the daemon's peak RSS (env BENCH_MEMORY_ROWS, default 2 × rows)
  --update-rows N      rows of the update (env BENCH_UPDATE_ROWS, default 100000)
  --keys N             keys of the ListKeys store (env BENCH_KEYS, default 10000)
  --key-concurrency N  writes in flight while creating them (default 16)
  --many-keys N        keys of the many-keys store, made on disk (env BENCH_MANY_KEYS, default 1000000)
  --compression C      codec of the daemons (oups serve --compression) and of the bare parquet-wasm
                       anchors (env BENCH_COMPRESSION, default the daemon's, ${DEFAULT_COMPRESSION})
  --only LIST          comma-separated phases among ${PHASES.join(",")} (env BENCH_ONLY or OUPS_BENCH_PHASES;
                       default all)
  --cpu-prof PHASE     run that phase's daemon under node --cpu-prof and summarise the profile
                       (a phase name, or memory-ingest / memory-scan; env BENCH_CPU_PROF)
  --no-readme          do not rewrite the Benchmarks section of README.md

Only a complete run without --cpu-prof writes bench/results/latest.json and README.md.`;

// Phases reuse the dataset that ingest writes, and transport replays the scan that range measures.
const DEPENDS_ON: Record<Phase, readonly Phase[]> = {
  ingest: [],
  update: ["ingest"],
  range: ["ingest"],
  transport: ["ingest", "range"],
  memory: [],
  keys: [],
  "many-keys": [],
  // Beside the Node SDK's ingest and full scan of the same number of rows.
  python: ["ingest", "range"],
  versions: [],
};

/** Reads the suite's configuration from flags first, then BENCH_* environment variables, then defaults. */
export function parseBenchConfig(args: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: "string" },
      "memory-rows": { type: "string" },
      "update-rows": { type: "string" },
      keys: { type: "string" },
      "key-concurrency": { type: "string" },
      "many-keys": { type: "string" },
      only: { type: "string" },
      compression: { type: "string" },
      "cpu-prof": { type: "string" },
      "no-readme": { type: "boolean" },
    },
  });
  const rows = count("rows", values.rows ?? env.BENCH_ROWS, 10_000_000);
  const only = values.only ?? env.BENCH_ONLY ?? env.OUPS_BENCH_PHASES;
  const cpuProfile = values["cpu-prof"] ?? env.BENCH_CPU_PROF;
  const profilable = [...PHASES, "memory-ingest", "memory-scan"];
  if (cpuProfile !== undefined && !profilable.includes(cpuProfile)) {
    throw new Error(`--cpu-prof: expected one of ${profilable.join(", ")}, got "${cpuProfile}"`);
  }
  return {
    rows,
    memoryRows: count("memory-rows", values["memory-rows"] ?? env.BENCH_MEMORY_ROWS, 2 * rows),
    updateRows: count("update-rows", values["update-rows"] ?? env.BENCH_UPDATE_ROWS, 100_000),
    keys: count("keys", values.keys ?? env.BENCH_KEYS, 10_000),
    keyConcurrency: count("key-concurrency", values["key-concurrency"], 16),
    manyKeys: count("many-keys", values["many-keys"] ?? env.BENCH_MANY_KEYS, 1_000_000),
    compression: parseCompression(values.compression ?? env.BENCH_COMPRESSION),
    batchRows: 64 * 1024,
    rowsPerWrite: 1_000_000,
    phases: withDependencies(only === undefined ? [...PHASES] : only.split(",").map((p) => phase(p.trim()))),
    cpuProfile: cpuProfile as BenchConfig["cpuProfile"],
    updateReadme: values["no-readme"] !== true,
  };
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got "${text}"`);
  return value;
}

function phase(name: string): Phase {
  if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only: unknown phase "${name}" (${PHASES.join(", ")})`);
  return name as Phase;
}

function withDependencies(selected: readonly Phase[]): ReadonlySet<Phase> {
  const all = new Set<Phase>();
  const add = (p: Phase): void => {
    for (const dependency of DEPENDS_ON[p]) add(dependency);
    all.add(p);
  };
  selected.forEach(add);
  return new Set(PHASES.filter((p) => all.has(p)));
}
