import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Machine } from "./machine.js";

/** One line of the results table: a figure for oups, the anchor's, and how they compare. */
export interface ResultRow {
  /** What is measured, e.g. "Ingest 10,000,000 rows". */
  figure: string;
  /** Unit of `oups` and `anchor`. */
  unit: "rows/s" | "ms" | "MB";
  oups: number;
  /** What oups is compared with, when anything. */
  anchorName?: string | undefined;
  anchor?: number | undefined;
  /** The comparison, and what it divides (e.g. "oups ÷ anchor"). */
  ratio?: number | undefined;
  ratioMeaning?: string | undefined;
  /** The figure aimed at, displayed beside the ratio (never asserted). */
  target?: string | undefined;
  /**
   * The target as a bound, when it is one: on the ratio (or, without a ratio, on `oups`). The table's "met"
   * column compares the figure with it (`above`, `below`: strict; `atLeast`, `atMost`: inclusive).
   */
  aim?: { above: number } | { below: number } | { atLeast: number } | { atMost: number } | undefined;
  /** Peak resident set size of the daemon during the phase, in bytes. */
  daemonPeakRssBytes?: number | undefined;
}

/** Everything one run of the suite produced. */
export interface BenchResults {
  machine: Machine;
  config: Record<string, unknown>;
  rows: ResultRow[];
  /** How each figure was obtained, sanity checks, side figures. */
  notes: string[];
  /** Wall time of the whole run, in seconds. */
  durationSeconds: number;
}

/** The results table as GitHub Markdown. */
export function formatTable(rows: readonly ResultRow[]): string {
  const lines = [
    "| figure | oups | anchor | ratio | target | met | daemon peak RSS |",
    "| --- | ---: | --- | ---: | --- | :---: | ---: |",
  ];
  for (const row of rows) {
    const anchor = row.anchor === undefined ? "—" : `${formatValue(row.anchor, row.unit)} (${row.anchorName ?? "anchor"})`;
    const ratio = row.ratio === undefined ? "—" : `${formatRatio(row.ratio)} ${row.ratioMeaning ?? ""}`.trim();
    const rss = row.daemonPeakRssBytes === undefined ? "—" : formatValue(row.daemonPeakRssBytes / 1e6, "MB");
    const met = targetMet(row);
    const mark = met === undefined ? "—" : met ? "met" : "not met";
    lines.push(`| ${row.figure} | ${formatValue(row.oups, row.unit)} | ${anchor} | ${ratio} | ${row.target ?? "—"} | ${mark} | ${rss} |`);
  }
  return lines.join("\n");
}

/** Whether the row's figure meets its {@link ResultRow.aim}; undefined when it has none. */
export function targetMet(row: ResultRow): boolean | undefined {
  const aim = row.aim;
  if (aim === undefined) return undefined;
  const value = row.ratio ?? row.oups;
  if ("above" in aim) return value > aim.above;
  if ("below" in aim) return value < aim.below;
  if ("atLeast" in aim) return value >= aim.atLeast;
  return value <= aim.atMost;
}

/** A one-line description of the machine, for the README. */
export function formatMachine(machine: Machine): string {
  return (
    `${machine.cores} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${machine.platform}, Node ${machine.nodeVersion}, ${machine.date} (load average ${machine.loadAverage.toFixed(1)} at start)`
  );
}

/** The whole report as Markdown: the table, the machine, the notes. */
export function formatReport(results: BenchResults): string {
  return [
    formatTable(results.rows),
    "",
    `Machine: ${formatMachine(results.machine)}. Run took ${results.durationSeconds.toFixed(0)} s ` +
      `(\`${["npm run bench", String(results.config.args ?? "").trim()].filter(Boolean).join(" -- ")}\`).`,
    "",
    ...results.notes.map((note) => `- ${note}`),
  ].join("\n");
}

/** Writes `results` as JSON at `path` (through a temporary file, so that a reader never sees half of it). */
export async function writeResultsJson(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await rename(tmp, path);
}

const SECTION_HEADING = "## Benchmarks";

/**
 * Replaces the `## Benchmarks` section of the Markdown file at `path` (from its heading to the next `## ` heading
 * or the end) with `body`, appending the section at the end when there is none.
 */
export async function replaceReadmeSection(path: string, body: string): Promise<void> {
  const text = await readFile(path, "utf8");
  const section = `${SECTION_HEADING}\n\n${body.trim()}\n`;
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.trim() === SECTION_HEADING);
  let updated: string;
  if (start < 0) {
    updated = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = lines.findIndex((line, i) => i > start && /^## /.test(line));
    const before = lines.slice(0, start).join("\n").trimEnd();
    const after = next < 0 ? "" : `\n${lines.slice(next).join("\n")}`;
    updated = `${before}\n\n${section}${after}`;
  }
  const tmp = `${path}.bench.tmp`;
  await writeFile(tmp, updated.endsWith("\n") ? updated : `${updated}\n`);
  await rename(tmp, path);
}

function formatValue(value: number, unit: ResultRow["unit"]): string {
  switch (unit) {
    case "rows/s":
      return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M rows/s` : `${(value / 1e3).toFixed(1)} K rows/s`;
    case "ms":
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
    case "MB":
      return `${value.toFixed(0)} MB`;
  }
}

function formatRatio(ratio: number): string {
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}
