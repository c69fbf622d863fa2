import test from "ava";
import { Dictionary, Field, Int32, Int64, Interval, IntervalUnit, List, Table, makeData, makeVector, vectorFromArray } from "apache-arrow";
import type { Vector } from "apache-arrow";
import { status } from "@grpc/grpc-js";
import { OupsClientError } from "../../client/src/index.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

const daemon = useSharedDaemon(test);

const ts = () => makeVector(makeData({ type: new Int64(), length: 3, data: new BigInt64Array([1n, 2n, 3n]) }));

/** Columns apache-arrow builds and the SDK sends, which the store cannot merge or Parquet cannot encode. */
const unsupported: readonly { name: string; column: () => Vector; problem: RegExp }[] = [
  { name: "a list column", column: () => vectorFromArray([[1], [2, 3], null], new List(new Field("item", new Int32()))), problem: /unsupported type List<Int32>/ },
  {
    name: "a dictionary of numbers",
    column: () => makeVector(makeData({ type: new Dictionary(new Int32(), new Int32()), length: 3, data: new Int32Array([0, 1, 0]), dictionary: vectorFromArray([5, 6], new Int32()) })),
    problem: /unsupported type Dictionary<Int32, Int32>/,
  },
  {
    name: "a month-day-nano interval",
    column: () => makeVector(makeData({ type: new Interval(IntervalUnit.MONTH_DAY_NANO), length: 3, data: new Int32Array(12) })),
    problem: /Interval<MONTH_DAY_NANO>, which Parquet cannot store/,
  },
];

for (const [i, { name, column, problem }] of unsupported.entries()) {
  test(`a first write with ${name} is refused with INVALID_ARGUMENT naming the column, and creates no dataset`, async (t) => {
      const { client } = daemon();
      const key = { symbol: `TYPES${i}`, year: "2024", month: "1" };
      const err = await t.throwsAsync(client.write(key, new Table({ ts: ts(), odd: column() }), { orderedOn: "ts" }), { instanceOf: OupsClientError });
      t.is(err?.grpcCode, status.INVALID_ARGUMENT);
      t.regex(err?.message ?? "", /column "odd"/);
      t.regex(err?.message ?? "", problem);
      t.deepEqual(await client.listKeys({ symbol: key.symbol }), []);
  });
}
