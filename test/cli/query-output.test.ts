import { readFile } from "node:fs/promises";
import { join } from "node:path";
import test from "ava";
import { RecordBatchReader, tableFromArrays, tableFromIPC } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli, tempDir } from "./run-cli.js";

const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const aaplKey = "symbol=AAPL,year=2023,month=1";


/** Arrow IPC file format: "ARROW1" at both ends (the stream format starts with a continuation marker instead). */
function isIpcFile(bytes: Uint8Array): boolean {
  const magic = Buffer.from("ARROW1");
  return Buffer.from(bytes.subarray(0, 6)).equals(magic) && Buffer.from(bytes.subarray(bytes.length - 6)).equals(magic);
}

test(
  "oups query --output x.arrow or x.feather writes the Arrow IPC file format, x.arrows and x.ipc the stream format",
  daemonTest(async (t, { daemon, client }) => {
    const n = 200_000;
    const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    await client.write(aapl, tableFromArrays({ ts, v: Float64Array.from({ length: n }, (_, i) => i / 2) }), { orderedOn: "ts" });
    const dir = await tempDir(t);
    for (const [name, file] of [
      ["x.arrow", true],
      ["x.feather", true],
      ["x.arrows", false],
      ["x.ipc", false],
    ] as const) {
      const path = join(dir, name);
      const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--output", path]);
      t.is(run.code, 0, run.stderr);
      t.is(run.stderr, "", name);
      const bytes = new Uint8Array(await readFile(path));
      t.is(isIpcFile(bytes), file, name);
      const reader = RecordBatchReader.from(bytes);
      t.is(reader.isFile(), file, name);
      const table = tableFromIPC(bytes);
      t.is(table.numRows, n, name);
      t.is(table.getChild("ts")?.get(n - 1), BigInt(n - 1));
      // oups write reads the format back.
      const month = `symbol=AAPL,year=2023,month=${name.length + (file ? 1 : 0)}`;
      const back = await runCli(["write", "--address", daemon.address, "-k", month, "--ordered-on", "ts", path]);
      t.is(back.code, 0, back.stderr);
      t.regex(back.stdout, new RegExp(`^rows received +${n}$`, "m"));
    }
  }),
);

test(
  "oups query --format arrow on an empty result writes a file of the schema alone",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(aapl, tableFromArrays({ ts: BigInt64Array.of(1n, 2n) }), { orderedOn: "ts" });
    const path = join(await tempDir(t), "empty.bin");
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--start", "10", "--format", "arrow", "--output", path]);
    t.is(run.code, 0, run.stderr);
    const bytes = new Uint8Array(await readFile(path));
    t.true(isIpcFile(bytes));
    const table = tableFromIPC(bytes);
    t.is(table.numRows, 0);
    t.deepEqual(table.schema.fields.map((f) => f.name), ["ts"]);
  }),
);

test("oups query --output with an unknown extension is a usage error, not CSV", async (t) => {
  const path = join(await tempDir(t), "day.txt");
  const run = await runCli(["query", "-k", aaplKey, "--output", path]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^oups query: cannot tell the format of '.*day\.txt' from its extension: use \.csv, \.parquet, \.arrow, \.feather, \.arrows, \.ipc, or give --format/);
  await t.throwsAsync(readFile(path), { code: "ENOENT" });
});

test(
  "a large query to a slow pipe or a file prints no MaxListenersExceededWarning, whatever the format",
  daemonTest(async (t, { daemon, client }) => {
    const n = 300_000;
    const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const text = Array.from({ length: n }, (_, i) => `row ${i} with some text to make the output larger`);
    await client.write(aapl, tableFromArrays({ ts, text }), { orderedOn: "ts" });
    const dir = await tempDir(t);
    for (const output of ["all.csv", "all.arrow", "all.arrows", "all.parquet", undefined]) {
      const args = ["query", "--address", daemon.address, "-k", aaplKey];
      const run = await runCli(output === undefined ? [...args, "--format", "csv"] : [...args, "--output", join(dir, output)]);
      t.is(run.code, 0, run.stderr);
      t.notRegex(run.stderr, /MaxListenersExceededWarning/, output ?? "stdout");
      t.is(run.stderr, "", output ?? "stdout");
    }
  }),
);


test(
  "oups query --output x.arrow keeps a text column whose dictionary differs between row groups, nulls included",
  daemonTest(async (t, { daemon, client }) => {
    const n = 10;
    const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const text = Array.from({ length: n }, (_, i) => (i % 4 === 3 ? null : `v${i < 5 ? i % 2 : i}`));
    // Row groups of 3 rows: each has a dictionary of its own.
    await client.write(aapl, tableFromArrays({ ts, text }), { orderedOn: "ts", rowGroupTarget: 3 });
    const path = join(await tempDir(t), "dict.arrow");
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--output", path]);
    t.is(run.code, 0, run.stderr);
    const table = tableFromIPC(new Uint8Array(await readFile(path)));
    t.deepEqual(table.getChild("text")?.toArray(), text);
    t.deepEqual([...(table.getChild("ts")?.toArray() as BigInt64Array)], [...ts]);
  }),
);
