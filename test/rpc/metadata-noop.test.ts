import test from "ava";
import { tableFromArrays } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";

const key = { symbol: "AAPL", year: "2023", month: "1" };
const table = tableFromArrays({ ts: BigInt64Array.of(1n, 2n, 3n) });

test(
  "UpdateMetadata removing a key that is not there makes no new commit",
  daemonTest(async (t, { client }) => {
    await client.write(key, table, { orderedOn: "ts", metadata: { a: "1" } });
    const { generation } = await client.describe(key);
    t.deepEqual(await client.updateMetadata(key, { remove: ["missing"] }), { a: "1" });
    t.deepEqual(await client.updateMetadata(key, { set: { a: "1" } }), { a: "1" }, "a value set to itself");
    t.is((await client.describe(key)).generation, generation);
    await client.updateMetadata(key, { remove: ["a"] });
    t.is((await client.describe(key)).generation, generation + 1, "a real removal still commits");
  }),
);

test(
  "a Write of no rows whose only change removes an absent metadata key makes no new commit",
  daemonTest(async (t, { client }) => {
    await client.write(key, table, { orderedOn: "ts", metadata: { a: "1" } });
    const { generation } = await client.describe(key);
    const result = await client.write(key, table.slice(0, 0), { removeMetadata: ["missing"] });
    t.is(result.generation, generation);
    t.is(result.totalRows, 3);
    const described = await client.describe(key);
    t.is(described.generation, generation);
    t.deepEqual(described.metadata, { a: "1" });
    const removing = await client.write(key, table.slice(0, 0), { removeMetadata: ["a"] });
    t.is(removing.generation, generation + 1, "a real removal still commits");
  }),
);
