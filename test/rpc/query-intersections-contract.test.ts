import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DataType } from "apache-arrow";
import { Int64, makeData, makeVector, Table, tableFromArrays, TimeUnit, Timestamp, Utf8, vectorFromArray } from "apache-arrow";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import type { QueryIntersectionsRequestSchema } from "#gen/oups/v1/store_pb.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { digestTree } from "../helpers/tree-digest.js";

/** One daemon for the file; each test works on keys of its own, one test at a time (they hash the whole store). */
const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = (): KeyFields => ({ symbol: `Q${nextKey++}`, year: "2024", month: "1" });

/** A one-column table of raw 64-bit values typed `type` (an integer or a timestamp). */
function rawTable(name: string, type: DataType, values: readonly bigint[]): Table {
  const data = makeData({ type: type as Int64, length: values.length, data: BigInt64Array.from(values) });
  return new Table({ [name]: makeVector(data) });
}

const ints = (from: number, to: number) => tableFromArrays({ ts: BigInt64Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i)) });

/** Every part of a walk as [interval, key index, ts values]. */
async function walk(keys: KeyFields[], options: { start?: bigint; end?: bigint } = {}): Promise<[number, number, number[]][]> {
  const seen: [number, number, number[]][] = [];
  for await (const part of shared().client.queryIntersections(keys, options)) {
    seen.push([part.interval, part.keyIndex, [...part.table.getChild("ts")!.toArray()].map(Number)]);
  }
  return seen;
}

/** Runs a walk expected to fail; returns its error and checks the store did not change. */
async function failedWalk(t: ExecutionContext, request: MessageInitShape<typeof QueryIntersectionsRequestSchema>): Promise<OupsClientError> {
  const { client, storeDir } = shared();
  const before = await digestTree(storeDir);
  const err = await t.throwsAsync(async () => {
    for await (const _ of client.rpc.queryIntersections(request)) void _;
  });
  t.deepEqual(await digestTree(storeDir), before);
  t.deepEqual(await client.listKeys({ symbol: "nobody" }), []); // still serving
  return OupsClientError.from(err);
}

const keyMessage = (key: KeyFields) => ({ fields: { ...key } });

const typePairs: [string, DataType, DataType, RegExp, RegExp][] = [
  ["timestamp units (ms and us)", new Timestamp(TimeUnit.MILLISECOND), new Timestamp(TimeUnit.MICROSECOND), /Timestamp<MILLISECOND>/, /Timestamp<MICROSECOND>/],
  ["time zones (none and UTC)", new Timestamp(TimeUnit.MILLISECOND), new Timestamp(TimeUnit.MILLISECOND, "UTC"), /Timestamp<MILLISECOND>/, /Timestamp<MILLISECOND, UTC>/],
  ["time zones (UTC and Europe/Paris)", new Timestamp(TimeUnit.NANOSECOND, "UTC"), new Timestamp(TimeUnit.NANOSECOND, "Europe/Paris"), /UTC/, /Europe\/Paris/],
  ["an integer and a timestamp", new Int64(), new Timestamp(TimeUnit.SECOND), /Int64/, /Timestamp<SECOND>/],
];

for (const [what, typeA, typeB, nameA, nameB] of typePairs) {
  test.serial(`QueryIntersections refuses ordered columns of one name but different types: ${what}`, async (t) => {
    const { client } = shared();
    const [a, b] = [newKey(), newKey()];
    await client.write(a, rawTable("ts", typeA, [1n, 2n, 3n]), { orderedOn: "ts" });
    await client.write(b, rawTable("ts", typeB, [1n, 2n, 3n]), { orderedOn: "ts" });
    const err = await failedWalk(t, { keys: [keyMessage(a), keyMessage(b)] });
    t.is(err.grpcCode, status.FAILED_PRECONDITION);
    t.regex(err.message, /inconsistent types of ordered column "ts"/);
    t.regex(err.message, nameA);
    t.regex(err.message, nameB);
    t.true(err.message.includes(JSON.stringify(a)) && err.message.includes(JSON.stringify(b)), err.message);
  });
}

test.serial("QueryIntersections refuses an Int64 and a Utf8 ordered column of one name, naming both types", async (t) => {
  const { client } = shared();
  const [a, b] = [newKey(), newKey()];
  await client.write(a, ints(1, 3), { orderedOn: "ts" });
  await client.write(b, new Table({ ts: vectorFromArray(["1", "2"], new Utf8()) }), { orderedOn: "ts" });
  const err = await failedWalk(t, { keys: [keyMessage(a), keyMessage(b)] });
  t.is(err.grpcCode, status.FAILED_PRECONDITION);
  t.regex(err.message, /Int64.*Utf8/);
});

test.serial("QueryIntersections walks ordered columns of the same timestamp type", async (t) => {
  const { client } = shared();
  const [a, b] = [newKey(), newKey()];
  const type = new Timestamp(TimeUnit.MICROSECOND, "UTC");
  await client.write(a, rawTable("ts", type, [1n, 2n, 3n]), { orderedOn: "ts" });
  await client.write(b, rawTable("ts", type, [2n, 3n]), { orderedOn: "ts" });
  let parts = 0;
  for await (const part of client.queryIntersections([a, b])) parts += part.table.numRows > 0 ? 1 : 0;
  t.is(parts, 2);
});

test.serial("a dataset with no row in [start, end) is absent from every frame, even when a row group straddles the range", async (t) => {
  const { client } = shared();
  const [a, b] = [newKey(), newKey()];
  await client.write(a, ints(1, 9), { orderedOn: "ts", rowGroupTarget: 3 });
  // One row group [0, 100] holding only 0 and 100: its bounds meet [4, 8), its rows do not.
  await client.write(b, tableFromArrays({ ts: BigInt64Array.from([0n, 100n]) }), { orderedOn: "ts" });
  t.deepEqual(await walk([a, b], { start: 4n, end: 8n }), [
    [0, 0, [4, 5, 6]],
    [1, 0, [7]],
  ]);
});

test.serial("a dataset with rows in the range appears in every frame, with an empty table where it has none", async (t) => {
  const { client } = shared();
  const [a, b] = [newKey(), newKey()];
  await client.write(a, ints(1, 9), { orderedOn: "ts", rowGroupTarget: 3 });
  // One row group [0, 100] with a single row (5) inside [2, 9).
  await client.write(b, tableFromArrays({ ts: BigInt64Array.from([0n, 5n, 100n]) }), { orderedOn: "ts" });
  t.deepEqual(await walk([a, b], { start: 2n, end: 9n }), [
    [0, 0, [2, 3]],
    [0, 1, []],
    [1, 0, [4, 5, 6]],
    [1, 1, [5]],
    [2, 0, [7, 8]],
    [2, 1, []],
  ]);
});

test.serial("QueryIntersections yields nothing when no dataset has a row in the range", async (t) => {
  const { client } = shared();
  const [a, b] = [newKey(), newKey()];
  await client.write(a, tableFromArrays({ ts: BigInt64Array.from([0n, 100n]) }), { orderedOn: "ts" });
  await client.write(b, tableFromArrays({ ts: BigInt64Array.from([1n, 50n]) }), { orderedOn: "ts" });
  t.deepEqual(await walk([a, b], { start: 10n, end: 20n }), []);
});

test.serial("QueryIntersections with start equal to end is an empty walk, not an error", async (t) => {
  const { client } = shared();
  const a = newKey();
  await client.write(a, ints(1, 9), { orderedOn: "ts" });
  t.deepEqual(await walk([a], { start: 5n, end: 5n }), []);
});

const badBounds: [string, MessageInitShape<typeof QueryIntersectionsRequestSchema>, RegExp][] = [
  ["a start after the end", { start: { value: { case: "int64Value", value: 8n } }, end: { value: { case: "int64Value", value: 3n } } }, /start bound 8 is after end bound 3/],
  ["a NaN start", { start: { value: { case: "doubleValue", value: Number.NaN } } }, /start bound is NaN/],
  ["a NaN end", { end: { value: { case: "doubleValue", value: Number.NaN } } }, /end bound is NaN/],
  ["a Timestamp with nanos above 999,999,999", { start: { value: { case: "timestampValue", value: { seconds: 1n, nanos: 1_000_000_000 } } } }, /invalid Timestamp: nanos 1000000000/],
  ["a Timestamp with negative nanos", { end: { value: { case: "timestampValue", value: { seconds: 1n, nanos: -1 } } } }, /end bound is an invalid Timestamp: nanos -1/],
];

for (const [what, bounds, message] of badBounds) {
  test.serial(`QueryIntersections refuses ${what} with INVALID_ARGUMENT`, async (t) => {
    const { client } = shared();
    const a = newKey();
    await client.write(a, rawTable("ts", new Timestamp(TimeUnit.NANOSECOND), [1n, 2n, 3n]), { orderedOn: "ts" });
    const err = await failedWalk(t, { keys: [keyMessage(a)], ...bounds });
    t.is(err.grpcCode, status.INVALID_ARGUMENT);
    t.regex(err.message, message);
  });
}

test.serial("QueryIntersections interval bounds of a float column travel as doubles, whole values too", async (t) => {
  const { client } = shared();
  const a = newKey();
  const b = newKey();
  await client.write(a, tableFromArrays({ x: Float64Array.from([1, 2, 3, 4]) }), { orderedOn: "x", rowGroupTarget: 2 });
  await client.write(b, tableFromArrays({ x: Float64Array.from([1.5, 3.5]) }), { orderedOn: "x" });
  const bounds: [string | undefined, unknown, string | undefined, unknown][] = [];
  const request = { keys: [keyMessage(a), keyMessage(b)], start: { value: { case: "int64Value" as const, value: 1n } }, end: { value: { case: "doubleValue" as const, value: 10 } } };
  for await (const r of client.rpc.queryIntersections(request)) {
    bounds.push([r.intervalStart?.value.case, r.intervalStart?.value.value, r.intervalEnd?.value.case, r.intervalEnd?.value.value]);
  }
  t.deepEqual(bounds, [
    ["doubleValue", 1, "doubleValue", 3],
    ["doubleValue", 1, "doubleValue", 3],
    ["doubleValue", 3, "doubleValue", 10],
    ["doubleValue", 3, "doubleValue", 10],
  ]);
  const sdk = [];
  for await (const part of client.queryIntersections([a, b], { start: 1, end: 10 })) sdk.push([part.start, part.end]);
  t.deepEqual(sdk[0], [1, 3]);
});
