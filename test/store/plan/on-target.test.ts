import test from "ava";
import { buildAtomicRegions } from "../../../server/src/store/plan/atomic-regions.js";
import { parsePeriod } from "../../../server/src/store/plan/period.js";
import { periodSizing } from "../../../server/src/store/plan/period-sizing.js";
import { rowCountSizing } from "../../../server/src/store/plan/row-count-sizing.js";
import { range, rg, ts } from "./plan-helpers.js";

// The reference's on-target table, for a target of 100 rows (on target from 80 rows).
test("row-count on-target rules follow the reference table", (t) => {
  const spread = (base: number, n: number) => range(0, n).map((i) => base + i / 1000);
  const rowGroups = [rg(0, 9, 90), rg(20, 29, 50), rg(30, 39, 30), rg(40, 49, 120), rg(50, 59, 30), rg(80, 89, 10)];
  const incoming = [spread(10, 85), spread(20, 40), spread(30, 30), spread(50, 80), spread(60, 10)].flat();
  const regions = buildAtomicRegions(rowGroups, incoming, true);
  const sizing = rowCountSizing(rowGroups, regions, 100, true);
  // rg 90 | in 85 | rg 50 + in 40 | rg 30 + in 30 | rg 120 | rg 30 + in 80 | in 10 | rg 10
  t.deepEqual([...sizing.onTarget], [1, 1, 1, 0, 0, 1, 0, 0]);
});

test("row-count on-target rules accept 80% to 100% of the target for a row group alone", (t) => {
  const rowGroups = [rg(0, 1, 79), rg(2, 3, 80), rg(4, 5, 100), rg(6, 7, 101)];
  const regions = buildAtomicRegions(rowGroups, [], false);
  t.deepEqual([...rowCountSizing(rowGroups, regions, 100, false).onTarget], [0, 1, 1, 0]);
});

interface PeriodCase {
  title: string;
  /** Each row group's first and last day. */
  rowGroups: Array<[min: string, max: string]>;
  incoming: string[];
  /** Per ordered atomic region. */
  onTarget: number[];
}

// The reference's monthly ("MS") cases, without dedupe.
const periodCases: PeriodCase[] = [
  {
    title: "two row groups in one period are both off target",
    rowGroups: [
      ["2023-12-15", "2023-12-19"],
      ["2023-12-20", "2023-12-28"],
    ],
    incoming: ["2024-03-15"],
    onTarget: [0, 0, 1],
  },
  {
    title: "a row group spanning two periods is off target",
    rowGroups: [["2024-01-01", "2024-02-01"]],
    incoming: ["2024-03-15"],
    onTarget: [0, 1],
  },
  {
    title: "a row group with incoming rows in its period is on target",
    rowGroups: [["2024-03-15", "2024-03-16"]],
    incoming: ["2024-03-15"],
    onTarget: [1],
  },
  {
    title: "incoming rows spanning two periods are on target",
    rowGroups: [["2024-06-10", "2024-06-15"]],
    incoming: ["2024-04-17", "2024-05-03"],
    onTarget: [1, 1],
  },
  {
    title: "a row group and incoming rows in one period are both off target",
    rowGroups: [["2024-06-10", "2024-06-15"]],
    incoming: ["2024-06-16", "2024-06-18"],
    onTarget: [0, 0],
  },
  {
    title: "incoming rows ending in a row group's period leave it off target",
    rowGroups: [["2024-08-15", "2024-08-17"]],
    incoming: ["2024-07-15", "2024-08-10"],
    onTarget: [1, 0],
  },
  {
    title: "a row group ending in a period with incoming rows is off target",
    rowGroups: [["2024-09-11", "2024-10-15"]],
    incoming: ["2024-10-16", "2024-10-18"],
    onTarget: [0, 0],
  },
  {
    title: "a row group starting in a period with incoming rows is off target",
    rowGroups: [["2024-11-18", "2024-12-05"]],
    incoming: ["2024-11-15", "2024-11-17"],
    onTarget: [0, 0],
  },
  {
    title: "incoming rows starting in a row group's period leave it off target",
    rowGroups: [["2024-01-01", "2024-01-04"]],
    incoming: ["2024-01-16", "2024-02-01"],
    onTarget: [0, 1],
  },
  {
    title: "a row group and incoming rows each alone in their period are on target",
    rowGroups: [["2024-03-01", "2024-03-02"]],
    incoming: ["2024-04-01", "2024-04-30"],
    onTarget: [1, 1],
  },
  {
    title: "a row group with incoming rows over two periods is on target",
    rowGroups: [["2024-05-01", "2024-06-02"]],
    incoming: ["2024-05-01", "2024-06-01", "2024-06-04", "2024-06-30"],
    onTarget: [1, 0],
  },
  {
    title: "a row group sharing its period with the next one is off target",
    rowGroups: [
      ["2024-04-01", "2024-04-28"],
      ["2024-04-29", "2024-06-02"],
    ],
    incoming: ["2024-05-01", "2024-06-01"],
    onTarget: [0, 1],
  },
  {
    title: "incoming rows starting in a row group's last period are on target",
    rowGroups: [["2024-04-01", "2024-05-15"]],
    incoming: ["2024-05-18", "2024-06-01"],
    onTarget: [0, 1],
  },
];

for (const { title, rowGroups: days, incoming: incomingDays, onTarget } of periodCases) {
  test(`period on-target rules: ${title}`, (t) => {
    const day = (date: string) => ts(`${date}T00:00`);
    const rowGroups = days.map(([min, max]) => rg(day(min), day(max), 1));
    const incoming = incomingDays.map(day);
    const regions = buildAtomicRegions(rowGroups, incoming, false);
    const sizing = periodSizing(rowGroups, incoming, regions, parsePeriod("MS", "ns"));
    t.deepEqual([...sizing.onTarget], onTarget);
  });
}
