import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { tableFromArrays } from "apache-arrow";
import { formatProgress } from "../../server/src/cli/progress-line.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { MAIN, runCli, tempDir } from "./run-cli.js";

const run = promisify(execFile);
const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const aaplKey = "symbol=AAPL,year=2023,month=1";


test("a progress line shows the percent done and the time left when the total is known", (t) => {
  t.is(formatProgress({ rows: 1_200_000, seconds: 3, fraction: 0.42 }), "1,200,000 rows sent, 42%, 400,000 rows/s, 3.0 s, ETA 5 s");
  t.is(formatProgress({ rows: 10, seconds: 90, fraction: 0.5 }, "received"), "10 rows received, 50%, 0 rows/s, 90.0 s, ETA 1 min 30 s");
  t.is(formatProgress({ rows: 10, seconds: 2, fraction: 1 }), "10 rows sent, 100%, 5 rows/s, 2.0 s");
  t.is(formatProgress({ rows: 10, seconds: 1 }), "10 rows sent, 10 rows/s, 1.0 s", "no percent nor ETA without a total");
  t.is(formatProgress({ rows: 1, seconds: 7200, fraction: 0.5 }).split(", ").at(-1), "ETA 2 h 00 min");
});

test(
  "oups write and oups query print no progress line when stderr is not a terminal",
  daemonTest(async (t, { daemon, client }) => {
    const n = 200_000;
    const file = join(await tempDir(t), "many.csv");
    await writeFile(file, `i,v\n${Array.from({ length: n }, (_, i) => `${i},${i}`).join("\n")}\n`);
    const written = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "i", file]);
    t.is(written.code, 0, written.stderr);
    t.is(written.stderr, "");
    const read = await runCli(["query", "--address", daemon.address, "-k", aaplKey]);
    t.is(read.code, 0, read.stderr);
    t.is(read.stderr, "");
    t.is((await client.describe(aapl)).totalRows, n);
  }),
);

/** `script` (util-linux) runs a command on a pseudo-terminal: the only way to see what a terminal would. */
async function hasScript(): Promise<boolean> {
  return run("script", ["--version"]).then(
    () => true,
    () => false,
  );
}

test(
  "on a terminal, oups write shows percent and ETA of a CSV file, and erases the line at the end",
  daemonTest(async (t, { daemon }) => {
    if (!(await hasScript())) {
      t.log("util-linux `script` is missing: the terminal case is covered by the formatter test only");
      t.pass();
      return;
    }
    // The first batch always draws the line (later ones at most every 200 ms), whatever the machine.
    const n = 100_000;
    const file = join(await tempDir(t), "many.csv");
    await writeFile(file, `i,v\n${Array.from({ length: n }, (_, i) => `${i},${i}`).join("\n")}\n`);
    const command = [process.execPath, MAIN, "write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "i", file]
      .map((a) => `'${a}'`)
      .join(" ");
    // stdout to a file: the terminal then carries stderr's progress line (and the result, printed after it).
    const out = join(await tempDir(t), "stdout.txt");
    const { stdout } = await run("script", ["-qec", `${command} > '${out}'`, "/dev/null"], { timeout: 120_000 });
    t.regex(stdout, /\r\x1b\[K[\d,]+ rows sent, \d+%, [\d,]+ rows\/s, \d+\.\d s(, ETA [^\r]+)?/);
    t.true(stdout.trimEnd().endsWith("\r\x1b[K"), JSON.stringify(stdout.slice(-80)));
  }),
);

test(
  "on a terminal, oups query shows the rows received with percent of the range's rows",
  daemonTest(async (t, { daemon, client }) => {
    if (!(await hasScript())) {
      t.pass();
      return;
    }
    const n = 200_000;
    await client.write(aapl, tableFromArrays({ i: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }), { orderedOn: "i" });
    const out = join(await tempDir(t), "out.arrows");
    const command = [process.execPath, MAIN, "query", "--address", daemon.address, "-k", aaplKey, "--output", out].map((a) => `'${a}'`).join(" ");
    const { stdout } = await run("script", ["-qec", command, "/dev/null"], { timeout: 120_000 });
    t.regex(stdout, /\r\x1b\[K[\d,]+ rows received, \d+%, [\d,]+ rows\/s/);
  }),
);
