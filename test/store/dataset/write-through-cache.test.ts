import test from "ava";
import type { BoundValue } from "../../../server/src/store/dataset/range.js";
import { readdir } from "node:fs/promises";
import { engineTest, readAll, rows, span, tableOfRows, testKey, testRowsOf, writeTable } from "../../helpers/engine.js";

const int = (value: number): BoundValue => ({ kind: "int", value: BigInt(value) });

// ts 0..99, ten row groups of ten rows.
const stored = rows(span(0, 100), (i) => i, (i) => `t${i}`);

test(
  "the row groups a write produced are read from memory: the read after the write returns exactly the rows written",
  engineTest(async (t, { store }) => {
    await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    const cached = store.rowGroupCacheStats;
    t.is(cached.rowGroups, 10);
    t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(55), end: int(100) })), stored.slice(55));
    t.is(store.rowGroupCacheStats.misses, cached.misses);
    t.is(store.rowGroupCacheStats.hits, cached.hits + 5);
    // Projection and a bound inside a row group, from the cached rows.
    const projected = await readAll(store, testKey, { start: int(93), end: int(97), columns: ["tag", "ts"] });
    t.deepEqual(projected.schema.fields.map((f) => f.name), ["tag", "ts"]);
    t.deepEqual(testRowsOf(projected), stored.slice(93, 97).map(({ tag, ts }) => ({ tag, ts }) as never));
  }),
);

test(
  "a later commit that rewrites a row group is read with its new rows, never the cached old ones",
  engineTest(async (t, { store }) => {
    await writeTable(store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
    t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(80) })), stored.slice(80));
    // Same timestamps, new values: dedup on ts rewrites the last two row groups.
    const update = rows(span(85, 95), (i) => 1000 + i, (i) => `u${i}`);
    const result = await writeTable(store, testKey, tableOfRows(update), { orderedOn: "ts", rowGroupTarget: 10, duplicatesOn: ["ts"] });
    t.true(result.rowGroupsRewritten >= 2);
    const expected = [...stored.slice(80, 85), ...update, ...stored.slice(95)];
    t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(80) })), expected);
    // The update's own row groups went into the cache: the same read again decodes nothing.
    const misses = store.rowGroupCacheStats.misses;
    t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(80) })), expected);
    t.is(store.rowGroupCacheStats.misses, misses);
  }),
);

test(
  "a write that fails leaves none of its row groups in the cache, so the next write's files are read as written",
  engineTest(
    async (t, { store, datasetDir }) => {
      await writeTable(store, testKey, tableOfRows(stored.slice(0, 20)), { orderedOn: "ts", rowGroupTarget: 10 });
      const before = store.rowGroupCacheStats.rowGroups;
      const files = await readdir(datasetDir());
      // Windows of 10 rows: row groups are written before the unordered batch fails the write.
      const ok = rows(span(20, 60), (i) => -i, (i) => `bad${i}`);
      const unordered = rows([10], () => 0, () => "x");
      const failing = tableOfRows([...ok, ...unordered]);
      await t.throwsAsync(writeTable(store, testKey, failing, { orderedOn: "ts", rowGroupTarget: 10 }, 10), { message: /order/ });
      t.is(store.rowGroupCacheStats.rowGroups, before);
      t.deepEqual(await readdir(datasetDir()), files);
      await writeTable(store, testKey, tableOfRows(stored.slice(20)), { orderedOn: "ts", rowGroupTarget: 10 });
      t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(20), end: int(60) })), stored.slice(20, 60));
    },
    { writeWindowRows: 10 },
  ),
);

test(
  "row groups written through stay within the cache's budget, the newest kept",
  engineTest(
    async (t, { store }) => {
      const many = rows(span(0, 2_000), (i) => i, (i) => `row-${i}-${"x".repeat(40)}`);
      await writeTable(store, testKey, tableOfRows(many), { orderedOn: "ts", rowGroupTarget: 100 });
      const stats = store.rowGroupCacheStats;
      t.true(stats.bytes <= 64 * 1024, `${stats.bytes} bytes cached`);
      t.true(stats.rowGroups > 0 && stats.rowGroups < 20);
      // The newest row group is among those kept.
      const hits = stats.hits;
      t.deepEqual(testRowsOf(await readAll(store, testKey, { start: int(1_950) })), many.slice(1_950));
      t.is(store.rowGroupCacheStats.hits, hits + 1);
    },
    { rowGroupCacheBytes: 64 * 1024 },
  ),
);
