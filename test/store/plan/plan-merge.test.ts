import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { buildAtomicRegions } from "../../../server/src/store/plan/atomic-regions.js";
import { parsePeriod } from "../../../server/src/store/plan/period.js";
import { periodSizing } from "../../../server/src/store/plan/period-sizing.js";
import {
  type MergePlanOptions,
  type MergeSequence,
  planMerge,
  type RowGroupStats,
  type RowGroupTarget,
} from "../../../server/src/store/plan/plan-merge.js";
import { rowCountSizing } from "../../../server/src/store/plan/row-count-sizing.js";
import { assertPlanInvariants, chunk, range, rg, rgOf, seededRandom, seq, simulateWrite } from "./plan-helpers.js";

/** Raw nanosecond timestamp of an ISO UTC date-time. */
function ts(iso: string): bigint {
  return BigInt(Date.parse(`${iso}Z`)) * 1_000_000n;
}

/** Raw nanosecond timestamp of a time of day on 2020-01-01. */
function hm(time: string): bigint {
  return ts(`2020-01-01T${time}`);
}

/** Stats of a row group spanning two times of day on 2020-01-01. */
function rgAt(min: string, max: string, rows = 1): RowGroupStats {
  return rg(hm(min), hm(max), rows);
}

function rows(n: number): RowGroupTarget {
  return { kind: "rows", rows: n };
}

function every(freq: string): RowGroupTarget {
  return { kind: "period", period: parsePeriod(freq, "ns") };
}

interface PlanCase {
  title: string;
  rowGroups: RowGroupStats[];
  incoming: Ordinal[];
  options: MergePlanOptions;
  expected: MergeSequence[];
}

const tens = [rg(0, 9, 10), rg(10, 19, 10), rg(20, 29, 10), rg(30, 39, 10)];

const placementCases: PlanCase[] = [
  {
    title: "a first write into an empty dataset is one insertion of everything",
    rowGroups: [],
    incoming: range(0, 250),
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(0, 0, [chunk(0, 0, 0, 250)])],
  },
  {
    title: "a first write into an empty dataset ignores maxNOffTargetRgs",
    rowGroups: [],
    incoming: range(0, 250),
    options: { target: rows(100), dropDuplicates: true, maxNOffTargetRgs: 1 },
    expected: [seq(0, 0, [chunk(0, 0, 0, 250)])],
  },
  {
    title: "nothing is planned for no incoming rows into an empty dataset",
    rowGroups: [],
    incoming: [],
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [],
  },
  {
    title: "nothing is planned for no incoming rows without maxNOffTargetRgs",
    rowGroups: [rg(0, 9, 10), rg(10, 19, 500)],
    incoming: [],
    options: { target: rows(100), dropDuplicates: false },
    expected: [],
  },
  {
    title: "rows after the last row group are appended",
    rowGroups: tens,
    incoming: [40, 41, 42],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(4, 4, [chunk(4, 4, 0, 3)])],
  },
  {
    title: "rows before the first row group are inserted before it",
    rowGroups: [rg(10, 19, 10), rg(20, 29, 10)],
    incoming: [1, 2],
    options: { target: rows(100), dropDuplicates: true },
    expected: [seq(0, 0, [chunk(0, 0, 0, 2)])],
  },
  {
    title: "rows in a gap between row groups are inserted there",
    rowGroups: [rg(0, 9, 10), rg(20, 29, 10), rg(30, 39, 10)],
    incoming: [12, 15],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(1, 1, [chunk(1, 1, 0, 2)])],
  },
  {
    title: "an overlap in the middle rewrites only the touched row groups",
    rowGroups: tens,
    incoming: [12, 15, 22],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(1, 3, [chunk(1, 3, 0, 3)])],
  },
  {
    title: "two separate overlaps give two sequences",
    rowGroups: tens,
    incoming: [5, 35],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(0, 1, [chunk(0, 1, 0, 1)]), seq(3, 4, [chunk(3, 4, 1, 2)])],
  },
  {
    title: "rows in a gap next to an overlapped row group join its sequence",
    rowGroups: [rg(0, 9, 10), rg(20, 29, 10)],
    incoming: [5, 15],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(0, 1, [chunk(0, 1, 0, 2)])],
  },
  {
    title: "without dedupe a value equal to a row group max goes after it",
    rowGroups: [rg(10, 20, 10), rg(30, 40, 10)],
    incoming: [20],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(1, 1, [chunk(1, 1, 0, 1)])],
  },
  {
    title: "with dedupe a value equal to a row group max rewrites it",
    rowGroups: [rg(10, 20, 10), rg(30, 40, 10)],
    incoming: [20],
    options: { target: rows(100), dropDuplicates: true },
    expected: [seq(0, 1, [chunk(0, 1, 0, 1)])],
  },
  {
    title: "without dedupe a single-valued row group never absorbs its value",
    rowGroups: [rg(43, 43, 5)],
    incoming: [43],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(1, 1, [chunk(1, 1, 0, 1)])],
  },
  {
    title: "with dedupe a single-valued row group absorbs its value",
    rowGroups: [rg(43, 43, 5)],
    incoming: [43],
    options: { target: rows(100), dropDuplicates: true },
    expected: [seq(0, 1, [chunk(0, 1, 0, 1)])],
  },
  {
    title: "without dedupe a value equal to a row group min rewrites it",
    rowGroups: [rg(10, 20, 10)],
    incoming: [10],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(0, 1, [chunk(0, 1, 0, 1)])],
  },
];

const straddleCases: PlanCase[] = [
  {
    title: "without dedupe a value shared by two row groups only rewrites the second",
    rowGroups: [rg(1, 5, 10), rg(5, 9, 10)],
    incoming: [5],
    options: { target: rows(10), dropDuplicates: false },
    expected: [seq(1, 2, [chunk(1, 2, 0, 1)])],
  },
  {
    title: "with dedupe a value shared by two row groups rewrites both in one chunk",
    rowGroups: [rg(1, 5, 10), rg(5, 9, 10)],
    incoming: [5],
    // Target 10 alone would end a chunk after the first row group.
    options: { target: rows(10), dropDuplicates: true },
    expected: [seq(0, 2, [chunk(0, 2, 0, 1)])],
  },
  {
    title: "with dedupe a run of equal values over three row groups stays in one chunk",
    rowGroups: [rg(1, 5, 4), rg(5, 5, 4), rg(5, 9, 4), rg(10, 12, 4)],
    incoming: [5, 11],
    options: { target: rows(4), dropDuplicates: true },
    expected: [seq(0, 4, [chunk(0, 3, 0, 1), chunk(3, 4, 1, 2)])],
  },
  {
    // Row counts decide where chunks end: the shared value's rows must count for the later row group only.
    title: "with dedupe incoming rows equal to a shared value count for the later row group",
    rowGroups: [rg(1, 5, 3), rg(5, 9, 3), rg(10, 12, 3)],
    incoming: [5, 5, 5, 5, 11],
    options: { target: rows(4), dropDuplicates: true },
    expected: [seq(0, 3, [chunk(0, 2, 0, 4), chunk(2, 3, 4, 5)])],
  },
  {
    // The reference's "complex case": row groups 4 to 6 share the value 14.
    title: "the straddle fix removes chunk cuts between row groups sharing a value",
    rowGroups: [
      rg(1, 3, 3),
      rg(3, 6, 3),
      rg(8, 10, 3),
      rg(11, 11, 1),
      rg(12, 14, 3),
      rg(14, 14, 3),
      rg(14, 14, 1),
      rg(19, 22, 2),
    ],
    incoming: [14, 18, 19, 20, 26],
    options: { target: rows(3), dropDuplicates: true, maxNOffTargetRgs: 1 },
    expected: [seq(3, 8, [chunk(3, 7, 0, 2), chunk(7, 8, 2, 5)])],
  },
];

const offTargetCases: PlanCase[] = [
  {
    title: "small trailing row groups are coalesced with an on-target append",
    rowGroups: [rg(0, 99, 100), rg(100, 199, 100), rg(200, 229, 30), rg(230, 259, 30)],
    incoming: range(260, 350),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(2, 4, [chunk(2, 4, 0, 90)])],
  },
  {
    title: "small trailing row groups stay without maxNOffTargetRgs",
    rowGroups: [rg(0, 99, 100), rg(100, 199, 100), rg(200, 229, 30), rg(230, 259, 30)],
    incoming: range(260, 350),
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(4, 4, [chunk(4, 4, 0, 90)])],
  },
  {
    title: "off-target row groups stay while their count is within maxNOffTargetRgs and they are small",
    rowGroups: [rg(0, 99, 100), rg(100, 199, 100), rg(200, 229, 30)],
    incoming: range(230, 240),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 2 },
    expected: [seq(3, 3, [chunk(3, 3, 0, 10)])],
  },
  {
    title: "off-target row groups are rewritten once their count exceeds maxNOffTargetRgs",
    rowGroups: [rg(0, 99, 100), rg(100, 199, 100), rg(200, 229, 30)],
    incoming: range(230, 240),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(2, 3, [chunk(2, 3, 0, 10)])],
  },
  {
    title: "off-target row groups away from the incoming rows are left alone",
    rowGroups: [rg(0, 9, 10), rg(10, 19, 10), rg(20, 119, 100)],
    incoming: range(200, 290),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(3, 3, [chunk(3, 3, 0, 90)])],
  },
  {
    title: "an oversized row group next to appended rows is rewritten with them",
    rowGroups: [rg(0, 119, 120)],
    incoming: range(120, 130),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(0, 1, [chunk(0, 1, 0, 10)])],
  },
  {
    title: "a merge region of many small row groups is cut into chunks of about the target",
    rowGroups: [rg(0, 1, 2), rg(1, 1, 2), rg(2, 3, 2), rg(4, 5, 2), rg(5, 6, 2), rg(6, 7, 2), rg(8, 9, 2), rg(10, 11, 2)],
    incoming: [1, 9, 13, 14],
    options: { target: rows(4), dropDuplicates: false, maxNOffTargetRgs: 2 },
    expected: [seq(0, 8, [chunk(0, 2, 0, 0), chunk(2, 4, 0, 1), chunk(4, 6, 1, 1), chunk(6, 7, 1, 2), chunk(7, 8, 2, 4)])],
  },
  {
    title: "with dedupe chunks count the larger part of each region only",
    rowGroups: [rg(0, 1, 2), rg(1, 1, 2), rg(2, 3, 2), rg(4, 5, 2), rg(5, 6, 2), rg(6, 7, 2), rg(8, 9, 2), rg(10, 11, 2)],
    incoming: [1, 9, 13, 14],
    options: { target: rows(4), dropDuplicates: true, maxNOffTargetRgs: 2 },
    expected: [seq(0, 8, [chunk(0, 2, 0, 1), chunk(2, 4, 1, 1), chunk(4, 6, 1, 1), chunk(6, 8, 1, 4)])],
  },
];

const compactionCases: PlanCase[] = [
  {
    title: "a compaction call splits oversized row groups",
    rowGroups: [rg(1, 2, 8), rg(4, 6, 10)],
    incoming: [],
    options: { target: rows(4), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(0, 2, [chunk(0, 1, 0, 0), chunk(1, 2, 0, 0)])],
  },
  {
    title: "a compaction call leaves on-target row groups alone",
    rowGroups: [rg(1, 2, 4), rg(4, 6, 4)],
    incoming: [],
    options: { target: rows(4), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [],
  },
  {
    title: "a compaction call leaves a lone small row group alone",
    rowGroups: [rg(0, 99, 100), rg(100, 109, 10)],
    incoming: [],
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [],
  },
  {
    title: "a compaction call merges one-hour row groups into two-hour periods",
    rowGroups: [rgAt("00:00", "00:30"), rgAt("01:00", "01:30"), rgAt("02:00", "02:30"), rgAt("03:00", "03:30")],
    incoming: [],
    options: { target: every("2h"), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(0, 4, [chunk(0, 2, 0, 0), chunk(2, 4, 0, 0)])],
  },
  {
    title: "a compaction call splits a row group spanning two periods",
    rowGroups: [rgAt("08:00", "11:00"), rgAt("13:00", "13:59")],
    incoming: [],
    options: { target: every("2h"), dropDuplicates: true, maxNOffTargetRgs: 1 },
    expected: [seq(0, 1, [chunk(0, 1, 0, 0)])],
  },
];

const periodCases: PlanCase[] = [
  {
    title: "a period append after the last row group does not rewrite it",
    rowGroups: [rgAt("08:10", "09:10"), rgAt("10:10", "10:10")],
    incoming: [hm("12:10")],
    options: { target: every("2h"), dropDuplicates: false, maxNOffTargetRgs: 3 },
    expected: [seq(2, 2, [chunk(2, 2, 0, 1)])],
  },
  {
    title: "without dedupe a period append equal to the last max goes after it",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00")],
    incoming: [hm("10:00")],
    options: { target: every("2h"), dropDuplicates: false, maxNOffTargetRgs: 3 },
    expected: [seq(2, 2, [chunk(2, 2, 0, 1)])],
  },
  {
    title: "with dedupe a period append equal to the last max rewrites it",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00")],
    incoming: [hm("10:00")],
    options: { target: every("2h"), dropDuplicates: true, maxNOffTargetRgs: 3 },
    expected: [seq(1, 2, [chunk(1, 2, 0, 1)])],
  },
  {
    title: "data in a new period rewrites the off-target row groups of the previous period",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00"), rgAt("11:00", "11:00")],
    incoming: [hm("13:00")],
    options: { target: every("2h"), dropDuplicates: true, maxNOffTargetRgs: 3 },
    expected: [seq(1, 3, [chunk(1, 3, 0, 0), chunk(3, 3, 0, 1)])],
  },
  {
    title: "a period insert sharing a period with row groups rewrites them, one chunk per period",
    rowGroups: [rgAt("08:10", "09:10"), rgAt("12:10", "12:10"), rgAt("13:10", "13:10")],
    incoming: [hm("08:00")],
    options: { target: every("2h"), dropDuplicates: true, maxNOffTargetRgs: 2 },
    expected: [seq(0, 3, [chunk(0, 1, 0, 1), chunk(1, 3, 1, 1)])],
  },
  {
    title: "off-target period row groups are rewritten once their count exceeds maxNOffTargetRgs",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00"), rgAt("11:00", "11:00")],
    incoming: [hm("11:00")],
    options: { target: every("2h"), dropDuplicates: false, maxNOffTargetRgs: 2 },
    expected: [seq(1, 3, [chunk(1, 3, 0, 1)])],
  },
  {
    title: "off-target period row groups stay while within maxNOffTargetRgs",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00"), rgAt("11:00", "11:00")],
    incoming: [hm("11:00")],
    options: { target: every("2h"), dropDuplicates: false, maxNOffTargetRgs: 3 },
    expected: [seq(3, 3, [chunk(3, 3, 0, 1)])],
  },
  {
    title: "empty periods between row groups and new data change nothing",
    rowGroups: [rgAt("08:00", "09:00"), rgAt("10:00", "10:00")],
    incoming: [hm("23:00")],
    options: { target: every("2h"), dropDuplicates: true, maxNOffTargetRgs: 2 },
    expected: [seq(2, 2, [chunk(2, 2, 0, 1)])],
  },
  {
    title: "monthly data over several months is cut into one chunk per period",
    rowGroups: [rg(ts("2024-01-01T00:00"), ts("2024-01-15T00:00"), 5), rg(ts("2024-03-01T00:00"), ts("2024-03-15T00:00"), 5)],
    incoming: [ts("2024-01-20T00:00"), ts("2024-02-10T00:00"), ts("2024-03-20T00:00")],
    options: { target: every("MS"), dropDuplicates: false, maxNOffTargetRgs: 1 },
    expected: [seq(0, 2, [chunk(0, 1, 0, 2), chunk(1, 2, 2, 3)])],
  },
];

const allCases: ReadonlyArray<[group: string, cases: PlanCase[]]> = [
  ["placement", placementCases],
  ["straddle", straddleCases],
  ["off target", offTargetCases],
  ["compaction", compactionCases],
  ["period", periodCases],
];

for (const [group, cases] of allCases) {
  for (const { title, rowGroups, incoming, options, expected } of cases) {
    test(`${group}: ${title}`, (t) => {
      const plan = planMerge(rowGroups, incoming, options);
      t.deepEqual(plan.sequences, expected);
      assertPlanInvariants(t, rowGroups, incoming, plan, options.dropDuplicates);
    });
  }
}

test("coalescing small trailing row groups with an append writes on-target row groups", (t) => {
  const existing = [range(0, 100), range(100, 200), range(200, 230), range(230, 260)];
  const incoming = range(260, 350);
  const target = rows(100);
  const plan = planMerge(existing.map(rgOf), incoming, { target, dropDuplicates: false, maxNOffTargetRgs: 1 });
  const written = simulateWrite(existing, incoming, plan, target, false);
  t.deepEqual(
    written.map((group) => group.length),
    [100, 100, 100, 50],
  );
  t.deepEqual(written.flat(), range(0, 350));
});

test("the compaction of four one-hour row groups into two-hour periods produces two row groups", (t) => {
  const existing = ["00", "01", "02", "03"].map((hour) => [hm(`${hour}:00`), hm(`${hour}:20`), hm(`${hour}:40`)]);
  const target = every("2h");
  const plan = planMerge(existing.map(rgOf), [], { target, dropDuplicates: false, maxNOffTargetRgs: 1 });
  const written = simulateWrite(existing, [], plan, target, false);
  t.deepEqual(written, [existing.slice(0, 2).flat(), existing.slice(2).flat()]);
  // A second compaction finds nothing left to do.
  t.deepEqual(planMerge(written.map(rgOf), [], { target, dropDuplicates: false, maxNOffTargetRgs: 1 }).sequences, []);
});

test("a row-count compaction rewrites oversized row groups to the target size", (t) => {
  const existing = [range(0, 8), range(10, 20)];
  const target = rows(4);
  const plan = planMerge(existing.map(rgOf), [], { target, dropDuplicates: false, maxNOffTargetRgs: 1 });
  const written = simulateWrite(existing, [], plan, target, false);
  t.deepEqual(
    written.map((group) => group.length),
    [4, 4, 4, 4, 2],
  );
  t.deepEqual(written.flat(), [...range(0, 8), ...range(10, 20)]);
});

test("with dedupe a value spanning a shared boundary is merged once", (t) => {
  const existing = [[1, 2, 5], [5, 7, 9], [10, 11]];
  const incoming = [5];
  const target = rows(2);
  const plan = planMerge(existing.map(rgOf), incoming, { target, dropDuplicates: true });
  const written = simulateWrite(existing, incoming, plan, target, true);
  t.deepEqual(written.flat(), [1, 2, 5, 7, 9, 10, 11]);
});

test("monthly data written over several months gives one row group per month", (t) => {
  const existing = [
    [ts("2024-01-01T00:00"), ts("2024-01-15T00:00")],
    [ts("2024-03-01T00:00"), ts("2024-03-15T00:00")],
  ];
  const incoming = [ts("2024-01-20T00:00"), ts("2024-02-10T00:00"), ts("2024-03-20T00:00")];
  const target = every("MS");
  const plan = planMerge(existing.map(rgOf), incoming, { target, dropDuplicates: false, maxNOffTargetRgs: 1 });
  const written = simulateWrite(existing, incoming, plan, target, false);
  t.deepEqual(written, [
    [ts("2024-01-01T00:00"), ts("2024-01-15T00:00"), ts("2024-01-20T00:00")],
    [ts("2024-02-10T00:00")],
    [ts("2024-03-01T00:00"), ts("2024-03-15T00:00"), ts("2024-03-20T00:00")],
  ]);
});

test("a region overlapping every row group is cut into one chunk per target's worth", (t) => {
  const rowGroups = range(0, 100).map((i) => rg(i * 100, i * 100 + 99, 30));
  const incoming = range(0, 100).map((i) => i * 100 + 50);
  const plan = planMerge(rowGroups, incoming, { target: rows(100), dropDuplicates: false });
  assertPlanInvariants(t, rowGroups, incoming, plan, false);
  t.is(plan.sequences.length, 1);
  const chunks = plan.sequences[0]?.chunks ?? [];
  t.is(chunks.length, 31);
  for (const { rgStart, rgEnd, inStart, inEnd } of chunks) {
    // Chunks end on region boundaries (31 rows each here), at the first one reaching each multiple of the target.
    const chunkRows = (rgEnd - rgStart) * 30 + inEnd - inStart;
    t.true(Math.abs(chunkRows - 100) < 31, `chunk of ${chunkRows} rows`);
  }
});

test("planning reads incoming values by binary search only", (t) => {
  const size = 1_000_000;
  let reads = 0;
  const incoming = new Proxy(
    { length: size },
    {
      get(target, key) {
        if (typeof key === "string" && /^\d+$/.test(key)) {
          reads++;
          return Number(key) * 2;
        }
        return Reflect.get(target, key);
      },
    },
  ) as unknown as ArrayLike<number>;
  const rowGroups = range(0, 20).map((i) => rg(i * 100_000, i * 100_000 + 50_000, 100_000));
  const plan = planMerge(rowGroups, incoming, { target: rows(100_000), dropDuplicates: true, maxNOffTargetRgs: 1 });
  t.true(plan.sequences.length > 0);
  // Two searches per row group of about log2(size) = 20 reads each, plus a few end checks.
  t.true(reads < 20 * 2 * 22 + 10, `${reads} reads`);
});

// The reference's on-target table, for a target of 100 rows (on target from 80 rows).
test("row-count on-target rules follow the reference table", (t) => {
  const fraction = (base: number, n: number) => range(0, n).map((i) => base + i / 1000);
  const rowGroups = [rg(0, 9, 90), rg(20, 29, 50), rg(30, 39, 30), rg(40, 49, 120), rg(50, 59, 30), rg(80, 89, 10)];
  const incoming = [...fraction(10, 85), ...fraction(20, 40), ...fraction(30, 30), ...fraction(50, 80), ...fraction(60, 10)];
  const regions = buildAtomicRegions(rowGroups, incoming, true);
  const sizing = rowCountSizing(rowGroups, regions, 100, true);
  // rg 90 | in 85 | rg 50 + in 40 | rg 30 + in 30 | rg 120 | rg 30 + in 80 | in 10 | rg 10
  t.deepEqual([...sizing.onTarget], [1, 1, 1, 0, 0, 1, 0, 0]);
});

const periodOnTargetCases: ReadonlyArray<[title: string, mins: string[], maxs: string[], incoming: string[], onTarget: number[]]> = [
  ["two row groups in one period are both off target", ["2023-12-15", "2023-12-20"], ["2023-12-19", "2023-12-28"], ["2024-03-15"], [0, 0, 1]],
  ["a row group spanning two periods is off target", ["2024-01-01"], ["2024-02-01"], ["2024-03-15"], [0, 1]],
  ["a row group with incoming rows in its period is on target", ["2024-03-15"], ["2024-03-16"], ["2024-03-15"], [1]],
  ["incoming rows spanning two periods are on target", ["2024-06-10"], ["2024-06-15"], ["2024-04-17", "2024-05-03"], [1, 1]],
  ["a row group and incoming rows in one period are both off target", ["2024-06-10"], ["2024-06-15"], ["2024-06-16", "2024-06-18"], [0, 0]],
  ["incoming rows ending in a row group's period leave it off target", ["2024-08-15"], ["2024-08-17"], ["2024-07-15", "2024-08-10"], [1, 0]],
  ["a row group ending in a period with incoming rows is off target", ["2024-09-11"], ["2024-10-15"], ["2024-10-16", "2024-10-18"], [0, 0]],
  ["a row group starting in a period with incoming rows is off target", ["2024-11-18"], ["2024-12-05"], ["2024-11-15", "2024-11-17"], [0, 0]],
  ["incoming rows starting in a row group's period leave it off target", ["2024-01-01"], ["2024-01-04"], ["2024-01-16", "2024-02-01"], [0, 1]],
  ["a row group and incoming rows each alone in their period are on target", ["2024-03-01"], ["2024-03-02"], ["2024-04-01", "2024-04-30"], [1, 1]],
  ["a row group with incoming rows over two periods is on target", ["2024-05-01"], ["2024-06-02"], ["2024-05-01", "2024-06-01", "2024-06-04", "2024-06-30"], [1, 0]],
  ["a row group sharing its period with the next one is off target", ["2024-04-01", "2024-04-29"], ["2024-04-28", "2024-06-02"], ["2024-05-01", "2024-06-01"], [0, 1]],
  ["incoming rows starting in a row group's last period are on target", ["2024-04-01"], ["2024-05-15"], ["2024-05-18", "2024-06-01"], [0, 1]],
];

for (const [title, mins, maxs, incomingDays, onTarget] of periodOnTargetCases) {
  test(`period on-target rules: ${title}`, (t) => {
    const day = (date: string) => ts(`${date}T00:00`);
    const rowGroups = mins.map((min, i) => rg(day(min), day(maxs[i] as string), 1));
    const incoming = incomingDays.map(day);
    const regions = buildAtomicRegions(rowGroups, incoming, false);
    const sizing = periodSizing(rowGroups, incoming, regions, parsePeriod("MS", "ns"));
    t.deepEqual([...sizing.onTarget], onTarget);
  });
}

test("overlapping row groups are reported as a corrupt dataset", (t) => {
  const err = t.throws(() => planMerge([rg(0, 10, 5), rg(9, 20, 5)], [30], { target: rows(10), dropDuplicates: false }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "CORRUPT_DATASET");
  t.regex(err?.message ?? "", /row groups 0 and 1 overlap/);
});

test("a row group with min above max is reported as a corrupt dataset", (t) => {
  const err = t.throws(() => planMerge([rg(5, 1, 5)], [], { target: rows(10), dropDuplicates: false }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "CORRUPT_DATASET");
});

test("row groups may share a boundary value", (t) => {
  t.notThrows(() => planMerge([rg(0, 10, 5), rg(10, 20, 5)], [30], { target: rows(10), dropDuplicates: false }));
});

test("maxNOffTargetRgs must be a positive integer", (t) => {
  for (const maxNOffTargetRgs of [0, -1, 1.5, Number.NaN]) {
    const err = t.throws(() => planMerge([], [1], { target: rows(10), dropDuplicates: false, maxNOffTargetRgs }), {
      instanceOf: OupsError,
    });
    t.is(err?.code, "INVALID_ARGUMENT");
  }
});

test("a row-count target must be a positive integer", (t) => {
  for (const n of [0, -5, 2.5]) {
    const err = t.throws(() => planMerge([], [1], { target: rows(n), dropDuplicates: false }), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
  }
});

test("visibly unsorted incoming values are rejected", (t) => {
  const err = t.throws(() => planMerge([], [3, 2, 1], { target: rows(10), dropDuplicates: false }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "UNORDERED_INPUT");
});

test("a period target rejects non-timestamp values", (t) => {
  const err = t.throws(() => planMerge([rg(1, 2, 2)], [3], { target: every("h"), dropDuplicates: false }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "INVALID_ARGUMENT");
});

test("random plans keep every row, in order, exactly once", (t) => {
  const random = seededRandom(20240601);
  const pick = (n: number) => Math.floor(random() * n);
  for (let round = 0; round < 400; round++) {
    const values: number[] = [];
    let value = pick(5);
    for (let i = pick(30); i > 0; i--) {
      values.push(value);
      value += pick(4);
    }
    const existing: number[][] = [];
    for (let i = 0; i < values.length; ) {
      const size = 1 + pick(6);
      existing.push(values.slice(i, i + size));
      i += size;
    }
    const incoming = range(0, pick(12))
      .map(() => pick(value + 6) - 3)
      .sort((a, b) => a - b);
    const dropDuplicates = random() < 0.5;
    const maxNOffTargetRgs = random() < 0.3 ? undefined : 1 + pick(3);
    const byPeriod = random() < 0.4;
    const target: RowGroupTarget = byPeriod ? { kind: "period", period: parsePeriod(`${2 + pick(6)}ns`, "ns") } : rows(1 + pick(6));
    const asOrdinals = (list: number[]): Ordinal[] => (byPeriod ? list.map(BigInt) : list);
    const existingOrdinals = existing.map(asOrdinals);
    const incomingOrdinals = asOrdinals(incoming);
    const rowGroups = existingOrdinals.map(rgOf);
    const context = `round ${round}: ${JSON.stringify({ existing, incoming, dropDuplicates, maxNOffTargetRgs, byPeriod })}`;

    const plan = planMerge(rowGroups, incomingOrdinals, { target, dropDuplicates, maxNOffTargetRgs });
    assertPlanInvariants(t, rowGroups, incomingOrdinals, plan, dropDuplicates);
    const written = simulateWrite(existingOrdinals, incomingOrdinals, plan, target, dropDuplicates).map((group) =>
      group.map(Number),
    );
    const flat = written.flat();
    if (written.some((group) => group.length === 0) || flat.some((v, i) => i > 0 && (flat[i - 1] as number) > v)) {
      t.fail(`empty or unordered row groups, ${context}`);
      return;
    }
    const all = [...values, ...incoming].sort((a, b) => a - b);
    if (dropDuplicates) {
      const sameSet = JSON.stringify([...new Set(flat)]) === JSON.stringify([...new Set(all)]);
      const incomingOnce = incoming.every((v) => flat.filter((w) => w === v).length === 1);
      if (!sameSet || !incomingOnce) {
        t.fail(`rows lost or duplicates left, ${context}`);
        return;
      }
    } else if (JSON.stringify(flat) !== JSON.stringify(all)) {
      t.fail(`rows lost, ${context}`);
      return;
    }
  }
  t.pass();
});
