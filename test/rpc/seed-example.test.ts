import test from "ava";
import { tableFromArrays } from "apache-arrow";
import { Store, toplevel } from "../../client/src/index.js";
import { withDaemon } from "../helpers/with-daemon.js";

test("the seed's example runs as written: declare, connect, write with dedup, query, read", async (t) => {
  await withDaemon(
    async ({ daemon }) => {
      const DataIndex = toplevel("DataIndex", { symbol: "string", year: "string", month: "string" });
      const store = await Store.connect(daemon.address, DataIndex);
      try {
        const key = DataIndex.key({ symbol: "AAPL", year: "2023", month: "01" });
        const ts = (s: number) => new Date(Date.UTC(2023, 0, 1, 0, 0, s));
        const first = tableFromArrays({
          timestamp: [ts(1), ts(2), ts(3)],
          symbol: ["AAPL", "AAPL", "AAPL"],
          price: Float64Array.from([1, 2, 3]),
        });
        await store.get(key).write(first, { orderedOn: "timestamp", duplicatesOn: ["timestamp", "symbol"] });
        // An update overlapping the last row: the new price of 00:00:03 wins, 00:00:04 is appended.
        const update = tableFromArrays({
          timestamp: [ts(3), ts(4)],
          symbol: ["AAPL", "AAPL"],
          price: Float64Array.from([30, 4]),
        });
        await store.get(key).write(update, { orderedOn: "timestamp", duplicatesOn: ["timestamp", "symbol"] });

        const prices: number[] = [];
        for await (const batch of store.get(key).rangeQuery({ start: ts(2), end: ts(4), columns: ["price"] })) {
          t.deepEqual(batch.schema.fields.map((f) => f.name), ["price"]);
          prices.push(...(batch.getChild("price")!.toArray() as Float64Array));
        }
        t.deepEqual(prices, [2, 30]);

        const all = await store.get(key).read({});
        t.deepEqual([...(all.getChild("price")!.toArray() as Float64Array)], [1, 2, 30, 4]);
        t.deepEqual(await store.keys(), [{ symbol: "AAPL", year: "2023", month: "01" }]);
      } finally {
        store.close();
      }
    },
    { index: null },
  );
});
