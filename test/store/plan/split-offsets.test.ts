import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { splitOffsets } from "../../../server/src/store/plan/split-offsets.js";
import { every, range, ts } from "./plan-helpers.js";

// The reference's table of split offsets (1.5, period helpers).
const referenceCases: ReadonlyArray<[title: string, values: bigint[], freq: string, offsets: number[]]> = [
  [
    "month starts, first on a boundary",
    [
      "2024-01-01T00:00",
      "2024-01-01T12:00",
      "2024-02-01T00:00",
      "2024-02-02T00:00",
      "2024-02-29T00:00",
      "2024-03-01T00:00",
    ].map(ts),
    "MS",
    [0, 2, 5],
  ],
  [
    "month starts, first before a boundary",
    ["2023-12-31T00:00", "2024-01-01T12:00", "2024-02-01T00:00", "2024-02-02T00:00", "2024-02-29T00:00"].map(ts),
    "MS",
    [0, 1, 2],
  ],
  ["two days starting at noon", ["2024-01-01T12:00", "2024-01-02T12:00"].map(ts), "D", [0, 1]],
  ["three consecutive hours", ["2024-01-01T00:00", "2024-01-01T01:00", "2024-01-01T02:00"].map(ts), "h", [0, 1, 2]],
  ["a single value", [ts("2024-01-01T00:00")], "D", [0]],
  ["two values months apart (empty periods skipped)", ["2024-01-01T12:00", "2024-06-01T12:00"].map(ts), "D", [0, 1]],
];

for (const [title, values, freq, offsets] of referenceCases) {
  test(`period split offsets: ${title}`, (t) => {
    t.deepEqual(splitOffsets(values, every(freq)), offsets);
  });
}

const rowCases: ReadonlyArray<[size: number, rows: number, offsets: number[]]> = [
  [100, 20, [0, 20, 40, 60, 80]],
  [15, 20, [0]],
  [45, 20, [0, 20, 40]],
  [1, 20, [0]],
  [20, 20, [0]],
  [21, 20, [0, 20]],
  [0, 20, []],
];

for (const [size, rows, offsets] of rowCases) {
  test(`row-count split offsets of ${size} rows every ${rows} rows are [${offsets.join(", ")}]`, (t) => {
    t.deepEqual(splitOffsets(range(0, size), { kind: "rows", rows }), offsets);
  });
}

test("a row-count split cuts through a run of equal values", (t) => {
  t.deepEqual(splitOffsets([5, 5, 5, 5, 6], { kind: "rows", rows: 3 }), [0, 3]);
});

test("a period split never cuts through a run of equal values", (t) => {
  const values = [ts("2024-01-01T10:00"), ts("2024-01-01T10:00"), ts("2024-01-01T10:00"), ts("2024-01-01T11:30")];
  t.deepEqual(splitOffsets(values, every("h")), [0, 3]);
});

test("a value exactly on a period boundary starts a new piece", (t) => {
  const values = [ts("2024-01-01T09:59"), ts("2024-01-01T10:00"), ts("2024-01-01T10:59")];
  t.deepEqual(splitOffsets(values, every("h")), [0, 1]);
});

test("an empty chunk has no offsets with a period target", (t) => {
  t.deepEqual(splitOffsets([], every("D")), []);
});

test("a period split accepts a BigInt64Array", (t) => {
  const values = BigInt64Array.from(["2024-01-01T00:30", "2024-01-01T02:00", "2024-01-01T02:10"].map(ts));
  t.deepEqual(splitOffsets(values, every("h")), [0, 1]);
});

test("a period split visits only non-empty periods", (t) => {
  // A naive walk over every nanosecond period between the two values would never finish.
  t.deepEqual(splitOffsets([0n, 10n ** 17n, 10n ** 17n + 1n], every("ns")), [0, 1, 2]);
});

test("a period split rejects non-timestamp values", (t) => {
  const err = t.throws(() => splitOffsets([1, 2] as Ordinal[], every("h")), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
});

test("a row-count split rejects a non-positive target", (t) => {
  for (const rows of [0, -3, 2.5]) {
    const err = t.throws(() => splitOffsets([1, 2], { kind: "rows", rows }), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
  }
});
