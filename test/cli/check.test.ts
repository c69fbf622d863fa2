import test from "ava";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tableFromArrays } from "apache-arrow";
import type { OupsClient } from "../../client/src/index.js";
import { Store } from "../../server/src/store/store.js";
import { engineIndex, rows, span, tableOfRows, writeTable } from "../helpers/engine.js";
import { damageDataset, expectedFindings, kindsByPath } from "../helpers/store-damage.js";
import { digestTree } from "../helpers/tree-digest.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli, tempDir } from "./run-cli.js";

interface JsonReport {
  clean: boolean;
  datasets: number;
  rowGroups: number;
  findings: { key?: Record<string, string>; path: string; kind: string; message: string; repairable: boolean; repaired: boolean }[];
  heldFiles: { path: string }[];
}

/** A store in `dir` (created by the engine, as a daemon would, then closed) holding `symbols`' datasets of four row groups. */
async function makeStore(dir: string, symbols: readonly string[]): Promise<void> {
  const store = await Store.open(dir, { indexSchema: engineIndex, parquetWorkers: 1 });
  try {
    for (const symbol of symbols) await writeTable(store, { symbol }, tableOfRows(rows(span(0, 40))), { orderedOn: "ts", rowGroupTarget: 10 });
  } finally {
    await store.close();
  }
}

async function checkJson(args: readonly string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const run = await runCli(["check", ...args, "--format", "json"]);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

test("oups check --store exits 0 on a store of many clean datasets, and says it is clean", async (t) => {
  const dir = join(await tempDir(t), "store");
  await makeStore(dir, span(0, 30).map((i) => `S${i}`));
  const run = await runCli(["check", "--store", dir]);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, `store is clean: 30 datasets, 120 row groups checked in ${dir}\n`);
  const { code, report } = await checkJson(["--store", dir]);
  t.is(code, 0);
  t.deepEqual(report, { clean: true, datasets: 30, rowGroups: 120, findings: [], heldFiles: [], retainedVersions: 0 });
});

test("oups check --store finds a damaged dataset's problems and exits 1; --repair removes the orphan and the temporary file only", async (t) => {
  const dir = join(await tempDir(t), "store");
  await makeStore(dir, ["AAPL", "MSFT"]);
  const damage = await damageDataset(join(dir, "AAPL"), "AAPL");
  const text = await runCli(["check", "--store", dir]);
  t.is(text.code, 1, text.stderr);
  t.regex(text.stdout, /^orphan-file +AAPL\/rg-000000000999\.parquet is a row-group file no manifest lists \[repairable: --repair removes it\]$/m);
  t.regex(text.stdout, /^missing-file +AAPL\/rg-\d+\.parquet is listed by the manifest but does not exist$/m);
  t.regex(text.stdout, /^7 problems left \(2 repairable: run again with --repair to remove them\); 2 datasets, 8 row groups checked in /m);
  const { code, report } = await checkJson(["--store", dir]);
  t.is(code, 1);
  t.false(report.clean);
  t.deepEqual(kindsByPath(report.findings), expectedFindings(damage));
  t.deepEqual(report.findings.find((f) => f.kind === "orphan-file")?.key, { symbol: "AAPL" });

  const before = await digestTree(dir);
  const repair = await runCli(["check", "--store", dir, "--repair"]);
  t.is(repair.code, 1, "unrepairable problems are left");
  t.regex(repair.stdout, /^orphan-file +AAPL\/rg-000000000999\.parquet .* \[removed\]$/m);
  t.regex(repair.stdout, /^temp-file +AAPL\/\._manifest\.json\.tmp-42 .* \[removed\]$/m);
  t.regex(repair.stdout, /^removed 2, 5 problems left; /m);
  const expected = { ...before };
  delete expected[damage.orphan];
  delete expected[damage.temp];
  t.deepEqual(await digestTree(dir), expected, "nothing but the orphan and the temporary file changed");
  const again = await checkJson(["--store", dir]);
  t.is(again.code, 1);
  t.deepEqual(again.report.findings.filter((f) => f.repairable), []);
  t.is(again.report.findings.length, 5);
});

test("oups check --repair exits 0 once it removed every problem, and the next check is clean", async (t) => {
  const dir = join(await tempDir(t), "store");
  await makeStore(dir, ["AAPL"]);
  await writeFile(join(dir, "AAPL", "rg-000000000777.parquet"), "left by a crash");
  await writeFile(join(dir, "AAPL", "._manifest.json.tmp-9"), "{");
  await mkdir(join(dir, "EMPTY"));
  const repair = await checkJson(["--store", dir, "--repair"]);
  t.is(repair.code, 0, repair.stderr);
  t.true(repair.report.clean);
  t.deepEqual(repair.report.findings.map((f) => [f.path, f.kind, f.repaired]), [
    ["AAPL/._manifest.json.tmp-9", "temp-file", true],
    ["AAPL/rg-000000000777.parquet", "orphan-file", true],
    ["EMPTY", "empty-directory", true],
  ]);
  const again = await runCli(["check", "--store", dir]);
  t.is(again.code, 0, again.stdout);
});

test(
  "oups check --store is refused while a daemon holds the store's lock, pointing at --address; nothing changes",
  daemonTest(async (t, { client, storeDir }) => {
    await seed(client);
    await writeFile(join(storeDir, "AAPL-2023", "1", "rg-000000000999.parquet"), "orphan");
    const before = await digestTree(storeDir);
    const run = await runCli(["check", "--store", storeDir, "--repair"]);
    t.is(run.code, 1);
    t.regex(run.stderr, /^oups check: .*locked.*oups check --address HOST:PORT\n$/);
    t.is(run.stdout, "");
    t.deepEqual(await digestTree(storeDir), before);
  }),
);

test(
  "oups check --address checks the running daemon's store and repairs it",
  daemonTest(async (t, { daemon, client, storeDir }) => {
    await seed(client);
    const clean = await runCli(["check", "--address", daemon.address]);
    t.is(clean.code, 0, clean.stderr);
    t.is(clean.stdout, `store is clean: 1 dataset, 1 row group checked in the store of the daemon at ${daemon.address}\n`);
    await writeFile(join(storeDir, "AAPL-2023", "1", "rg-000000000999.parquet"), "orphan");
    await writeFile(join(storeDir, "AAPL-2023", "1", "data.csv"), "a,b\n");
    const found = await checkJson(["--address", daemon.address]);
    t.is(found.code, 1);
    t.deepEqual(kindsByPath(found.report.findings), {
      "AAPL-2023/1/data.csv": ["invalid-file-name"],
      "AAPL-2023/1/rg-000000000999.parquet": ["orphan-file"],
    });
    const repaired = await checkJson(["--address", daemon.address, "--repair"]);
    t.is(repaired.code, 1, "the file of an unknown name stays");
    t.false(existsSync(join(storeDir, "AAPL-2023", "1", "rg-000000000999.parquet")));
    t.true(existsSync(join(storeDir, "AAPL-2023", "1", "data.csv")));
    t.is((await client.read({ symbol: "AAPL", year: "2023", month: "1" })).numRows, 3);
  }),
);

test("oups check refuses a bad command line with status 2, and a missing store directory without creating it", async (t) => {
  const dir = join(await tempDir(t), "nowhere");
  for (const args of [[], ["--store", dir, "--address", "127.0.0.1:1"], ["--store", dir, "--format", "xml"], ["--store"]]) {
    const run = await runCli(["check", ...args]);
    t.is(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    t.regex(run.stderr, /^oups check: .*\(see 'oups check --help'\)\n$/);
  }
  const missing = await runCli(["check", "--store", dir]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /does not exist/);
  t.false(existsSync(dir));
  const help = await runCli(["--help"]);
  t.regex(help.stdout, /^ {2}check +check every dataset against its files/m);
});

/** Writes three rows to AAPL-2023/1 through the SDK. */
async function seed(client: OupsClient): Promise<void> {
  const table = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]), price: Float64Array.from([1, 2, 3]) });
  await client.write({ symbol: "AAPL", year: "2023", month: "1" }, table, { orderedOn: "ts" });
}
