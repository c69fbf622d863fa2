import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Ordinal } from "../../../server/src/store/ordinal.js";
import { assertOrdered, firstUnordered } from "../../../server/src/store/arrow/check-order.js";

const cases: readonly { values: ArrayLike<Ordinal>; previous?: Ordinal; expected: number }[] = [
  { values: [], expected: -1 },
  { values: [], previous: 5, expected: -1 },
  { values: [1], expected: -1 },
  { values: [1, 1, 2, 2, 3], expected: -1 },
  { values: [1, 3, 2, 4], expected: 2 },
  { values: [2, 1], expected: 1 },
  { values: [5, 6], previous: 5, expected: -1 },
  { values: [4, 6], previous: 5, expected: 0 },
  { values: BigInt64Array.of(-5n, 0n, 7n, 6n), expected: 3 },
  { values: BigInt64Array.of(1n, 2n), previous: 2n, expected: 0 },
  { values: Float64Array.of(-0.5, 0, 0, 1e-9), expected: -1 },
  { values: ["a", "ab", "b", "b"], expected: -1 },
  { values: ["b", "ab"], expected: 1 },
  { values: ["b"], previous: "c", expected: 0 },
];
for (const { values, previous, expected } of cases) {
  test(`firstUnordered of [${Array.from(values).join(", ")}] after ${String(previous)} is ${expected}`, (t) => {
    t.is(firstUnordered(values, previous), expected);
  });
}

test("assertOrdered accepts non-decreasing values", (t) => {
  t.notThrows(() => assertOrdered(Int32Array.of(1, 1, 2), "ts", 0));
});

test("assertOrdered names the rows and values out of order, counted from the offset", (t) => {
  const error = t.throws(() => assertOrdered(BigInt64Array.of(10n, 30n, 20n), "ts", 1040), { instanceOf: OupsError });
  t.is(error?.code, "UNORDERED_INPUT");
  t.is(error?.message, 'rows not ordered on "ts": row 1042 (20) < row 1041 (30)');
});

test("assertOrdered compares the first row with the last row of the preceding chunk", (t) => {
  const error = t.throws(() => assertOrdered(["b", "c"], "sym", 100, "bb"), { instanceOf: OupsError });
  t.is(error?.code, "UNORDERED_INPUT");
  t.is(error?.message, 'rows not ordered on "sym": row 100 (b) < row 99 (bb)');
});
