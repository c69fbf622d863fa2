import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues, marketBatch } from "./helpers/market-data.js";
import { tapWrites } from "./helpers/write-tap.js";

const keyA = { symbol: "A", year: "2024", month: "1" };
const keyB = { symbol: "B", year: "2024", month: "1" };
const WRITERS = 16;
const ROWS = 500;

test(
  "16 concurrent writers to one key are all applied, one commit each, in the order they reached the engine",
  daemonTest(async (t, { client, daemon }) => {
    const tap = tapWrites(daemon.store);
    // Every writer writes the same timestamps; its rows are told apart by qty = writer number. No deduplication.
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        client.write(keyA, marketBatch(0, ROWS, { qty: () => w }), { orderedOn: "timestamp", rowGroupTarget: 2_000, metadata: { writer: String(w) } }),
      ),
    );
    const arrival: number[] = [];
    for (let i = 0; i < WRITERS; i++) arrival.push(Number((await tap.next()).options.metadata?.writer));
    tap.restore();

    const generations = results.map((r) => r.generation);
    t.deepEqual([...generations].sort((a, b) => a - b), Array.from({ length: WRITERS }, (_, i) => i + 1), "distinct generations, one per write");
    const byGeneration = results.map((r, w) => ({ w, generation: r.generation })).sort((a, b) => a.generation - b.generation).map((x) => x.w);
    t.deepEqual(byGeneration, arrival, "commits follow the order the engine received the writes in");
    for (const r of results) t.is(r.rowsReceived, ROWS);
    t.is(Math.max(...results.map((r) => r.totalRows)), WRITERS * ROWS);

    const back = await client.read(keyA, { columns: ["timestamp", "qty"] });
    t.is(back.numRows, WRITERS * ROWS);
    // Equal timestamps keep the rows already stored first: each timestamp lists the writers in commit order.
    const qty = columnValues(back, "qty") as Int32Array;
    const expected = Int32Array.from({ length: WRITERS * ROWS }, (_, i) => byGeneration[i % WRITERS]!);
    t.deepEqual(Array.from(qty.subarray(0, 3 * WRITERS)), Array.from(expected.subarray(0, 3 * WRITERS)));
    t.true(qty.every((v, i) => v === expected[i]), "every timestamp lists the writers in commit order");
  }),
);

test(
  "a slow write to one key blocks neither writes to another key nor reads of its own",
  daemonTest(async (t, { client, daemon }) => {
    await client.write(keyA, marketBatch(0, 100), { orderedOn: "timestamp" });
    const tap = tapWrites(daemon.store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    t.teardown(() => release());
    async function* slow(): AsyncGenerator<RecordBatch> {
      yield marketBatch(100, 100);
      yield marketBatch(200, 100);
      await released;
      yield marketBatch(300, 100);
    }
    let slowDone = false;
    const slowWrite = client.write(keyA, slow()).finally(() => {
      slowDone = true;
    });
    // The engine is inside the slow write (it has merged its first batch) and waits for more rows.
    const inEngine = await tap.next();
    await inEngine.pulled(1);

    const other = await client.write(keyB, marketBatch(0, 50), { orderedOn: "timestamp" });
    t.is(other.totalRows, 50);
    t.is((await client.read(keyA)).numRows, 100, "readers see the committed rows without waiting");
    // A second write to the slow key waits its turn behind it.
    const queued = client.write(keyA, marketBatch(400, 10));
    t.false(slowDone);

    release();
    const [first, second] = await Promise.all([slowWrite, queued]);
    t.is(first.totalRows, 400);
    t.is(second.totalRows, 410);
    t.is(second.generation, first.generation + 1);
  }),
);
