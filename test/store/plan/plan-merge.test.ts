import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import {
  type MergePlanOptions,
  type MergeSequence,
  planMerge,
  type RowGroupStats,
} from "../../../server/src/store/plan/plan-merge.js";
import { assertPlanInvariants, chunk, every, hm, range, rg, rgAt, rows, seq, ts } from "./plan-helpers.js";

interface PlanCase {
  title: string;
  rowGroups: RowGroupStats[];
  incoming: Ordinal[];
  options: MergePlanOptions;
  expected: MergeSequence[];
}

// Eight row groups of two rows, some sharing a boundary value.
const pairs = [
  ...[rg(0, 1, 2), rg(1, 1, 2), rg(2, 3, 2), rg(4, 5, 2)],
  ...[rg(5, 6, 2), rg(6, 7, 2), rg(8, 9, 2), rg(10, 11, 2)],
];

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
    title: "off-target row groups within maxNOffTargetRgs are rewritten when they fill exactly one target",
    rowGroups: [rg(0, 99, 100), rg(100, 159, 60)],
    incoming: range(160, 200),
    options: { target: rows(100), dropDuplicates: false, maxNOffTargetRgs: 2 },
    expected: [seq(1, 2, [chunk(1, 2, 0, 40)])],
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
    rowGroups: pairs,
    incoming: [1, 9, 13, 14],
    options: { target: rows(4), dropDuplicates: false, maxNOffTargetRgs: 2 },
    expected: [
      seq(0, 8, [chunk(0, 2, 0, 0), chunk(2, 4, 0, 1), chunk(4, 6, 1, 1), chunk(6, 7, 1, 2), chunk(7, 8, 2, 4)]),
    ],
  },
  {
    title: "a region holding several targets' worth ends a single chunk",
    rowGroups: [rg(0, 249, 250), rg(250, 259, 10)],
    incoming: [100, 255],
    options: { target: rows(100), dropDuplicates: false },
    expected: [seq(0, 2, [chunk(0, 2, 0, 2)])],
  },
  {
    title: "with dedupe chunks count the larger part of each region only",
    rowGroups: pairs,
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
    rowGroups: [
      rg(ts("2024-01-01T00:00"), ts("2024-01-15T00:00"), 5),
      rg(ts("2024-03-01T00:00"), ts("2024-03-15T00:00"), 5),
    ],
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

test("overlapping row groups are reported as a corrupt dataset", (t) => {
  const overlapping = [rg(0, 10, 5), rg(9, 20, 5)];
  const err = t.throws(() => planMerge(overlapping, [30], { target: rows(10), dropDuplicates: false }), {
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
    const err = t.throws(() => planMerge([], [1], { target: rows(n), dropDuplicates: false }), {
      instanceOf: OupsError,
    });
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

