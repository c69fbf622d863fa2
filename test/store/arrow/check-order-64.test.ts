import test from "ava";
import { firstUnordered } from "../../../server/src/store/arrow/check-order.js";

/** The index `firstUnordered` must give, computed on bigints one by one. */
function expectedIndex(values: readonly bigint[], previous?: bigint): number {
  if (values.length === 0) return -1;
  if (previous !== undefined && values[0]! < previous) return 0;
  return values.findIndex((value, i) => i > 0 && value < values[i - 1]!);
}

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
const UMAX = 2n ** 64n - 1n;

// Values whose 32-bit halves order differently from the values: the high word decides, the low word only on ties.
const signedCases: readonly { values: bigint[]; previous?: bigint }[] = [
  { values: [MIN, -1n, 0n, 1n, MAX] },
  { values: [-1n, 0n, -(2n ** 32n)] },
  { values: [2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 32n] },
  { values: [-(2n ** 32n) + 1n, -(2n ** 32n)] },
  { values: [5n, 5n, 5n], previous: 5n },
  { values: [0n], previous: -1n },
  { values: [-1n], previous: 0n },
  { values: [MAX, MIN] },
  { values: [1_700_000_000_000n, 1_700_000_000_001n, 1_699_999_999_999n] },
];
for (const { values, previous } of signedCases) {
  test(`firstUnordered of int64 [${values.join(", ")}] after ${String(previous)} matches a bigint comparison`, (t) => {
    t.is(firstUnordered(BigInt64Array.from(values), previous), expectedIndex(values, previous));
  });
}

const unsignedCases: readonly { values: bigint[]; previous?: bigint }[] = [
  { values: [0n, 2n ** 31n, 2n ** 32n, 2n ** 63n, UMAX] },
  { values: [2n ** 63n, 2n ** 63n - 1n] },
  { values: [UMAX, 0n] },
  { values: [2n ** 32n + 5n, 2n ** 32n + 4n] },
  { values: [1n], previous: 2n ** 63n },
];
for (const { values, previous } of unsignedCases) {
  test(`firstUnordered of uint64 [${values.join(", ")}] after ${String(previous)} matches a bigint comparison`, (t) => {
    t.is(firstUnordered(BigUint64Array.from(values), previous), expectedIndex(values, previous));
  });
}

test("firstUnordered of an int64 view into a larger buffer reads only the view", (t) => {
  const all = BigInt64Array.of(9n, 1n, 2n, 3n, 0n);
  t.is(firstUnordered(all.subarray(1, 4)), -1);
  t.is(firstUnordered(all.subarray(1)), 3);
});
