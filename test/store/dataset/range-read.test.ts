import test from "ava";
import type { DataType } from "apache-arrow";
import { Float64, Int32, Int64, TimestampMillisecond, Utf8 } from "apache-arrow";
import type { BoundValue } from "../../../server/src/store/dataset/range.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { RangeQuery } from "../../../server/src/store/store.js";
import type { Row } from "../../helpers/engine.js";
import { columnTable, engineTest, fileNames, readAll, rows, rowsOf, sharedStoreTest, span, tableOfRows, testKey, testRowsOf, writeTable } from "../../helpers/engine.js";
import { referenceMerge } from "../../helpers/reference-merge.js";

const sharedTest = sharedStoreTest();

/** ts 0, 2, ..., 198 (so that odd bounds fall between rows), ten row groups of ten rows. */
const stored = rows(span(0, 200, 2), (i) => i, (i) => `t${i}`);
const int = (value: number): BoundValue => ({ kind: "int", value: BigInt(value) });

interface BoundsCase {
  title: string;
  query: RangeQuery;
  keep: (ts: number) => boolean;
}

const boundsCases: BoundsCase[] = [
  { title: "a range without bounds reads every row", query: {}, keep: () => true },
  { title: "an open end reads from the start bound on", query: { start: int(50) }, keep: (ts) => ts >= 50 },
  { title: "an open start reads up to the end bound, excluded", query: { end: int(50) }, keep: (ts) => ts < 50 },
  { title: "an inclusive end bound includes rows equal to it", query: { end: int(50), endInclusive: true }, keep: (ts) => ts <= 50 },
  { title: "a start bound between rows starts at the next row", query: { start: int(51) }, keep: (ts) => ts >= 51 },
  { title: "a closed range is start-inclusive and end-exclusive", query: { start: int(40), end: int(60) }, keep: (ts) => ts >= 40 && ts < 60 },
  {
    title: "a closed range with an inclusive end holds both bounds",
    query: { start: int(40), end: int(60), endInclusive: true },
    keep: (ts) => ts >= 40 && ts <= 60,
  },
  { title: "a range aligned on row-group bounds reads exactly one row group", query: { start: int(20), end: int(40) }, keep: (ts) => ts >= 20 && ts < 40 },
  { title: "an empty range with equal bounds reads nothing", query: { start: int(60), end: int(60) }, keep: () => false },
  { title: "equal bounds with an inclusive end read the rows of that value", query: { start: int(60), end: int(60), endInclusive: true }, keep: (ts) => ts === 60 },
  {
    title: "fractional bounds in order with no whole value between them read nothing",
    query: { start: { kind: "double", value: 49.5 }, end: { kind: "double", value: 49.7 }, endInclusive: true },
    keep: () => false,
  },
  { title: "bounds around the whole dataset read every row", query: { start: int(-100), end: int(1000) }, keep: () => true },
  { title: "a start after the last row reads nothing", query: { start: int(500) }, keep: () => false },
  { title: "an end before the first row reads nothing", query: { end: int(0) }, keep: () => false },
  { title: "a double bound on an integer column rounds to whole rows", query: { start: { kind: "double", value: 49.5 }, end: { kind: "double", value: 60.5 } }, keep: (ts) => ts >= 50 && ts <= 60 },
];

// Each case reads through the decoded row-group cache (twice: filled, then hit) and without it, where the workers
// cut row groups themselves.
const uncachedTest = sharedStoreTest({ rowGroupCacheBytes: 0 });
for (const c of boundsCases) {
  for (const [mode, fixtureTest, reads] of [
    ["", sharedTest, 2],
    [" (no row-group cache)", uncachedTest, 1],
  ] as const) {
    test(
      c.title + mode,
      fixtureTest(async (t, { store, key }) => {
        await writeTable(store, key, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
        for (let read = 0; read < reads; read++) {
          const table = await readAll(store, key, c.query);
          t.deepEqual(
            table.schema.fields.map((f) => f.name),
            ["ts", "v", "tag"],
          );
          t.deepEqual(testRowsOf(table), stored.filter((r) => c.keep(Number(r.ts))));
        }
      }),
    );
  }
}

interface ProjectionCase {
  title: string;
  query: RangeQuery;
  columns: string[];
  keep: (ts: number) => boolean;
}

const projections: ProjectionCase[] = [
  { title: "a projection returns the requested columns in the requested order", query: { columns: ["tag", "ts"] }, columns: ["tag", "ts"], keep: () => true },
  {
    title: "a projection without the ordered column still cuts row groups at the bounds",
    query: { columns: ["v"], start: int(45), end: int(75) },
    columns: ["v"],
    keep: (ts) => ts >= 45 && ts < 75,
  },
  {
    title: "a projection naming every column in another order reorders them",
    query: { columns: ["v", "tag", "ts"], start: int(190) },
    columns: ["v", "tag", "ts"],
    keep: (ts) => ts >= 190,
  },
];

for (const c of projections) {
  test(
    c.title,
    sharedTest(async (t, { store, key }) => {
      await writeTable(store, key, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
      const table = await readAll(store, key, c.query);
      t.deepEqual(
        table.schema.fields.map((f) => f.name),
        c.columns,
      );
      const expected = stored.filter((r) => c.keep(Number(r.ts))).map((r) => Object.fromEntries(c.columns.map((name) => [name, r[name as keyof Row]])));
      const back = rowsOf(table);
      t.deepEqual(back, expected);
      t.deepEqual(back.map((r) => Object.keys(r)), expected.map(() => c.columns));
    }),
  );
}

const badQueries: { title: string; query: RangeQuery; message: RegExp }[] = [
  { title: "a projection naming an unknown column is rejected with INVALID_ARGUMENT", query: { columns: ["ts", "nope"] }, message: /unknown columns "nope"/ },
  { title: "a projection naming a column twice is rejected with INVALID_ARGUMENT", query: { columns: ["ts", "v", "ts"] }, message: /columns asked for twice: ts/ },
  { title: "a bound of another kind than the ordered column is rejected with INVALID_ARGUMENT", query: { start: { kind: "string", value: "a" } }, message: /start bound of kind string does not fit/ },
];

for (const c of badQueries) {
  test(
    c.title,
    engineTest(async (t, fixture) => {
      await writeTable(fixture.store, testKey, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 10 });
      const err = await t.throwsAsync(fixture.store.openRange(testKey, c.query), { instanceOf: OupsError, message: c.message });
      t.is(err?.code, "INVALID_ARGUMENT");
      // The failed read must not keep its generation pinned: a rewrite's old files go once the store settles.
      const before = (await fixture.store.describe(testKey)).rowGroups.map((g) => g.file);
      await writeTable(fixture.store, testKey, tableOfRows(rows([0], [99], "z")), { orderedOn: "ts", duplicatesOn: ["ts"] });
      await fixture.reopen();
      t.false((await fileNames(fixture.datasetDir())).includes(before[0]!));
    }),
  );
}

test(
  "reading a key that holds no dataset fails with NOT_FOUND",
  sharedTest(async (t, { store, key }) => {
    const err = await t.throwsAsync(store.openRange(key, {}), { instanceOf: OupsError });
    t.is(err?.code, "NOT_FOUND");
  }),
);

for (const maxRowsPerBatch of [1, 7, 10, 64]) {
  test(
    `batches hold at most maxRowsPerBatch rows (${maxRowsPerBatch})`,
    sharedTest(async (t, { store, key }) => {
      await writeTable(store, key, tableOfRows(stored), { orderedOn: "ts", rowGroupTarget: 25 });
      const read = await store.openRange(key, { maxRowsPerBatch, start: int(3) });
      const sizes: number[] = [];
      for await (const batch of read.batches()) sizes.push(batch.numRows);
      t.true(sizes.every((n) => n > 0 && n <= maxRowsPerBatch), `batch sizes ${sizes.join(",")}`);
      t.true(sizes.includes(Math.min(maxRowsPerBatch, 23)));
      t.is(
        sizes.reduce((a, b) => a + b, 0),
        98,
      );
    }),
  );
}

interface OrderedTypeCase {
  name: string;
  type: DataType;
  value(i: number): unknown;
  bound(i: number): BoundValue;
}

const BASE_MS = 1_700_000_000_000n;

const orderedTypes: OrderedTypeCase[] = [
  { name: "int64", type: new Int64(), value: (i) => BigInt(i * 10), bound: (i) => ({ kind: "int", value: BigInt(i * 10) }) },
  { name: "int32", type: new Int32(), value: (i) => i * 10, bound: (i) => ({ kind: "int", value: BigInt(i * 10) }) },
  { name: "float64", type: new Float64(), value: (i) => i * 1.5 - 20, bound: (i) => ({ kind: "double", value: i * 1.5 - 20 }) },
  { name: "string", type: new Utf8(), value: (i) => `k${String(i).padStart(4, "0")}`, bound: (i) => ({ kind: "string", value: `k${String(i).padStart(4, "0")}` }) },
  {
    name: "timestamp",
    type: new TimestampMillisecond(),
    value: (i) => BASE_MS + BigInt(i) * 250n,
    bound: (i) => {
      const ms = BASE_MS + BigInt(i) * 250n;
      return { kind: "timestamp", seconds: ms / 1000n, nanos: Number(ms % 1000n) * 1_000_000 };
    },
  },
];

for (const c of orderedTypes) {
  test(
    `overlapping writes merge and range reads cut correctly on a ${c.name} ordered column`,
    sharedTest(async (t, { store, key }) => {
      const make = (ordinals: number[], v: number) => {
        const table = columnTable({
          k: { type: c.type, values: ordinals.map((i) => c.value(i)) },
          v: { type: new Float64(), values: ordinals.map((_, j) => v + j) },
        });
        return { table, rows: rowsOf(table) };
      };
      const first = make(span(0, 40, 2), 0);
      const second = make(span(20, 60, 3), 1000);
      await writeTable(store, key, first.table, { orderedOn: "k", rowGroupTarget: 6 });
      await writeTable(store, key, second.table, { orderedOn: "k", rowGroupTarget: 6 });
      const model = referenceMerge(first.rows, second.rows, "k", undefined);
      t.deepEqual(rowsOf(await readAll(store, key)), model);
      const lo = c.value(10) as bigint;
      const hi = c.value(45) as bigint;
      t.deepEqual(
        rowsOf(await readAll(store, key, { start: c.bound(10), end: c.bound(45) })),
        model.filter((r) => (r.k as bigint) >= lo && (r.k as bigint) < hi),
      );
      t.deepEqual(
        rowsOf(await readAll(store, key, { start: c.bound(10), end: c.bound(45), endInclusive: true })),
        model.filter((r) => (r.k as bigint) >= lo && (r.k as bigint) <= hi),
      );
    }),
  );
}

test(
  "a dataset created by a metadata-only write reads as empty",
  sharedTest(async (t, { store, key }) => {
    await store.write(key, { schema: undefined, batches: [] }, { orderedOn: "ts", metadata: { source: "test" } });
    const table = await readAll(store, key);
    t.is(table.numRows, 0);
    t.like(await store.describe(key), { totalRows: 0, orderedOn: "ts", metadata: { source: "test" } });
  }),
);
