import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import test from "ava";
import { Table, TimestampMillisecond, tableFromArrays, tableToIPC, vectorFromArray } from "apache-arrow";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli, tempDir } from "./run-cli.js";

// The README's Node SDK example and `oups write x.csv` make the same types by default, so that either appends to a
// dataset the other created: text of either encoding is one logical type, and both make timestamps in ms without a
// time zone.

const key: KeyFields = { symbol: "AAPL", year: "2023", month: "1" };
const keyFlag = "symbol=AAPL,year=2023,month=1";
const minute = (m: number) => new Date(Date.UTC(2023, 0, 2, 9, 30 + m));

/** The README example's rows, as it builds them. */
const ticks = (minutes: number[]) =>
  tableFromArrays({
    timestamp: minutes.map(minute),
    symbol: minutes.map(() => "AAPL"),
    price: Float64Array.from(minutes, (m) => 189.5 + m / 100),
  });

/** The same rows as a CSV file. */
const ticksCsv = (minutes: number[]) =>
  ["timestamp,symbol,price", ...minutes.map((m) => `${minute(m).toISOString()},AAPL,${189.5 + m / 100}`), ""].join("\n");

async function csvFile(t: Parameters<typeof tempDir>[0], minutes: number[]): Promise<string> {
  const file = join(await tempDir(t), "ticks.csv");
  await writeFile(file, ticksCsv(minutes));
  return file;
}

function rowsOf(table: Table): string[] {
  return table.toArray().map((row) => `${new Date(Number(row.timestamp)).toISOString()} ${String(row.symbol)} ${String(row.price)}`);
}

const expectedRows = (minutes: number[]) => minutes.map((m) => `${minute(m).toISOString()} AAPL ${189.5 + m / 100}`);

async function typesOf(client: OupsClient): Promise<string[]> {
  return ((await client.describe(key)).schema?.fields ?? []).map((f) => `${f.name}: ${String(f.type)}`);
}

test(
  "the README SDK example's dataset takes rows appended from a CSV file by oups write, with no flag",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(key, ticks([0, 1, 2]), { orderedOn: "timestamp", duplicatesOn: ["timestamp", "symbol"] });
    const run = await runCli(["write", "--address", daemon.address, "--key", keyFlag, "--duplicates-on", "timestamp,symbol", await csvFile(t, [2, 3, 4])]);
    t.is(run.code, 0, run.stderr);
    t.deepEqual(rowsOf(await client.read(key)), expectedRows([0, 1, 2, 3, 4]));
    t.deepEqual(await typesOf(client), ["timestamp: Timestamp<MILLISECOND>", "symbol: Dictionary<Int32, Utf8>", "price: Float64"]);
  }),
);

test(
  "a dataset created from a CSV file by oups write takes the README SDK example's rows",
  daemonTest(async (t, { daemon, client }) => {
    const run = await runCli(["write", "--address", daemon.address, "--key", keyFlag, "--ordered-on", "timestamp", await csvFile(t, [0, 1, 2])]);
    t.is(run.code, 0, run.stderr);
    await client.write(key, ticks([3, 4]));
    t.deepEqual(rowsOf(await client.read(key)), expectedRows([0, 1, 2, 3, 4]));
    t.deepEqual(await typesOf(client), ["timestamp: Timestamp<MILLISECOND>", "symbol: Utf8", "price: Float64"]);
  }),
);

test(
  "oups write --timestamp-tz matches a dataset in UTC, and without it the daemon says to use it",
  daemonTest(async (t, { daemon, client }) => {
    const utc = new Table({ timestamp: vectorFromArray([minute(0)], new TimestampMillisecond("UTC")), symbol: vectorFromArray(["AAPL"]), price: vectorFromArray([1]) });
    await client.write(key, utc, { orderedOn: "timestamp" });
    const file = await csvFile(t, [1]);
    const refused = await runCli(["write", "--address", daemon.address, "--key", keyFlag, file]);
    t.is(refused.code, 1);
    t.regex(refused.stderr, /column "timestamp": the dataset's timestamps have time zone "UTC".*oups write --timestamp-tz UTC/);
    const run = await runCli(["write", "--address", daemon.address, "--key", keyFlag, "--timestamp-tz", "UTC", file]);
    t.is(run.code, 0, run.stderr);
    t.is((await client.read(key)).numRows, 2);
  }),
);

test(
  "oups write --timestamp-tz none relabels the UTC timestamps of an Arrow file for a dataset without a time zone",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(key, ticks([0]), { orderedOn: "timestamp" });
    const file = join(await tempDir(t), "ticks.arrows");
    const utc = new Table({ timestamp: vectorFromArray([minute(1)], new TimestampMillisecond("UTC")), symbol: vectorFromArray(["AAPL"]), price: vectorFromArray([189.51]) });
    await writeFile(file, tableToIPC(utc, "stream"));
    const bad = await runCli(["write", "--address", daemon.address, "--key", keyFlag, "--timestamp-tz", "Mars/Olympus", file]);
    t.is(bad.code, 2);
    t.regex(bad.stderr, /--timestamp-tz: 'Mars\/Olympus' is not a time zone/);
    const run = await runCli(["write", "--address", daemon.address, "--key", keyFlag, "--timestamp-tz", "none", file]);
    t.is(run.code, 0, run.stderr);
    t.deepEqual(rowsOf(await client.read(key)), expectedRows([0, 1]));
  }),
);
