import test from "ava";
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromArrays } from "apache-arrow";
import type { OupsClient } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli } from "./run-cli.js";

const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const msft = { symbol: "MSFT", year: "2023", month: "1" };
const aaplKey = "symbol=AAPL,year=2023,month=1";

function writeV(client: OupsClient, key: typeof aapl, v: number, n = 30) {
  const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
  return client.write(key, tableFromArrays({ ts, v: Float64Array.from({ length: n }, () => v) }), { orderedOn: "ts", duplicatesOn: ["ts"], rowGroupTarget: 10 });
}

test(
  "oups versions lists the retained generations, oups restore undoes a write, and query and describe read an older one",
  daemonTest(async (t, { daemon, client }) => {
    await writeV(client, aapl, 1);
    await writeV(client, aapl, 2);
    const listed = await runCli(["versions", "--address", daemon.address, "-k", aaplKey]);
    t.is(listed.code, 0, listed.stderr);
    t.regex(listed.stdout, /^generation +committed +rows +bytes +change/m);
    t.regex(listed.stdout, /^ +1 +\d{4}-\d\d-\d\dT[^ ]+ +30 +\d+ +write: 30 rows, 0 rewritten, 3 added/m);
    t.regex(listed.stdout, /^ +2\* /m);
    const json = JSON.parse((await runCli(["versions", "--address", daemon.address, "-k", aaplKey, "--json"])).stdout) as { versions: { generation: number }[] };
    t.deepEqual(json.versions.map((v) => v.generation), [1, 2]);

    const old = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--generation", "1", "--columns", "v", "--format", "csv"]);
    t.is(old.code, 0, old.stderr);
    t.is(old.stdout, `v\n${"1\n".repeat(30)}`);
    const described = JSON.parse((await runCli(["describe", "--address", daemon.address, "-k", aaplKey, "--generation", "1", "--json"])).stdout) as Record<string, unknown>;
    t.like(described, { generation: 1, currentGeneration: 2, retainedVersions: 2 });
    const text = await runCli(["describe", "--address", daemon.address, "-k", aaplKey]);
    t.regex(text.stdout, /^versions +2 retained \(oldest generation 1\)/m);

    const restored = await runCli(["restore", "--address", daemon.address, "-k", aaplKey, "--generation", "1"]);
    t.is(restored.code, 0, restored.stderr);
    t.is(restored.stdout, "restored generation 1 of symbol=AAPL year=2023 month=1 as generation 3 (30 rows)\n");
    t.deepEqual([...((await client.read(aapl, { columns: ["v"] })).getChild("v")!.toArray() as Float64Array)], Array(30).fill(1));

    const gone = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--generation", "9"]);
    t.is(gone.code, 1);
    t.regex(gone.stderr, /VERSION_NOT_FOUND|has no generation 9/);
    const two = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--generation", "1", "--snapshot", "x"]);
    t.is(two.code, 2);
    t.regex(two.stderr, /at most one of --generation, --as-of and --snapshot/);
    const none = await runCli(["restore", "--address", daemon.address, "-k", aaplKey]);
    t.is(none.code, 2);
  }),
);

test(
  "oups snapshot create, list and rm; reading with --snapshot sees every dataset as of the snapshot",
  daemonTest(async (t, { daemon, client }) => {
    await writeV(client, aapl, 1);
    await writeV(client, msft, 1);
    const created = await runCli(["snapshot", "create", "eod", "--address", daemon.address, "--all"]);
    t.is(created.code, 0, created.stderr);
    t.is(created.stdout, "created snapshot eod of 2 datasets\n");
    await writeV(client, aapl, 2);
    const read = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--snapshot", "eod", "--columns", "v", "--format", "csv"]);
    t.is(read.stdout, `v\n${"1\n".repeat(30)}`);
    const list = await runCli(["snapshot", "list", "--address", daemon.address, "--datasets"]);
    t.regex(list.stdout, /^eod +\d{4}-[^ ]+ +2$/m);
    t.regex(list.stdout, /^ {2}symbol=AAPL year=2023 month=1 {2}generation 1$/m);
    const bad = await runCli(["snapshot", "create", ".x", "--address", daemon.address, "--all"]);
    t.is(bad.code, 1);
    t.regex(bad.stderr, /starts with "\."/);
    const noScope = await runCli(["snapshot", "create", "y", "--address", daemon.address]);
    t.is(noScope.code, 2);
    const prefix = await runCli(["snapshot", "create", "msft", "--address", daemon.address, "--prefix", "symbol=MSFT"]);
    t.is(prefix.stdout, "created snapshot msft of 1 dataset\n");
    t.is((await runCli(["snapshot", "rm", "eod", "--address", daemon.address])).stdout, "deleted snapshot eod\n");
    const again = await runCli(["snapshot", "rm", "eod", "--address", daemon.address]);
    t.is(again.code, 1);
    t.deepEqual((await client.listSnapshots()).map((s) => s.name), ["msft"]);
  }),
);

test(
  "oups files lists a version's files in order, as absolute or store-relative paths, and its duckdb query reads that version",
  daemonTest(async (t, { daemon, client, storeDir }) => {
    await writeV(client, aapl, 1);
    await writeV(client, aapl, 2);
    const list = await runCli(["files", "--address", daemon.address, "-k", aaplKey, "--generation", "1"]);
    t.is(list.code, 0, list.stderr);
    const paths = list.stdout.trim().split("\n");
    t.is(paths.length, 3);
    t.true(paths.every((p) => isAbsolute(p) && p.startsWith(storeDir) && existsSync(p)));
    t.regex(list.stderr, /^generation 1, 3 files, 30 rows; lease [0-9a-f-]+ until \d{4}-/);
    const relative = await runCli(["files", "--address", daemon.address, "-k", aaplKey, "--relative"]);
    t.true(relative.stdout.trim().split("\n").every((p) => p.startsWith("AAPL-2023/1/rg-") && existsSync(join(storeDir, p))));
    const json = JSON.parse((await runCli(["files", "--address", daemon.address, "-k", aaplKey, "--format", "json"])).stdout) as {
      generation: number;
      files: { path: string; absolutePath: string; rows: number; min: string; max: string }[];
      lease: { id: string };
    };
    t.is(json.generation, 2);
    t.deepEqual(json.files.map((f) => [f.rows, f.min, f.max]), [
      [10, "0", "9"],
      [10, "10", "19"],
      [10, "20", "29"],
    ]);
    const duck = await runCli(["files", "--address", daemon.address, "-k", aaplKey, "--generation", "1", "--format", "duckdb"]);
    t.regex(duck.stdout, /^SELECT \* FROM read_parquet\(\['\/.+'\], union_by_name = true\);\n$/);
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const result = await connection.runAndReadAll(duck.stdout.replace("SELECT *", "SELECT count(*)::INTEGER, sum(v)::DOUBLE"));
      t.deepEqual(result.getRowsJS(), [[30, 30]]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }),
);
