import test from "ava";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { parsePeriod } from "../../../server/src/store/plan/period.js";
import { planMerge, type RowGroupTarget } from "../../../server/src/store/plan/plan-merge.js";
import { assertPlanInvariants, every, hm, range, rgOf, rows, seededRandom, simulateWrite, ts } from "./plan-helpers.js";

// These tests apply plans the way the writer does (on ordered values only) and check the row groups they produce.

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
    const target: RowGroupTarget = byPeriod
      ? { kind: "period", period: parsePeriod(`${2 + pick(6)}ns`, "ns") }
      : rows(1 + pick(6));
    const asOrdinals = (list: number[]): Ordinal[] => (byPeriod ? list.map(BigInt) : list);
    const existingOrdinals = existing.map(asOrdinals);
    const incomingOrdinals = asOrdinals(incoming);
    const rowGroups = existingOrdinals.map(rgOf);
    const inputs = { existing, incoming, dropDuplicates, maxNOffTargetRgs, byPeriod };
    const context = `round ${round}: ${JSON.stringify(inputs)}`;

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
