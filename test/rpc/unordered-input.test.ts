import test from "ava";
import { Table, TimestampMicrosecond, makeData, makeVector, tableFromArrays } from "apache-arrow";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";

const key = { symbol: "AAPL", year: "2023", month: "1" };

test(
  "UNORDERED_INPUT names the batch and row within the write, from 1, with timestamps as ISO times in their unit",
  daemonTest(async (t, { client }) => {
    const us = (s: string) => BigInt(Date.parse(s)) * 1000n + 1n;
    const batch = (times: string[]) => {
      const data = makeData({ type: new TimestampMicrosecond("UTC"), length: times.length, data: BigInt64Array.from(times, us) });
      return new Table({ ts: makeVector(data) }).batches[0]!;
    };
    const batches = [batch(["2023-01-02T09:30:00Z"]), batch(["2023-01-02T09:31:00Z", "2023-01-02T09:32:00Z", "2023-01-02T09:31:59Z"])];
    const err = await t.throwsAsync(client.write(key, batches, { orderedOn: "ts" }), { instanceOf: OupsClientError });
    t.is(err?.code, "UNORDERED_INPUT");
    t.is(
      err?.message,
      'rows not ordered on "ts": batch 2, row 3 (2023-01-02T09:31:59.000001Z) is less than the row before it ' +
        "(2023-01-02T09:32:00.000001Z); row 4 of the write, batches and rows counted from 1",
    );
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "UNORDERED_INPUT quotes text values and names the last row of the previous batch across a boundary",
  daemonTest(async (t, { client }) => {
    const batches = [tableFromArrays({ s: ["a", "c"] }).batches[0]!, tableFromArrays({ s: ["b"] }).batches[0]!];
    const err = await t.throwsAsync(client.write(key, batches, { orderedOn: "s" }), { instanceOf: OupsClientError });
    t.regex(err?.message ?? "", /batch 2, row 1 \("b"\) is less than the last row of the batch before \("c"\); row 3 of the write/);
  }),
);
