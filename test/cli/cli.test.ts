import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import test from "ava";
import type { ExecutionContext } from "ava";
import { tableFromArrays } from "apache-arrow";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";
import type { CliRun } from "./run-cli.js";
import { runCli, tempDir } from "./run-cli.js";

const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const aaplKey = "symbol=AAPL,year=2023,month=1";

const ticksCsv = [
  "ts,symbol,price",
  "2023-01-02T09:30:00.000Z,AAPL,101.5",
  "2023-01-02T09:31:00.000Z,AAPL,102",
  "2023-01-02T09:32:00.000Z,AAPL,103.25",
  "2023-01-02T09:33:00.000Z,AAPL,99.75",
  "",
].join("\n");


/** Asserts that a run failed with `code` and said why on exactly one stderr line starting with `oups <command>: `. */
function assertOneLineError(t: ExecutionContext, run: CliRun, command: string, code: number): string {
  t.is(run.code, code, run.stderr);
  const lines = run.stderr.split("\n").filter((l) => l.length > 0);
  t.is(lines.length, 1, run.stderr);
  t.true(lines[0]!.startsWith(`oups ${command}: `), run.stderr);
  return lines[0]!;
}

/** Writes three rows to `key` through the SDK. */
async function seed(client: OupsClient, key: KeyFields): Promise<void> {
  const ts = (m: number) => new Date(Date.UTC(2023, 0, 2, 9, 30 + m));
  const table = tableFromArrays({ ts: [ts(0), ts(1), ts(2)], price: Float64Array.from([1, 2, 3]) });
  await client.write(key, table, { orderedOn: "ts" });
}

test(
  "a CSV file written with oups write reads back identical as CSV, with inferred column types",
  daemonTest(async (t, { daemon, client }) => {
    const file = join(await tempDir(t), "ticks.csv");
    await writeFile(file, ticksCsv);
    const written = await runCli(["write", "--address", daemon.address, "--key", aaplKey, "--ordered-on", "ts", file]);
    t.is(written.code, 0, written.stderr);
    t.regex(written.stdout, /^rows received +4$/m);
    t.regex(written.stdout, /^generation +1$/m);
    t.is(written.stderr, "", "no progress line when stderr is not a terminal");

    const read = await runCli(["query", "--address", daemon.address, "--key", aaplKey]);
    t.is(read.code, 0, read.stderr);
    t.is(read.stdout, ticksCsv);
    const { schema } = await client.describe(aapl);
    t.deepEqual(
      schema?.fields.map((f) => `${f.name}: ${String(f.type)}`),
      ["ts: Timestamp<MILLISECOND>", "symbol: Utf8", "price: Float64"],
    );
  }),
);

test(
  "oups query keeps the rows in [start, end), or [start, end] with --end-inclusive, and the columns asked for",
  daemonTest(async (t, { daemon }) => {
    const file = join(await tempDir(t), "ticks.csv");
    await writeFile(file, ticksCsv);
    const address = ["--address", daemon.address];
    t.is((await runCli(["write", ...address, "-k", aaplKey, "--ordered-on", "ts", file])).code, 0);
    const range = ["--start", "2023-01-02T09:31:00Z", "--end", "2023-01-02 09:33", "--columns", "price,ts"];
    const open = await runCli(["query", ...address, "-k", aaplKey, ...range]);
    t.is(open.stdout, "price,ts\n102,2023-01-02T09:31:00.000Z\n103.25,2023-01-02T09:32:00.000Z\n");
    const closed = await runCli(["query", ...address, "-k", aaplKey, ...range, "--end-inclusive"]);
    t.is(closed.stdout.split("\n").at(-2), "99.75,2023-01-02T09:33:00.000Z");
  }),
);

test(
  "rows go through Parquet and Arrow files both ways: query --output, then write",
  daemonTest(async (t, { daemon }) => {
    const dir = await tempDir(t);
    const csv = join(dir, "ticks.csv");
    await writeFile(csv, ticksCsv);
    const address = ["--address", daemon.address];
    t.is((await runCli(["write", ...address, "-k", aaplKey, "--ordered-on", "ts", csv])).code, 0);
    for (const [month, file] of [
      ["2", join(dir, "out.parquet")],
      ["3", join(dir, "out.arrows")],
    ] as const) {
      const exported = await runCli(["query", ...address, "-k", aaplKey, "--output", file]);
      t.is(exported.code, 0, exported.stderr);
      const key = `symbol=AAPL,year=2023,month=${month}`;
      const imported = await runCli(["write", ...address, "-k", key, "--ordered-on", "ts", file]);
      t.is(imported.code, 0, imported.stderr);
      const back = await runCli(["query", ...address, "-k", key]);
      t.is(back.code, 0, back.stderr);
      t.is(back.stdout, ticksCsv, file);
    }
  }),
);

test(
  "oups write reports a CSV value that does not fit its column by line and column, and commits nothing",
  daemonTest(async (t, { daemon, client }) => {
    const file = join(await tempDir(t), "bad.csv");
    await writeFile(file, "ts,qty\n1,10\n2,x\n");
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "ts", "--types", "qty=int", file]);
    const line = assertOneLineError(t, run, "write", 1);
    t.regex(line, /CSV line 3, column "qty": "x" is not a 64-bit integer/);
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "oups write fails on a value that does not fit after the first batch was sent, and commits nothing",
  daemonTest(async (t, { daemon, client }) => {
    const file = join(await tempDir(t), "late.csv");
    // More rows than one CSV batch (65536): the types come from the first batch, the bad value is in the second.
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i},${i === 69_999 ? "x" : i}`);
    await writeFile(file, `ts,qty\n${rows.join("\n")}\n`);
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "ts", file]);
    t.regex(assertOneLineError(t, run, "write", 1), /CSV line 70001, column "qty": "x" is not a 64-bit integer/);
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "oups keys prints one key per line in index order, filtered, or as JSON lines",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    await seed(client, { symbol: "MSFT", year: "2023", month: "2" });
    const all = await runCli(["keys", "--address", daemon.address]);
    t.is(all.stdout, "symbol=AAPL year=2023 month=1\nsymbol=MSFT year=2023 month=2\n");
    const json = await runCli(["keys", "--address", daemon.address, "--filter", "symbol=MSFT", "--json"]);
    t.deepEqual(JSON.parse(json.stdout), { symbol: "MSFT", year: "2023", month: "2" });
  }),
);

test(
  "oups describe shows the ordered column, schema, counts, metadata and row groups, or one JSON object",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    await client.updateMetadata(aapl, { set: { source: "feed" } });
    const text = await runCli(["describe", "--address", daemon.address, "-k", "symbol=AAPL", "-k", "year=2023,month=1"]);
    t.is(text.code, 0, text.stderr);
    t.regex(text.stdout, /^key +symbol=AAPL year=2023 month=1$/m);
    t.regex(text.stdout, /^ordered on +ts$/m);
    t.regex(text.stdout, /^rows +3$/m);
    t.regex(text.stdout, /^ {2}price +Float64 not null$/m);
    t.regex(text.stdout, /^ {2}source=feed$/m);
    t.regex(text.stdout, /^ {2}0 +\S+\.parquet +3 +2023-01-02T09:30:00\.000Z +2023-01-02T09:32:00\.000Z +\d+$/m);
    const json = await runCli(["describe", "--address", daemon.address, "-k", aaplKey, "--json"]);
    const parsed = JSON.parse(json.stdout) as { totalRows: number; orderedOn: string; rowGroups: { min: string }[] };
    t.is(parsed.totalRows, 3);
    t.is(parsed.orderedOn, "ts");
    t.is(parsed.rowGroups[0]?.min, "2023-01-02T09:30:00.000Z");
  }),
);

test(
  "oups meta set adds and removes names, and oups meta get prints name=value lines or JSON",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    const key = ["--address", daemon.address, "-k", aaplKey];
    const set = await runCli(["meta", "set", ...key, "source=feed", "note=a=b"]);
    t.is(set.stdout, "note=a=b\nsource=feed\n");
    t.is((await runCli(["meta", "set", ...key, "--remove", "note"])).code, 0);
    t.is((await runCli(["meta", "get", ...key])).stdout, "source=feed\n");
    t.is((await runCli(["meta", "get", ...key, "--json"])).stdout, '{"source":"feed"}\n');
    t.deepEqual(await client.getMetadata(aapl), { source: "feed" });
  }),
);

test(
  "oups meta get on a dataset without metadata says so on stderr, and prints {} with --json",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    const key = ["--address", daemon.address, "-k", aaplKey];
    const text = await runCli(["meta", "get", ...key]);
    t.is(text.code, 0, text.stderr);
    t.is(text.stdout, "");
    t.is(text.stderr, "no metadata\n");
    t.is((await runCli(["meta", "get", ...key, "--json"])).stdout, "{}\n");
  }),
);

test(
  "oups rm deletes a dataset",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    const run = await runCli(["rm", "--address", daemon.address, "-k", aaplKey]);
    t.is(run.code, 0, run.stderr);
    t.deepEqual(await client.listKeys(), []);
    t.is((await runCli(["keys", "--address", daemon.address])).stdout, "");
  }),
);

test(
  "oups query --format table shows the first and last 20 rows of a long result, then the count",
  daemonTest(async (t, { daemon, client }) => {
    const n = 100;
    await client.write(aapl, tableFromArrays({ i: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }), { orderedOn: "i" });
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--format", "table"]);
    const lines = run.stdout.trimEnd().split("\n");
    t.deepEqual(lines.slice(0, 3).map((l) => l.trim()), ["i", "--", "0"]);
    t.is(lines[22]?.trim(), "…");
    t.is(lines.at(-2)?.trim(), "99");
    t.is(lines.at(-1), "100 rows (60 not shown)");
  }),
);

test(
  "the address comes from OUPS_ADDRESS when --address is absent",
  daemonTest(async (t, { daemon, client }) => {
    await seed(client, aapl);
    const run = await runCli(["keys"], { OUPS_ADDRESS: daemon.address });
    t.is(run.stdout, "symbol=AAPL year=2023 month=1\n");
  }),
);

test(
  "a command on an unknown key exits 1 with one line on stderr",
  daemonTest(async (t, { daemon }) => {
    for (const command of ["describe", "query", "rm"]) {
      const run = await runCli([command, "--address", daemon.address, "-k", "symbol=NOPE,year=2023,month=1"]);
      t.regex(assertOneLineError(t, run, command, 1), /NOPE/);
      t.is(run.stdout, "");
    }
  }),
);

test("a daemon that cannot be reached is named in one line on stderr", async (t) => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const run = await runCli(["keys", "--address", "127.0.0.1:1"]);
  t.regex(assertOneLineError(t, run, "keys", 1), /cannot reach the oups daemon at 127\.0\.0\.1:1/);
});

const usageErrors: { args: string[]; says: RegExp }[] = [
  { args: ["describe", "--bogus"], says: /unknown option --bogus/ },
  { args: ["describe", "--key"], says: /option --key needs a value/ },
  { args: ["describe", "--json=1", "-k", aaplKey], says: /option --json takes no value/ },
  { args: ["describe"], says: /missing --key/ },
  { args: ["describe", "-k", "symbol"], says: /--key expects name=value, got 'symbol'/ },
  { args: ["write", "-k", aaplKey], says: /missing FILE/ },
  { args: ["write", "-k", aaplKey, "data.txt"], says: /cannot tell the format of 'data.txt'/ },
  { args: ["write", "-k", aaplKey, "--max-n-off-target-rgs", "x", "a.csv"], says: /--max-n-off-target-rgs expects a non-negative integer/ },
  { args: ["query", "-k", aaplKey, "--format", "xml"], says: /--format must be one of table, csv, parquet, arrow/ },
  { args: ["meta", "-k", aaplKey], says: /unknown action '-k'/ },
  { args: ["meta", "set", "-k", aaplKey], says: /nothing to set/ },
  { args: ["init"], says: /missing --index/ },
];

for (const { args, says } of usageErrors) {
  test(`'oups ${args.join(" ")}' is a usage error (exit 2) that says so`, async (t) => {
    const run = await runCli(args);
    t.regex(assertOneLineError(t, run, args[0]!, 2), says);
  });
}

test("an unknown command is a usage error", async (t) => {
  const run = await runCli(["frobnicate"]);
  t.is(run.code, 2);
  t.regex(run.stderr, /^oups: unknown command 'frobnicate'$/m);
});

for (const command of ["serve", "init", "keys", "describe", "write", "query", "meta", "rm"]) {
  test(`'oups ${command} --help' prints its usage and exits 0`, async (t) => {
    const run = await runCli([command, "--help"]);
    t.is(run.code, 0, run.stderr);
    t.true(run.stdout.startsWith(`Usage: oups ${command} `), run.stdout);
    t.is(run.stderr, "");
  });
}

test("'oups --help' lists every command", async (t) => {
  const run = await runCli(["--help"]);
  t.is(run.code, 0);
  for (const command of ["serve", "init", "keys", "describe", "write", "query", "meta", "rm"]) {
    t.regex(run.stdout, new RegExp(`^ {2}${command} `, "m"));
  }
});

test("oups init declares the index schema of an empty directory, accepts the same again, refuses another", async (t) => {
  const store = join(await tempDir(t), "store");
  const first = await runCli(["init", "--store", store, "--index", "symbol,year:int/month:int"]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^initialised store /);
  const descriptor = JSON.parse(await readFile(join(store, "oups-store.json"), "utf8")) as { indexSchema: unknown };
  t.deepEqual(descriptor.indexSchema, {
    name: "index",
    fieldSeparator: "-",
    levels: [
      [
        { name: "symbol", type: "string" },
        { name: "year", type: "int" },
      ],
      [{ name: "month", type: "int" }],
    ],
  });
  const again = await runCli(["init", "--store", store, "--index", "symbol,year:int/month:int"]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already has index/);
  const other = await runCli(["init", "--store", store, "--index", "symbol"]);
  t.regex(assertOneLineError(t, other, "init", 1), /has index schema/);
});

test("oups init takes the index from OUPS_INDEX and a schema name from --name", async (t) => {
  const store = join(await tempDir(t), "store");
  const run = await runCli(["init", "--store", store, "--name", "Ticks"], { OUPS_INDEX: "symbol" });
  t.is(run.code, 0, run.stderr);
  t.true(existsSync(join(store, "oups-store.json")));
  const descriptor = JSON.parse(await readFile(join(store, "oups-store.json"), "utf8")) as { indexSchema: { name: string } };
  t.is(descriptor.indexSchema.name, "Ticks");
});

test(
  "oups init refuses a store a daemon is serving",
  daemonTest(async (t, { storeDir }) => {
    const run = await runCli(["init", "--store", storeDir, "--index", "symbol,year:int/month:int"]);
    t.regex(assertOneLineError(t, run, "init", 1), /locked/);
  }),
);
