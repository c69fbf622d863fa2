import test from "ava";
import { status } from "@grpc/grpc-js";
import { DatasetWriter, OupsClientError, Store, toplevel } from "../../client/src/index.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { columnValues, firstDifference, marketBatch } from "./helpers/market-data.js";

/** One daemon for the file; each test writes a key of its own. */
const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = () => ({ symbol: `DW${nextKey++}`, year: "2024", month: "1" });
const options = { orderedOn: "timestamp", rowGroupTarget: 10_000 };

test(
  "appends stay buffered until flushRows rows are, then go out in one commit",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    const writer = new DatasetWriter(client, key, { ...options, flushRows: 1_000 });
    for (let i = 0; i < 3; i++) writer.append(marketBatch(i * 300, 300));
    t.is(writer.pendingRows, 900);
    t.deepEqual(await client.listKeys({ symbol: key.symbol }), [], "nothing written before the threshold");
    writer.append(marketBatch(900, 300));
    t.is(writer.pendingRows, 0, "the threshold starts a flush of everything buffered");
    await writer.flush();
    t.is(writer.results.length, 1);
    t.is(writer.results[0]!.rowsReceived, 1_200);
    t.is((await client.describe(key)).totalRows, 1_200);
  },
);

test(
  "flush writes what is buffered as one commit, and does nothing when nothing is",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    const writer = new DatasetWriter(client, key, options);
    writer.append(marketBatch(0, 10));
    writer.append(marketBatch(10, 5));
    await writer.flush();
    t.is(writer.results.length, 1);
    t.is(writer.results[0]!.rowsReceived, 15);
    await writer.flush();
    t.is(writer.results.length, 1, "an empty flush makes no commit");
    t.is((await client.describe(key)).generation, 1);
  },
);

test(
  "close flushes what is left and refuses later appends",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    const writer = new DatasetWriter(client, key, options);
    writer.append(marketBatch(0, 7));
    await writer.close();
    t.is((await client.describe(key)).totalRows, 7);
    const err = t.throws(() => writer.append(marketBatch(7, 1)), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.FAILED_PRECONDITION);
    await writer.close();
    t.is(writer.results.length, 1);
  },
);

test(
  "many small appends make one commit per flush, with every row present and in order",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    const writer = new DatasetWriter(client, key, { ...options, flushRows: 1_000 });
    // 53 appends of 97 rows: a flush every 11 appends (1067 rows), 4 in all, and one more on close (873 rows).
    for (let i = 0; i < 53; i++) writer.append(marketBatch(i * 97, 97));
    await writer.close();
    const description = await client.describe(key);
    t.is(writer.results.length, 5);
    t.is(description.generation, writer.results.length, "one commit per result");
    t.deepEqual(writer.results.map((r) => r.generation), [1, 2, 3, 4, 5]);
    t.deepEqual(writer.results.map((r) => r.rowsReceived), [1067, 1067, 1067, 1067, 873]);
    const back = await client.read(key);
    const expected = marketBatch(0, 53 * 97);
    for (const name of ["timestamp", "symbol", "price", "qty"]) {
      t.is(firstDifference(columnValues(back, name), columnValues(expected, name)), -1, name);
    }
  },
);

test(
  "a failed flush keeps its rows out of the store and is reported by the next call",
  async (t) => {
    const { client } = shared();
    const key = newKey();
    const writer = new DatasetWriter(client, key, options);
    writer.append(marketBatch(0, 10));
    await writer.flush();
    // Two appends whose concatenation goes back in time: the commit is refused.
    writer.append(marketBatch(100, 10));
    writer.append(marketBatch(50, 10));
    const err = await t.throwsAsync(writer.flush(), { instanceOf: OupsClientError });
    t.is(err?.code, "UNORDERED_INPUT");
    t.is(err?.grpcCode, status.INVALID_ARGUMENT);
    t.throws(() => writer.append(marketBatch(200, 1)), { instanceOf: OupsClientError, message: err?.message });
    await t.throwsAsync(writer.close(), { instanceOf: OupsClientError });
    t.is(writer.results.length, 1);
    const back = await client.read(key);
    t.deepEqual(Array.from(columnValues(back, "qty")), Array.from({ length: 10 }, (_, i) => i));
  },
);

test("a Store's dataset handles hand out writers on their key", async (t) => {
  const { daemon } = shared();
  const store = await Store.connect(daemon.address, toplevel("TestIndex", { symbol: "string", year: "int" }, { month: "int" }));
  t.teardown(() => store.close());
  const writer = store.get({ symbol: "DWS", year: 2024, month: 1 }).writer({ ...options, flushRows: 5 });
  writer.append(marketBatch(0, 5));
  writer.append(marketBatch(5, 5));
  await writer.close();
  t.deepEqual(writer.results.map((r) => r.totalRows), [5, 10]);
  t.deepEqual(await store.keys({ symbol: "DWS" }), [{ symbol: "DWS", year: 2024, month: 1 }]);
});
