import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import test from "ava";
import type { ExecutionContext } from "ava";
import { Table, TimestampMicrosecond, makeData, makeVector, tableFromArrays, tableToIPC } from "apache-arrow";
import { Table as WasmTable, WriterPropertiesBuilder, writeParquet } from "parquet-wasm";
import { daemonTest } from "../helpers/with-daemon.js";
import type { CliRun } from "./run-cli.js";
import { runCli, tempDir } from "./run-cli.js";

const aaplKey = "symbol=AAPL,year=2023,month=1";


function oneLineError(t: ExecutionContext, run: CliRun): string {
  t.is(run.code, 1, run.stderr);
  const lines = run.stderr.split("\n").filter((l) => l.length > 0);
  t.is(lines.length, 1, run.stderr);
  return lines[0]!;
}

test(
  "unordered CSV input names the physical line of the file (header = line 1, quoted line breaks counted) and ISO times",
  daemonTest(async (t, { daemon, client }) => {
    const file = join(await tempDir(t), "ticks.csv");
    await writeFile(
      file,
      ["ts,note", "2023-01-02T09:30:00Z,a", '2023-01-02T09:31:00Z,"two', 'lines"', "2023-01-02T09:29:59.5Z,late", ""].join("\n"),
    );
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "ts", file]);
    t.is(
      oneLineError(t, run),
      'oups write: rows not ordered on "ts": CSV line 5 has 2023-01-02T09:29:59.500Z, less than 2023-01-02T09:31:00.000Z ' +
        "at CSV line 3 before it: sort the file, or pass --sort",
    );
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "unordered CSV input past the first batch names its line, and the ordered column comes from the dataset when not given",
  daemonTest(async (t, { daemon, client }) => {
    await client.write({ symbol: "AAPL", year: "2023", month: "1" }, tableFromArrays({ i: BigInt64Array.of(0n), v: BigInt64Array.of(0n) }), { orderedOn: "i" });
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i === 69_000 ? 5 : i},${i}`);
    const file = join(await tempDir(t), "many.csv");
    await writeFile(file, `i,v\n${rows.join("\n")}\n`);
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, file]);
    t.regex(oneLineError(t, run), /rows not ordered on "i": CSV line 69002 has 5, less than 68999 at CSV line 69001 before it/);
    t.is((await client.describe({ symbol: "AAPL", year: "2023", month: "1" })).totalRows, 1);
  }),
);

test(
  "unordered Arrow IPC input names the record batch and row, counted from 1, with times in the column's unit",
  daemonTest(async (t, { daemon }) => {
    const us = (s: string) => BigInt(Date.parse(s)) * 1000n + 7n;
    const batch = (times: string[]) => {
      const data = makeData({ type: new TimestampMicrosecond("UTC"), length: times.length, data: BigInt64Array.from(times, us) });
      return new Table({ ts: makeVector(data) }).batches[0]!;
    };
    const table = new Table([batch(["2023-01-02T09:30:00Z", "2023-01-02T09:31:00Z"]), batch(["2023-01-02T09:32:00Z", "2023-01-02T09:31:30Z"])]);
    const file = join(await tempDir(t), "ticks.arrow");
    await writeFile(file, tableToIPC(table, "file"));
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "ts", file]);
    t.regex(
      oneLineError(t, run),
      /: record batch 2, row 2 has 2023-01-02T09:31:30\.000007Z, less than 2023-01-02T09:32:00\.000007Z at record batch 2, row 1 before it/,
    );
  }),
);

test(
  "unordered Parquet input names the row group and row, counted from 1",
  daemonTest(async (t, { daemon }) => {
    const table = tableFromArrays({ ts: BigInt64Array.of(1n, 2n, 3n, 4n, 6n, 5n) });
    const props = new WriterPropertiesBuilder().setMaxRowGroupSize(4).build();
    const file = join(await tempDir(t), "ticks.parquet");
    await writeFile(file, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), props));
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "ts", file]);
    t.regex(oneLineError(t, run), /: row group 2, row 2 has 5, less than 6 at row group 2, row 1 before it/);
  }),
);

test(
  "oups write --sort accepts unordered input",
  daemonTest(async (t, { daemon }) => {
    const file = join(await tempDir(t), "ticks.csv");
    await writeFile(file, "i,s\n2,b\n1,a\n");
    const run = await runCli(["write", "--address", daemon.address, "-k", aaplKey, "--ordered-on", "i", "--sort", file]);
    t.is(run.code, 0, run.stderr);
    t.is((await runCli(["query", "--address", daemon.address, "-k", aaplKey])).stdout, "i,s\n1,a\n2,b\n");
  }),
);
