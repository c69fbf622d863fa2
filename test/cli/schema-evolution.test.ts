import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import test from "ava";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli, tempDir } from "./run-cli.js";

const key = "symbol=AAPL,year=2023,month=1";
const first = ["ts,price", "2023-01-02T09:30:00.000Z,101.5", "2023-01-02T09:31:00.000Z,102", ""].join("\n");
const withVolume = ["ts,price,volume", "2023-01-02T09:32:00.000Z,103.25,500", ""].join("\n");

test(
  "oups write --schema-evolution add-columns adds a column that oups describe shows in the schema history",
  daemonTest(async (t, { daemon }) => {
    const dir = await tempDir(t);
    const [a, b] = [join(dir, "a.csv"), join(dir, "b.csv")];
    await writeFile(a, first);
    await writeFile(b, withVolume);
    const address = ["--address", daemon.address];
    t.is((await runCli(["write", ...address, "-k", key, "--ordered-on", "ts", a])).code, 0);

    const refused = await runCli(["write", ...address, "-k", key, b]);
    t.is(refused.code, 1, refused.stderr);
    t.regex(refused.stderr, /^oups write: rows do not match the dataset's schema: extra column "volume"; .*--schema-evolution add-columns/);

    const bad = await runCli(["write", ...address, "-k", key, "--schema-evolution", "add", b]);
    t.is(bad.code, 2, bad.stderr);
    t.regex(bad.stderr, /--schema-evolution must be none or add-columns, got "add"/);

    const added = await runCli(["write", ...address, "-k", key, "--schema-evolution", "add-columns", b]);
    t.is(added.code, 0, added.stderr);
    t.regex(added.stdout, /^generation +2$/m);

    const query = await runCli(["query", ...address, "-k", key]);
    t.is(query.stdout, ["ts,price,volume", "2023-01-02T09:30:00.000Z,101.5,", "2023-01-02T09:31:00.000Z,102,", "2023-01-02T09:32:00.000Z,103.25,500", ""].join("\n"));

    const described = await runCli(["describe", ...address, "-k", key]);
    t.is(described.code, 0, described.stderr);
    t.regex(described.stdout, /^ {2}volume +Int64 {2}\(since generation 2\)$/m);
    t.regex(described.stdout, /^schema history +2 versions$/m);
    t.regex(described.stdout, /^ {2}1 +2 +volume +- +1$/m);
    const json = JSON.parse((await runCli(["describe", ...address, "-k", key, "--json"])).stdout) as {
      schemaHistory: { generation: number; addedColumns: string[]; rowGroups: number }[];
      rowGroups: { schemaVersion: number }[];
    };
    t.deepEqual(json.schemaHistory.map((v) => [v.generation, v.addedColumns, v.rowGroups]), [
      [1, ["ts", "price"], 1],
      [2, ["volume"], 1],
    ]);
    t.deepEqual(json.rowGroups.map((g) => g.schemaVersion), [0, 1]);

    const check = await runCli(["check", ...address]);
    t.is(check.code, 0, check.stdout + check.stderr);
  }),
);
