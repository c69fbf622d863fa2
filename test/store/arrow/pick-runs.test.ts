import test from "ava";
import { concatRuns, findPickRuns } from "../../../server/src/store/arrow/pick-runs.js";

test("findPickRuns groups consecutive rows of one chunk into runs", (t) => {
  const chunkIds = Uint8Array.from([...Array(30).fill(0), ...Array(8).fill(1), 0, 0]);
  const rows = Uint32Array.from([...Array.from({ length: 30 }, (_, i) => i + 5), ...Array.from({ length: 8 }, (_, i) => i), 35, 3]);
  const runs = findPickRuns({ chunkIds, rows });
  t.truthy(runs);
  t.is(runs?.count, 4);
  t.deepEqual(Array.from(runs?.outStarts ?? []), [0, 30, 38, 39]);
  t.deepEqual(Array.from(runs?.chunkIds ?? []), [0, 1, 0, 0]);
  t.deepEqual(Array.from(runs?.rows ?? []), [5, 0, 35, 3]);
  t.deepEqual(Array.from(runs?.lengths ?? []), [30, 8, 1, 1]);
});

test("findPickRuns gives up on picks whose runs are short", (t) => {
  const chunkIds = Uint8Array.from({ length: 16 }, (_, k) => k & 1);
  const rows = Uint32Array.from({ length: 16 }, (_, k) => k >> 1);
  t.is(findPickRuns({ chunkIds, rows }), undefined);
});

test("concatRuns has one run per chunk", (t) => {
  const runs = concatRuns([3, 0, 5]);
  t.deepEqual(Array.from(runs.outStarts), [0, 3, 3]);
  t.deepEqual(Array.from(runs.chunkIds), [0, 1, 2]);
  t.deepEqual(Array.from(runs.rows), [0, 0, 0]);
  t.deepEqual(Array.from(runs.lengths), [3, 0, 5]);
});
