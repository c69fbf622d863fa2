import test from "ava";
import type { RowGroupEntry } from "../../../server/src/store/dataset/manifest.js";
import { mayMissRange, planIntersections } from "../../../server/src/store/query/intersection-plan.js";

const rg = (min: number, max: number): RowGroupEntry => ({ file: `${min}-${max}`, rows: 1, min, max, bytes: 1 });

test("intervals end at every kept block's start but each dataset's first, then at the range end", (t) => {
  const a = [rg(1, 3), rg(4, 6), rg(7, 9)];
  const b = [rg(2, 5), rg(6, 9)];
  const plan = planIntersections([a, b], undefined, undefined);
  t.deepEqual(plan.boundaries, [4, 6, 7, undefined]);
  t.is(plan.blocks[0]!.length, 3);
  t.is(plan.blocks[1]!.length, 2);
});

test("only blocks meeting [start, end) are kept, and the last boundary is the end", (t) => {
  const a = [rg(1, 3), rg(4, 6), rg(7, 9)];
  const b = [rg(2, 5), rg(6, 9)];
  const plan = planIntersections([a, b], 5, 8);
  t.deepEqual(plan.blocks[0]!.map((blk) => [blk.min, blk.max]), [[4, 6], [7, 9]]);
  t.deepEqual(plan.blocks[1]!.map((blk) => [blk.min, blk.max]), [[2, 5], [6, 9]]);
  t.deepEqual(plan.boundaries, [6, 7, 8]);
});

test("row groups sharing a boundary value form one block, so no value straddles two blocks", (t) => {
  const plan = planIntersections([[rg(1, 3), rg(3, 5), rg(6, 8)]], undefined, undefined);
  t.deepEqual(plan.blocks[0]!.map((blk) => [blk.min, blk.max, blk.rowGroups.length]), [[1, 5, 2], [6, 8, 1]]);
  t.deepEqual(plan.boundaries, [6, undefined]);
});

test("a dataset with no block in the range takes no part; with none at all there is no interval", (t) => {
  const plan = planIntersections([[rg(1, 3)], [rg(10, 12)]], 9, 20);
  t.deepEqual(plan.blocks.map((b) => b.length), [0, 1]);
  t.deepEqual(plan.boundaries, [20]);
  t.deepEqual(planIntersections([[rg(1, 3)]], 5, 9).boundaries, []);
});

test("a zero start is a bound, not an open end", (t) => {
  const plan = planIntersections([[rg(-5, -1), rg(0, 4)]], 0, undefined);
  t.deepEqual(plan.blocks[0]!.map((blk) => blk.min), [0]);
});

test("only a single block around the whole range may miss it", (t) => {
  const block = (min: number, max: number) => ({ rowGroups: [rg(min, max)], min, max });
  t.true(mayMissRange([block(0, 10)], 3, 7));
  t.true(mayMissRange([block(0, 7)], 3, 7));
  t.false(mayMissRange([block(3, 10)], 3, 7), "its min is in the range");
  t.false(mayMissRange([block(0, 6)], 3, 7), "its max is in the range");
  t.false(mayMissRange([block(0, 3), block(4, 10)], 3, 7), "a second block starts inside the range");
  t.false(mayMissRange([block(0, 10)], undefined, 7));
  t.false(mayMissRange([block(0, 10)], 3, undefined));
  t.false(mayMissRange([], 3, 7));
});
