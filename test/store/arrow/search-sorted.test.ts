import test from "ava";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { searchSorted } from "../../../server/src/store/arrow/search-sorted.js";

function reference(values: ArrayLike<Ordinal>, v: Ordinal, side: "left" | "right", lo: number, hi: number): number {
  for (let i = lo; i < hi; i++) if (side === "left" ? values[i] >= v : values[i] > v) return i;
  return hi;
}

const samples: readonly ArrayLike<Ordinal>[] = [
  [],
  [5],
  [1, 2, 2, 2, 3, 5, 5, 8],
  BigInt64Array.of(-3n, -3n, 0n, 4n, 4n, 4n),
  ["a", "b", "b", "c"],
];
const probes: readonly Ordinal[][] = [[0, 5], [5, 4, 6], [0, 1, 2, 3, 4, 5, 8, 9], [-4n, -3n, 0n, 2n, 4n, 5n], ["", "a", "b", "bb", "c", "d"]];

samples.forEach((values, s) => {
  test(`searchSorted agrees with a linear scan on sample ${s}`, (t) => {
    for (const v of probes[s]) {
      for (const side of ["left", "right"] as const) {
        t.is(searchSorted(values, v, side), reference(values, v, side, 0, values.length), `${String(v)} ${side}`);
      }
    }
  });
});

test("searchSorted puts equal values left or right of a run", (t) => {
  const values = [1, 2, 2, 2, 3];
  t.is(searchSorted(values, 2, "left"), 1);
  t.is(searchSorted(values, 2, "right"), 4);
});

test("searchSorted searches only within lo and hi", (t) => {
  const values = [1, 2, 2, 2, 3, 4, 5];
  t.is(searchSorted(values, 2, "left", 2, 6), 2);
  t.is(searchSorted(values, 2, "right", 0, 3), 3);
  t.is(searchSorted(values, 9, "right", 1, 4), 4);
  t.is(searchSorted(values, 0, "left", 3, 6), 3);
});
