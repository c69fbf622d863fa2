import test from "ava";
import { join } from "node:path";
import type { BoundValue } from "../../../server/src/store/dataset/range.js";
import { MAX_CACHED_READ_ROW_GROUPS } from "../../../server/src/store/dataset/read-range.js";
import { RowGroupCache } from "../../../server/src/store/dataset/row-group-cache.js";
import { engineTest, readAll, rows, span, tableOfRows, testKey, testRowsOf, writeTable } from "../../helpers/engine.js";

const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);
const int = (value: number): BoundValue => ({ kind: "int", value: BigInt(value) });

test("the cache drops the least recently used row groups to stay within its budget", (t) => {
  const cache = new RowGroupCache(100);
  cache.set("/d/a", 1, bytes(40, 1), cache.epoch);
  cache.set("/d/b", 1, bytes(40, 2), cache.epoch);
  t.deepEqual(cache.get("/d/a", 1), bytes(40, 1)); // a is now the most recently used
  cache.set("/d/c", 1, bytes(40, 3), cache.epoch);
  t.is(cache.get("/d/b", 1), undefined);
  t.deepEqual(cache.get("/d/a", 1), bytes(40, 1));
  t.deepEqual(cache.get("/d/c", 1), bytes(40, 3));
  t.deepEqual(cache.stats, { bytes: 80, rowGroups: 2, hits: 3, misses: 1 });
});

test("an entry larger than the whole budget is not kept, and a budget of 0 keeps nothing", (t) => {
  const cache = new RowGroupCache(10);
  cache.set("/d/a", 1, bytes(11), cache.epoch);
  t.is(cache.get("/d/a", 1), undefined);
  const off = new RowGroupCache(0);
  off.set("/d/a", 1, bytes(1), off.epoch);
  t.is(off.stats.rowGroups, 0);
});

test("a file of another size under the same name is another entry", (t) => {
  const cache = new RowGroupCache(100);
  cache.set("/d/a", 1, bytes(10, 1), cache.epoch);
  t.is(cache.get("/d/a", 2), undefined);
  cache.set("/d/a", 1, bytes(20, 2), cache.epoch);
  t.deepEqual(cache.stats.bytes, 20);
});

test("a row group decoded before a dropDir is not kept after it", (t) => {
  const cache = new RowGroupCache(100);
  const epoch = cache.epoch;
  cache.dropDir("/s/AAPL");
  cache.set("/s/AAPL/rg-1", 1, bytes(10), epoch);
  t.is(cache.get("/s/AAPL/rg-1", 1), undefined);
  cache.set("/s/AAPL/rg-1", 1, bytes(10), cache.epoch);
  t.not(cache.get("/s/AAPL/rg-1", 1), undefined);
});

test("dropDir forgets the row groups of one directory only", (t) => {
  const cache = new RowGroupCache(100);
  cache.set(join("/s", "AAPL", "rg-1"), 1, bytes(10), cache.epoch);
  cache.set(join("/s", "AAPL2", "rg-1"), 1, bytes(10), cache.epoch);
  cache.dropDir(join("/s", "AAPL"));
  t.is(cache.get(join("/s", "AAPL", "rg-1"), 1), undefined);
  t.not(cache.get(join("/s", "AAPL2", "rg-1"), 1), undefined);
});

// ts 0..99, ten row groups of ten rows.
const stored = rows(span(0, 100), (i) => i, (i) => `t${i}`);

test(
  "a small read of row groups read before decodes them once: the same read again is served from memory",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    // A restarted store: the row groups the write put in the cache are gone, the reads decode them.
    const store = await fixture.reopen();
    const query = { start: int(15), end: int(35) };
    // Read once, they are not kept (each counts as a miss); read again, they are.
    const once = testRowsOf(await readAll(store, testKey, query));
    t.deepEqual(store.rowGroupCacheStats, { bytes: 0, rowGroups: 0, hits: 0, misses: 3 });
    const first = testRowsOf(await readAll(store, testKey, query));
    t.deepEqual(first, once);
    const after = store.rowGroupCacheStats;
    t.is(after.rowGroups, 3);
    t.is(after.misses, 6);
    const second = testRowsOf(await readAll(store, testKey, query));
    t.deepEqual(second, first);
    t.deepEqual(second, stored.slice(15, 35));
    t.is(store.rowGroupCacheStats.hits, after.hits + 3);
    t.is(store.rowGroupCacheStats.misses, after.misses);
    // A projection is served from the cached row groups too.
    const projected = await readAll(store, testKey, { ...query, columns: ["tag"] });
    t.deepEqual(
      projected.getChild("tag")!.toArray(),
      stored.slice(15, 35).map((r) => r.tag),
    );
    t.is(store.rowGroupCacheStats.hits, after.hits + 6);
  }),
);

test(
  "a read meeting one cached row group goes through the cache, and keeps the others it decodes",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    const store = await fixture.reopen();
    await readAll(store, testKey, { start: int(20), end: int(30) });
    await readAll(store, testKey, { start: int(20), end: int(30) });
    t.is(store.rowGroupCacheStats.rowGroups, 1);
    // Row groups 1 and 3 are asked for the first time, but row group 2 is held: all three are kept.
    t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(15), end: int(35) })), stored.slice(15, 35));
    t.is(store.rowGroupCacheStats.rowGroups, 3);
  }),
);

test("the cache admits a row group on its second ask, and forgets asks under a dropped directory", (t) => {
  const cache = new RowGroupCache(100);
  const path = join("/s", "AAPL", "rg-1");
  t.false(cache.admits(path, 1));
  t.true(cache.admits(path, 1));
  t.false(cache.admits(path, 2), "another size is another file");
  cache.dropDir(join("/s", "AAPL"));
  t.false(cache.admits(path, 1));
  const off = new RowGroupCache(0);
  off.admits(path, 1);
  t.false(off.admits(path, 1), "a cache of no budget admits nothing");
});

test(
  "a scan of more row groups than reads cache neither fills nor evicts the cache",
  engineTest(async (t, { store }) => {
    await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    t.true(10 > MAX_CACHED_READ_ROW_GROUPS);
    await readAll(store, testKey, { start: int(0), end: int(10) });
    const before = store.rowGroupCacheStats;
    t.deepEqual(testRowsOf(await readAll(store, testKey)), stored);
    t.deepEqual(store.rowGroupCacheStats, before);
  }),
);

test(
  "a key removed and written again is read from its new files, never from the cache of the old ones",
  engineTest(async (t, { store }) => {
    await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    await readAll(store, testKey, { end: int(30) });
    await store.remove(testKey);
    const replaced = rows(span(0, 100), (i) => 1000 + i, (i) => `new${i}`);
    await writeTable(store, testKey, tableOfRows(replaced), { orderedOn: "ts", rowGroupTarget: 10 });
    t.deepEqual(testRowsOf(await readAll(store, testKey, { end: int(30) })), replaced.slice(0, 30));
  }),
);

test(
  "a cache budget of 0 turns the cache off",
  engineTest(
    async (t, { store }) => {
      await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
      t.deepEqual(testRowsOf(await readAll(store, testKey, { end: int(30) })), stored.slice(0, 30));
      t.deepEqual(store.rowGroupCacheStats, { bytes: 0, rowGroups: 0, hits: 0, misses: 0 });
    },
    { rowGroupCacheBytes: 0 },
  ),
);
