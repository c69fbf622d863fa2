import test from "ava";
import { tableFromArrays } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";

const key = { symbol: "AAPL", year: "2023", month: "1" };

test(
  "rows written through the SDK read back identical",
  daemonTest(async (t, { client }) => {
    const table = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n, 4n]), px: Float64Array.from([1, 2, 3, 4]) });
    const result = await client.write(key, table, { orderedOn: "ts" });
    t.is(result.totalRows, 4);
    const back = await client.read(key);
    t.deepEqual(back.toArray().map((r) => r.toJSON()), table.toArray().map((r) => r.toJSON()));
  }),
);
