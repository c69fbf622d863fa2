import type { CheckReport } from "../../../client/src/index.js";

/** True when the report leaves a problem unrepaired: what makes `oups check` exit 1. */
export function leavesProblems(report: CheckReport): boolean {
  return report.findings.some((f) => !f.repaired);
}

/**
 * The report as `oups check` prints it for people: one line per finding (kind, then what is wrong, then whether
 * `--repair` fixes it or removed it), the files held by readers, and a summary line.
 */
export function formatCheckReport(report: CheckReport, where: string, repair: boolean): string {
  const lines: string[] = [];
  const width = Math.max(0, ...report.findings.map((f) => f.kind.length));
  for (const f of report.findings) {
    const note = f.repaired ? " [removed]" : f.repairable ? (repair ? " [not removed]" : " [repairable: --repair removes it]") : "";
    lines.push(`${f.kind.padEnd(width)}  ${f.message}${note}`);
  }
  // Files of retained versions are expected, and many: counted, not listed (--format json lists them).
  const byVersions = report.heldFiles.filter((h) => h.heldBy === "version" || h.heldBy === "snapshot").length;
  for (const h of report.heldFiles) {
    if (h.heldBy === "reader") lines.push(`held by a reader of an older generation (not a problem): ${h.path}`);
    else if (h.heldBy === "lease") lines.push(`held by a file lease (not a problem): ${h.path}`);
  }
  if (byVersions > 0) lines.push(`${count(byVersions, "file")} kept for ${count(report.retainedVersions, "retained older version")} and snapshots (not a problem)`);
  const checked = `${count(report.datasets, "dataset")}, ${count(report.rowGroups, "row group")} checked in ${where}`;
  const removed = report.findings.filter((f) => f.repaired).length;
  const left = report.findings.length - removed;
  const repairable = report.findings.filter((f) => f.repairable && !f.repaired).length;
  if (report.findings.length === 0) {
    lines.push(`store is clean: ${checked}`);
  } else if (left === 0) {
    lines.push(`store is clean after the repair: removed ${removed} of ${count(report.findings.length, "problem")}; ${checked}`);
  } else {
    const hint = repairable > 0 && !repair ? ` (${repairable} repairable: run again with --repair to remove them)` : "";
    const done = removed > 0 ? `removed ${removed}, ` : "";
    lines.push(`${done}${count(left, "problem")} left${hint}; ${checked}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The report as `oups check --format json` prints it: one JSON object, `clean` telling the exit status. */
export function checkReportJson(report: CheckReport): string {
  return `${JSON.stringify({ clean: !leavesProblems(report), ...report })}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
