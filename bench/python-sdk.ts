import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BenchContext } from "./bench-context.js";
import { progress } from "./measure.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** What bench/python_sdk.py prints with --json. */
interface PythonFigures {
  rows: number;
  write_rows_per_s: number;
  write_s: number;
  scan_rows_per_s: number;
  scan_s: number;
  python_peak_rss_mb_after_write: number;
  python_peak_rss_mb: number;
}

/**
 * Python SDK: the same number of rows written from a pyarrow RecordBatchReader and scanned back whole by the
 * Python SDK (bench/python_sdk.py, in the .venv that .ci/run makes), beside the Node SDK's ingest and full scan.
 */
export async function benchPythonSdk(context: BenchContext): Promise<void> {
  const python = join(repoRoot, ".venv", "bin", "python");
  if (!existsSync(python)) {
    context.notes.push("Python SDK: not measured, no .venv (make it as .ci/run does: python3 -m venv .venv, then pip install).");
    return;
  }
  const rows = context.config.rows;
  progress(`python: write and full scan of ${rows.toLocaleString("en-US")} rows through the Python SDK`);
  const { stdout } = await run(python, [join(repoRoot, "bench", "python_sdk.py"), "--rows", String(rows), "--json"], {
    cwd: repoRoot,
    maxBuffer: 1 << 20,
  });
  const figures = JSON.parse(stdout.trim().split("\n").at(-1)!) as PythonFigures;
  const node = { write: context.ingestRowsPerSecond, scan: context.fullScan?.rowsPerSecond };
  context.rows.push(
    {
      figure: `Python SDK write of ${rows.toLocaleString("en-US")} rows (a pyarrow RecordBatchReader, one Write)`,
      unit: "rows/s",
      oups: figures.write_rows_per_s,
      anchorName: "the Node SDK's ingest",
      anchor: node.write,
      ratio: node.write === undefined ? undefined : figures.write_rows_per_s / node.write,
      ratioMeaning: "Python ÷ Node",
    },
    {
      figure: `Python SDK full scan of ${rows.toLocaleString("en-US")} rows (range_query, batches decoded as they arrive)`,
      unit: "rows/s",
      oups: figures.scan_rows_per_s,
      anchorName: "the Node SDK's full scan",
      anchor: node.scan,
      ratio: node.scan === undefined ? undefined : figures.scan_rows_per_s / node.scan,
      ratioMeaning: "Python ÷ Node",
    },
  );
  context.notes.push(
    `Python SDK: write ${figures.write_s.toFixed(1)} s, full scan ${figures.scan_s.toFixed(1)} s, with its own daemon over a fresh store; ` +
      `the Python process's peak RSS ${figures.python_peak_rss_mb_after_write.toFixed(0)} MB after the write, ${figures.python_peak_rss_mb.toFixed(0)} MB after the scan.`,
  );
}
