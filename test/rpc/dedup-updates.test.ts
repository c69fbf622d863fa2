import test from "ava";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { columnValues, marketBatch, T0_MS } from "./helpers/market-data.js";

/** One daemon for the file; each test writes a key of its own. */
const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = () => ({ symbol: `DUP${nextKey++}`, year: "2024", month: "1" });

/** Rows 0..99 priced `i`, in row groups of 20 rows. */
async function writeBase(client: OupsClient, key: KeyFields) {
  return client.write(key, marketBatch(0, 100, { price: (i) => i }), { orderedOn: "timestamp", rowGroupTarget: 20 });
}

test(
  "an overlapping update with duplicatesOn replaces the overlapped rows, new data winning, and appends the rest",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    await writeBase(client, key);
    const before = await client.describe(key);
    t.is(before.rowGroups.length, 5);

    const update = marketBatch(50, 100, { price: (i) => 1000 + i });
    const result = await client.write(key, update, { duplicatesOn: ["timestamp"], rowGroupTarget: 20 });
    t.is(result.rowsReceived, 100);
    t.is(result.totalRows, 150);
    t.is(result.generation, 2);

    const back = await client.read(key);
    const expectedPrices = Array.from({ length: 150 }, (_, i) => (i < 50 ? i : 1000 + i));
    t.deepEqual([...(columnValues(back, "price") as Float64Array)], expectedPrices);
    t.deepEqual(
      [...(columnValues(back, "timestamp") as BigInt64Array)],
      Array.from({ length: 150 }, (_, i) => BigInt(T0_MS + i)),
    );
    // The row groups before the update's range are kept as they are: same files.
    const after = await client.describe(key);
    t.deepEqual(
      after.rowGroups.slice(0, 2).map((g) => g.file),
      before.rowGroups.slice(0, 2).map((g) => g.file),
    );
    t.true(result.rowGroupsRewritten >= 1 && result.rowGroupsRewritten <= 3, `rewritten ${result.rowGroupsRewritten}`);
  },
);

test(
  "without deduplication an overlapping update keeps both copies, existing rows first",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    await writeBase(client, key);
    const result = await client.write(key, marketBatch(90, 20, { price: (i) => 1000 + i }), { rowGroupTarget: 20 });
    t.is(result.totalRows, 120);
    const back = await client.read(key);
    const prices = [...(columnValues(back, "price") as Float64Array)];
    // Rows 90..99 appear twice: the existing copy, then the new one.
    const expected = [
      ...Array.from({ length: 90 }, (_, i) => i),
      ...Array.from({ length: 10 }, (_, j) => [90 + j, 1090 + j]).flat(),
      ...Array.from({ length: 10 }, (_, j) => 1100 + j),
    ];
    t.deepEqual(prices, expected);
  },
);

test(
  "duplicatesOn other columns always includes the ordered column, and duplicates within one write keep the last",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    // Two rows per timestamp (i and i+1 share timestamp i>>1); symbols differ between them, qty does not.
    const spec = { timestampMs: (i: number) => i >> 1, qty: () => 7, price: (i: number) => i };
    await client.write(key, marketBatch(0, 10, spec), { orderedOn: "timestamp", duplicatesOn: ["qty"] });
    const back = await client.read(key);
    // Equal on (timestamp, qty): only the last row of each timestamp stays.
    t.deepEqual([...(columnValues(back, "price") as Float64Array)], [1, 3, 5, 7, 9]);
  },
);

test(
  "dropDuplicates with no duplicatesOn drops rows equal on every column",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    await writeBase(client, key);
    // Rows 95..104 again: 95..99 are exact copies, 100..104 new.
    const result = await client.write(key, marketBatch(95, 10, { price: (i) => i }), { dropDuplicates: true });
    t.is(result.totalRows, 105);
    const back = await client.read(key);
    t.deepEqual([...(columnValues(back, "price") as Float64Array)], Array.from({ length: 105 }, (_, i) => i));
  },
);
