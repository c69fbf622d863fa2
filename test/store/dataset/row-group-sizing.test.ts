import test from "ava";
import { Float64, TimestampMillisecond } from "apache-arrow";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { ModelRow } from "../../helpers/reference-merge.js";
import { referenceMerge } from "../../helpers/reference-merge.js";
import {
  columnTable,
  listedFiles,
  readAll,
  rowGroupProblems,
  rowGroupSizes,
  rows,
  rowsOf,
  snapshotFiles,
  sharedStoreTest,
  span,
  tableOfRows,
  testRowsOf,
  unchangedFiles,
  writeTable,
} from "../../helpers/engine.js";

const sharedTest = sharedStoreTest();

const HOUR = 3_600_000n;
const DAY = 24n * HOUR;
const JAN_2024 = BigInt(Date.UTC(2024, 0, 1));

/** A table of millisecond timestamps `ts` (every `step` from `start`, `count` of them) and a float `v`. */
function timestamps(start: bigint, step: bigint, count: number, v: number) {
  const table = columnTable({
    ts: { type: new TimestampMillisecond(), values: span(0, count).map((i) => start + BigInt(i) * step) },
    v: { type: new Float64(), values: span(0, count).map((i) => v + i) },
  });
  return { table, rows: rowsOf(table) };
}

/** The period of `ms` as a comparable key: its floor for fixed periods, its UTC month for "MS". */
function periodOf(freq: string, ms: bigint): string {
  if (freq === "MS") {
    const date = new Date(Number(ms));
    return `${date.getUTCFullYear()}-${date.getUTCMonth()}`;
  }
  const length = { "2h": 2n * HOUR, "1D": DAY, "1h": HOUR }[freq]!;
  return String(ms - (((ms % length) + length) % length));
}

interface PeriodCase {
  freq: string;
  writes: { start: bigint; step: bigint; count: number }[];
}

const periodCases: PeriodCase[] = [
  {
    freq: "2h",
    writes: [
      { start: JAN_2024 + 5n * 60_000n, step: 17n * 60_000n, count: 42 },
      { start: JAN_2024 + 5n * HOUR, step: 23n * 60_000n, count: 30 },
    ],
  },
  {
    freq: "1D",
    writes: [
      { start: JAN_2024 + 3n * HOUR, step: 5n * HOUR, count: 24 },
      { start: JAN_2024 + 2n * DAY, step: 7n * HOUR, count: 21 },
    ],
  },
  {
    freq: "MS",
    writes: [
      { start: JAN_2024 + 14n * DAY, step: 9n * DAY, count: 14 },
      { start: JAN_2024 + 50n * DAY, step: 13n * DAY, count: 12 },
    ],
  },
];

for (const c of periodCases) {
  test(
    `a "${c.freq}" row-group target keeps every row group within one period`,
    sharedTest(async (t, { store, key }) => {
      const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: c.freq };
      let model: ModelRow[] = [];
      for (const [w, spec] of c.writes.entries()) {
        const { table, rows: incoming } = timestamps(spec.start, spec.step, spec.count, w * 1000);
        await writeTable(store, key, table, options);
        model = referenceMerge(model, incoming, "ts", undefined);
        t.deepEqual(rowsOf(await readAll(store, key)), model);
        const { rowGroups } = await store.describe(key);
        t.deepEqual(rowGroupProblems(rowGroups), []);
        const straddling = rowGroups.filter((g) => periodOf(c.freq, g.min as bigint) !== periodOf(c.freq, g.max as bigint));
        t.deepEqual(straddling, [], "row groups spanning two periods");
        if (w === 0) {
          const periods = new Set(incoming.map((r) => periodOf(c.freq, r.ts as bigint)));
          t.is(rowGroups.length, periods.size, "a first write makes one row group per non-empty period");
        }
      }
    }),
  );
}

test(
  "a compaction call with a longer period merges row groups of the same period",
  sharedTest(async (t, { store, key }) => {
    // Four one-hour row groups, compacted to two-hour ones (the reference's own example).
    const { table, rows: stored } = timestamps(JAN_2024, 15n * 60_000n, 16, 0);
    await writeTable(store, key, table, { orderedOn: "ts", rowGroupTarget: "1h" });
    t.is((await store.describe(key)).rowGroups.length, 4);
    await store.write(key, { schema: table.schema, batches: [] }, { rowGroupTarget: "2h", maxNOffTargetRgs: 1 });
    t.deepEqual(await rowGroupSizes(store, key), [8, 8]);
    t.deepEqual(rowsOf(await readAll(store, key)), stored);
  }),
);

test(
  "a write coalesces small row groups of the same period with maxNOffTargetRgs",
  sharedTest(async (t, { store, key }) => {
    const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: "1D" };
    let model: ModelRow[] = [];
    for (const [i, start] of [JAN_2024 + HOUR, JAN_2024 + 5n * HOUR, JAN_2024 + 9n * HOUR].entries()) {
      const { table, rows: incoming } = timestamps(start, 60_000n, 3, i * 100);
      await writeTable(store, key, table, i === 2 ? { ...options, maxNOffTargetRgs: 1 } : options);
      model = referenceMerge(model, incoming, "ts", undefined);
      t.deepEqual(await rowGroupSizes(store, key), i === 0 ? [3] : i === 1 ? [3, 3] : [9]);
    }
    t.deepEqual(rowsOf(await readAll(store, key)), model);
  }),
);

interface CoalesceCase {
  title: string;
  /** Appends of consecutive ts values, in rows per write; the last one with `last` options. */
  appends: number[];
  last: Partial<WriteOptions>;
  before: number[];
  after: number[];
  /** Row-group files listed before the last write and still listed (and unchanged) after it. */
  untouched: number;
}

const coalesceCases: CoalesceCase[] = [
  {
    title: "small appends each add a row group when no coalescing bound is given",
    appends: [3, 3, 3, 3, 3],
    last: {},
    before: [3, 3, 3, 3],
    after: [3, 3, 3, 3, 3],
    untouched: 4,
  },
  {
    title: "an append with maxNOffTargetRgs=1 coalesces the small tail row groups with it",
    appends: [3, 3, 3, 3, 3],
    last: { maxNOffTargetRgs: 1 },
    before: [3, 3, 3, 3],
    after: [10, 5],
    untouched: 0,
  },
  {
    title: "an append leaves a short tail alone while it is within maxNOffTargetRgs and below the target",
    appends: [3, 3, 3],
    last: { maxNOffTargetRgs: 5 },
    before: [3, 3],
    after: [3, 3, 3],
    untouched: 2,
  },
  {
    title: "an append coalesces a tail within maxNOffTargetRgs once it would fill a row group",
    appends: [4, 4, 4],
    last: { maxNOffTargetRgs: 5 },
    before: [4, 4],
    after: [10, 2],
    untouched: 0,
  },
  {
    title: "an append leaves off-target row groups away from it alone",
    appends: [3, 3, 20, 3],
    last: { maxNOffTargetRgs: 1 },
    before: [3, 3, 10, 10],
    after: [3, 3, 10, 10, 3],
    untouched: 4,
  },
  {
    title: "a compaction call (no rows, maxNOffTargetRgs) coalesces small row groups",
    appends: [3, 3, 3, 3, 0],
    last: { maxNOffTargetRgs: 1 },
    before: [3, 3, 3, 3],
    after: [10, 2],
    untouched: 0,
  },
  {
    title: "a compaction call leaves row groups already on target untouched",
    appends: [20, 9, 0],
    last: { maxNOffTargetRgs: 1 },
    before: [10, 10, 9],
    after: [10, 10, 9],
    untouched: 3,
  },
  {
    title: "a write of no rows without maxNOffTargetRgs rewrites nothing",
    appends: [3, 3, 0],
    last: {},
    before: [3, 3],
    after: [3, 3],
    untouched: 2,
  },
];

for (const c of coalesceCases) {
  test(
    c.title,
    sharedTest(async (t, { store, key, datasetDir }) => {
      const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 10 };
      let next = 0;
      const model: ReturnType<typeof rows> = [];
      for (const [i, count] of c.appends.entries()) {
        const last = i === c.appends.length - 1;
        if (last) t.deepEqual(await rowGroupSizes(store, key), c.before);
        const before = await snapshotFiles(datasetDir());
        const listedBefore = i > 0 ? await listedFiles(store, key) : [];
        const incoming = rows(span(next, next + count), (j) => next + j);
        next += count;
        model.push(...incoming);
        const table = tableOfRows(incoming);
        // A write of no rows still names its schema, as an RPC client's stream does.
        await store.write(key, { schema: table.schema, batches: count > 0 ? table.batches : [] }, last ? { ...options, ...c.last } : options);
        if (!last) continue;
        t.deepEqual(await rowGroupSizes(store, key), c.after);
        const listedAfter = await listedFiles(store, key);
        const kept = listedBefore.filter((file) => listedAfter.includes(file));
        t.is(kept.length, c.untouched);
        const unchanged = unchangedFiles(before, await snapshotFiles(datasetDir()));
        t.true(kept.every((file) => unchanged.includes(file)));
      }
      t.deepEqual(testRowsOf(await readAll(store, key)), model);
    }),
  );
}
