import test from "ava";
import type { RecordBatch } from "apache-arrow";
import { Table } from "apache-arrow";
import type { BoundValue } from "../../../server/src/store/dataset/range.js";
import { FIRST_BATCH_ROWS } from "../../../server/src/store/dataset/read-range.js";
import type { RangeQuery, Store } from "../../../server/src/store/store.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { StoreOpenOptions } from "../../../server/src/store/store.js";
import type { Row } from "../../helpers/engine.js";
import { engineTest, readBatches, rows, span, tableOfRows, testKey, testRowsOf, writeTable } from "../../helpers/engine.js";

const int = (value: number): BoundValue => ({ kind: "int", value: BigInt(value) });

// ts 0, 2, 4, … : four row groups of 20,000 rows, each far above twice the first batch.
const ROWS = 80_000;
const stored = rows(span(0, 2 * ROWS, 2), (i) => i / 2, (i) => `t${i % 7}`);

async function readIpc(store: Store, key: Key, query: RangeQuery): Promise<Table> {
  const read = await store.openRange(key, query);
  const chunks: Uint8Array[] = [];
  for await (const chunk of read.ipcStream(1 << 20)) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  const { tableFromIPC } = await import("apache-arrow");
  return tableFromIPC(bytes);
}

const expectedIn = (start: number, end: number): Row[] => stored.filter((r) => r.ts >= BigInt(start) && r.ts < BigInt(end));

// The first row group is read in two parts: its first rows alone, then the rest; with the cache on, cold (after a
// restart) or hot (written through), and off (parts decoded by the worker straight to IPC).
const setups: { name: string; options: StoreOpenOptions; restart: boolean }[] = [
  { name: "cache off", options: { rowGroupCacheBytes: 0 }, restart: false },
  { name: "cache cold", options: {}, restart: true },
  { name: "cache hot", options: {}, restart: false },
];
const ranges: { name: string; query: RangeQuery; start: number; end: number }[] = [
  { name: "every row", query: {}, start: 0, end: 2 * ROWS },
  { name: "bounds inside the first and last row groups", query: { start: int(10_001), end: int(150_001) }, start: 10_001, end: 150_001 },
  { name: "a bound inside one row group", query: { start: int(41_000), end: int(41_100) }, start: 41_000, end: 41_100 },
  { name: "bounds cutting the first row group right after its first batch", query: { start: int(2 * FIRST_BATCH_ROWS - 2), end: int(60_000) }, start: 2 * FIRST_BATCH_ROWS - 2, end: 60_000 },
];

for (const setup of setups) {
  for (const range of ranges) {
    test(
      `${setup.name}, ${range.name}: the first batch is small, and the rows are exactly those of the range, as batches and as IPC`,
      engineTest(async (t, fixture) => {
        await writeTable(fixture.store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 20_000 }, 10_000);
        const store = setup.restart ? await fixture.reopen(setup.options) : fixture.store;
        const expected = expectedIn(range.start, range.end);
        const batches = await readBatches(store, testKey, { ...range.query, maxRowsPerBatch: 8_000 });
        t.deepEqual(testRowsOf(new Table(batches)), expected);
        t.is(batches[0]!.numRows, Math.min(FIRST_BATCH_ROWS, expected.length));
        t.true(batches.every((b) => b.numRows <= 8_000));
        t.deepEqual(testRowsOf(await readIpc(store, testKey, range.query)), expected);
        // A projection, in another order than the file's.
        const projected = new Table(await readBatches(store, testKey, { ...range.query, columns: ["tag", "ts"] }));
        t.deepEqual(projected.schema.fields.map((f) => f.name), ["tag", "ts"]);
        t.deepEqual(testRowsOf(projected), expected.map(({ tag, ts }) => ({ tag, ts }) as never));
      }, setup.options),
    );
  }
}

test(
  "a read stopped after its first batch releases its generation: the files a later write replaced are deleted",
  engineTest(
    async (t, { store, datasetDir }) => {
      await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 20_000 }, 10_000);
      const { readdir } = await import("node:fs/promises");
      const before = (await readdir(datasetDir())).filter((f) => f.endsWith(".parquet"));
      const read = await store.openRange(testKey, {});
      const iterator = read.batches();
      const first = await iterator.next();
      t.is((first.value as RecordBatch).numRows, FIRST_BATCH_ROWS);
      // Every row replaced: all the files the read holds become obsolete.
      await writeTable(store, testKey, tableOfRows(stored.map((r) => ({ ...r, v: -1 }))), { orderedOn: "ts", rowGroupTarget: 20_000, duplicatesOn: ["ts"] });
      t.deepEqual((await readdir(datasetDir())).filter((f) => before.includes(f)), before, "pinned by the open read");
      await iterator.return(undefined);
      let left = before;
      for (let i = 0; i < 1_000 && left.length > 0; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        left = (await readdir(datasetDir())).filter((f) => before.includes(f));
      }
      t.deepEqual(left, []);
      // The workers are free again: a new read runs to the end.
      t.is(new Table(await readBatches(store, testKey, {})).numRows, ROWS);
    },
    { rowGroupCacheBytes: 0, parquetWorkers: 2 },
  ),
);
