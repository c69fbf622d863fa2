import test from "ava";
import { Table, TimestampMillisecond, makeData, makeVector, tableFromArrays } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { runCli } from "./run-cli.js";

const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const aaplKey = "symbol=AAPL,year=2023,month=1";
const ts = (m: number) => new Date(Date.UTC(2023, 0, 2, 9, 30 + m));

test(
  "oups query with epoch seconds on a millisecond timestamp column finds nothing and says the bound looks 1000 times off",
  daemonTest(async (t, { daemon, client }) => {
    const times = BigInt64Array.from([0, 1, 2], (m) => BigInt(ts(m).getTime()));
    await client.write(aapl, new Table({ ts: makeVector(makeData({ type: new TimestampMillisecond("UTC"), length: 3, data: times })) }), { orderedOn: "ts" });
    const start = String(Date.UTC(2023, 0, 2) / 1000);
    const end = String(Date.UTC(2023, 0, 3) / 1000);
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--start", start, "--end", end]);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout, "ts\n");
    t.is(
      run.stderr,
      `oups query: no rows: --start ${start} is about 1000 times smaller than the values of "ts" ` +
        "(2023-01-02T09:30:00.000Z to 2023-01-02T09:32:00.000Z): a bound in another time unit? An integer bound counts " +
        "milliseconds since the epoch here; an ISO date (2023-01-02T09:30:00Z) needs no unit.\n" +
        `oups query: no rows: --end ${end} is about 1000 times smaller than the values of "ts" ` +
        "(2023-01-02T09:30:00.000Z to 2023-01-02T09:32:00.000Z): a bound in another time unit?\n",
    );
  }),
);

test(
  "oups query on an int64 column of epoch nanoseconds with bounds in seconds says they look a billion times off",
  daemonTest(async (t, { daemon, client }) => {
    const base = 1_672_651_800_000_000_000n;
    await client.write(aapl, tableFromArrays({ t: BigInt64Array.of(base, base + 1_000_000_000n) }), { orderedOn: "t" });
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--end", "1672651801"]);
    t.regex(run.stderr, /^oups query: no rows: --end 1672651801 is about a billion times smaller than the values of "t" /);
  }),
);

test(
  "oups query with --start after --end is refused, naming both bounds",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(aapl, tableFromArrays({ ts: [ts(0), ts(1), ts(2)] }), { orderedOn: "ts" });
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--start", "2023-01-03", "--end", "2023-01-02"]);
    t.is(run.code, 1, run.stderr);
    t.is(run.stderr, "oups query: start bound 2023-01-03T00:00:00.000000000Z is after end bound 2023-01-02T00:00:00.000000000Z\n");
  }),
);

test(
  "oups query with --start equal to --end says the range is empty",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(aapl, tableFromArrays({ ts: [ts(0), ts(1), ts(2)] }), { orderedOn: "ts" });
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--start", "2023-01-02", "--end", "2023-01-02"]);
    t.is(run.code, 0, run.stderr);
    t.is(run.stderr, "oups query: no rows: --start 2023-01-02T00:00:00.000Z equals --end 2023-01-02T00:00:00.000Z: the range is empty\n");
  }),
);

test(
  "oups query that finds nothing for no visible reason prints nothing on stderr",
  daemonTest(async (t, { daemon, client }) => {
    await client.write(aapl, tableFromArrays({ ts: [ts(0), ts(1), ts(2)] }), { orderedOn: "ts" });
    const run = await runCli(["query", "--address", daemon.address, "-k", aaplKey, "--start", "2023-02-01"]);
    t.is(run.code, 0, run.stderr);
    t.is(run.stdout, "ts\n");
    t.is(run.stderr, "");
  }),
);
