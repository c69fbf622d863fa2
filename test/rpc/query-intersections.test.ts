import test from "ava";
import { status } from "@grpc/grpc-js";
import { tableFromArrays } from "apache-arrow";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";

const keyA = { symbol: "A", year: "2024", month: "1" };
const keyB = { symbol: "B", year: "2024", month: "1" };
const rows = (from: number, to: number) => {
  const ts = BigInt64Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));
  return tableFromArrays({ ts, v: Float64Array.from(ts, Number) });
};

test(
  "QueryIntersections walks datasets over the same intervals, one table per dataset each",
  daemonTest(async (t, { client }) => {
    await client.write(keyA, rows(1, 9), { orderedOn: "ts", rowGroupTarget: 3 });
    await client.write(keyB, rows(2, 9), { orderedOn: "ts", rowGroupTarget: 4 });
    const seen: [number, number, number[]][] = [];
    for await (const part of client.queryIntersections([keyA, keyB], { columns: ["ts"] })) {
      seen.push([part.interval, part.keyIndex, [...part.table.getChild("ts")!.toArray()].map(Number)]);
    }
    t.deepEqual(seen, [
      [0, 0, [1, 2, 3]],
      [0, 1, [2, 3]],
      [1, 0, [4, 5]],
      [1, 1, [4, 5]],
      [2, 0, [6]],
      [2, 1, [6]],
      [3, 0, [7, 8, 9]],
      [3, 1, [7, 8, 9]],
    ]);
  }),
);

test(
  "QueryIntersections honours start and end, and omits datasets without rows in the range",
  daemonTest(async (t, { client }) => {
    const keyC = { symbol: "C", year: "2024", month: "1" };
    await client.write(keyA, rows(1, 9), { orderedOn: "ts", rowGroupTarget: 3 });
    await client.write(keyB, rows(2, 9), { orderedOn: "ts", rowGroupTarget: 4 });
    await client.write(keyC, rows(100, 110), { orderedOn: "ts" });
    const seen: [number, number, number[], unknown, unknown][] = [];
    for await (const part of client.queryIntersections([keyA, keyB, keyC], { start: 5n, end: 8n })) {
      seen.push([part.interval, part.keyIndex, [...part.table.getChild("v")!.toArray()], part.start, part.end]);
    }
    t.deepEqual(seen, [
      [0, 0, [5], 5n, 6n],
      [0, 1, [5], 5n, 6n],
      [1, 0, [6], 6n, 7n],
      [1, 1, [6], 6n, 7n],
      [2, 0, [7], 7n, 8n],
      [2, 1, [7], 7n, 8n],
    ]);
  }),
);

test(
  "QueryIntersections refuses datasets ordered on differently named columns",
  daemonTest(async (t, { client }) => {
    await client.write(keyA, rows(1, 3), { orderedOn: "ts" });
    await client.write(keyB, tableFromArrays({ t2: BigInt64Array.from([1n]) }), { orderedOn: "t2" });
    const err = await t.throwsAsync(async () => {
      for await (const _ of client.queryIntersections([keyA, keyB])) void _;
    }, { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.FAILED_PRECONDITION);
    t.regex(err?.message ?? "", /inconsistent ordered_on/);
  }),
);
