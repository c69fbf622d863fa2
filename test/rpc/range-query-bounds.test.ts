import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Float32, Table, tableFromArrays, Utf8, vectorFromArray } from "apache-arrow";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import type { BoundSchema, RangeQueryRequestSchema } from "#gen/oups/v1/store_pb.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";
import { digestTree } from "../helpers/tree-digest.js";

/** One daemon for the file; each test works on keys of its own, one test at a time (they hash the whole store). */
const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = (): KeyFields => ({ symbol: `B${nextKey++}`, year: "2024", month: "1" });

type Kind = "int" | "float" | "timestamp" | "text";
type RangeRequest = MessageInitShape<typeof RangeQueryRequestSchema>;
const int = (value: bigint) => ({ value: { case: "int64Value" as const, value } });
const double = (value: number) => ({ value: { case: "doubleValue" as const, value } });
const timestamp = (seconds: bigint, nanos: number) => ({ value: { case: "timestampValue" as const, value: { seconds, nanos } } });

/** Runs a range query expected to fail over the raw wire; checks the store is unchanged and the daemon serving. */
async function failedRange(t: ExecutionContext, request: RangeRequest): Promise<OupsClientError> {
  const { client, storeDir } = shared();
  const before = await digestTree(storeDir);
  const err = await t.throwsAsync(async () => {
    for await (const _ of client.rpc.rangeQuery(request)) void _;
  });
  t.deepEqual(await digestTree(storeDir), before);
  t.deepEqual(await client.listKeys({ symbol: "nobody" }), []);
  return OupsClientError.from(err);
}

type Bounds = { start?: MessageInitShape<typeof BoundSchema>; end?: MessageInitShape<typeof BoundSchema>; endInclusive?: boolean };
const bad: [string, Kind, Bounds, RegExp][] = [
  ["a start after the end", "int", { start: int(8n), end: int(3n) }, /start bound 8 is after end bound 3/],
  ["a start after an inclusive end", "int", { start: int(8n), end: int(3n), endInclusive: true }, /start bound 8 is after end bound 3/],
  ["a double start after an int end", "float", { start: double(2.5), end: int(2n) }, /start bound 2.5 is after end bound 2/],
  ["a start after the end on a text column", "text", { start: { value: { case: "stringValue", value: "b" } }, end: { value: { case: "stringValue", value: "a" } } }, /start bound "b" is after end bound "a"/],
  ["a NaN start on a float column", "float", { start: double(Number.NaN) }, /start bound is NaN/],
  ["a NaN end on a float column", "float", { end: double(Number.NaN) }, /end bound is NaN/],
  ["a NaN start on an integer column", "int", { start: double(Number.NaN) }, /start bound is NaN/],
  ["a Timestamp start with nanos of 1e9", "timestamp", { start: timestamp(0n, 1_000_000_000) }, /start bound is an invalid Timestamp: nanos 1000000000 outside 0\.\.999,999,999/],
  ["a Timestamp end with negative nanos", "timestamp", { end: timestamp(5n, -5) }, /end bound is an invalid Timestamp: nanos -5/],
  ["a start Timestamp after the end Timestamp", "timestamp", { start: timestamp(5n, 1), end: timestamp(5n, 0) }, /start bound 1970-01-01T00:00:05.000000001Z is after end bound 1970-01-01T00:00:05.000000000Z/],
];

async function seeded(kind: Kind): Promise<KeyFields> {
  const key = newKey();
  const tables: Record<Kind, () => Table> = {
    int: () => tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]) }),
    float: () => tableFromArrays({ ts: Float64Array.from([1, 2, 3]) }),
    timestamp: () => tableFromArrays({ ts: [new Date(1_000), new Date(2_000)] }),
    text: () => new Table({ ts: vectorFromArray(["a", "b"], new Utf8()) }),
  };
  const table = tables[kind]();
  await shared().client.write(key, table, { orderedOn: "ts" });
  return key;
}

for (const [what, kind, bounds, message] of bad) {
  test.serial(`RangeQuery refuses ${what} with INVALID_ARGUMENT`, async (t) => {
    const key = await seeded(kind);
    const err = await failedRange(t, { key: { fields: key }, ...bounds });
    t.is(err.grpcCode, status.INVALID_ARGUMENT);
    t.regex(err.message, message);
  });
}

test.serial("RangeQuery with start equal to an exclusive end reads nothing; with an inclusive end, the rows of that value", async (t) => {
  const { client } = shared();
  const key = await seeded("int");
  t.is((await client.read(key, { start: 2n, end: 2n })).numRows, 0);
  t.deepEqual([...(await client.read(key, { start: 2n, end: 2n, endInclusive: true })).getChild("ts")!.toArray()], [2n]);
});

test.serial("RangeQuery accepts the nanos 0 and 999,999,999 of a Timestamp", async (t) => {
  const { client } = shared();
  const key = await seeded("timestamp");
  let bytes = 0;
  for await (const r of client.rpc.rangeQuery({ key: { fields: key }, start: timestamp(1n, 0), end: timestamp(1n, 999_999_999) })) bytes += r.arrowIpc.byteLength;
  t.true(bytes > 0);
  t.is((await client.read(key, { start: new Date(1_000), end: new Date(1_999) })).numRows, 1);
});

test.serial("Describe sends a float column's row-group bounds as doubles, whole values too, and the SDK gives numbers", async (t) => {
  const { client } = shared();
  const key = newKey();
  await client.write(key, tableFromArrays({ x: Float64Array.from([1, 2, 2.5, 4]) }), { orderedOn: "x", rowGroupTarget: 2 });
  const raw = await client.rpc.describe({ key: { fields: key } });
  t.deepEqual(
    raw.rowGroups.map((g) => [g.min?.value.case, g.min?.value.value, g.max?.value.case, g.max?.value.value]),
    [
      ["doubleValue", 1, "doubleValue", 2],
      ["doubleValue", 2.5, "doubleValue", 4],
    ],
  );
  const description = await client.describe(key);
  t.deepEqual(description.rowGroups.map((g) => [g.min, g.max]), [[1, 2], [2.5, 4]]);
  // Bounds read back from Describe select the same rows again.
  const first = description.rowGroups[0]!;
  t.deepEqual([...(await client.read(key, { start: first.min!, end: first.max!, endInclusive: true })).getChild("x")!.toArray()], [1, 2]);
});

test.serial("Describe sends a Float32 column's bounds as doubles and an integer column's as int64", async (t) => {
  const { client } = shared();
  const [f, i] = [newKey(), newKey()];
  await client.write(f, new Table({ x: vectorFromArray([3, 4], new Float32()) }), { orderedOn: "x" });
  await client.write(i, tableFromArrays({ x: Int32Array.from([3, 4]) }), { orderedOn: "x" });
  const [float, integer] = await Promise.all([client.rpc.describe({ key: { fields: f } }), client.rpc.describe({ key: { fields: i } })]);
  t.deepEqual([float.rowGroups[0]!.min?.value.case, float.rowGroups[0]!.min?.value.value], ["doubleValue", 3]);
  t.deepEqual([integer.rowGroups[0]!.min?.value.case, integer.rowGroups[0]!.min?.value.value], ["int64Value", 3n]);
});

test.serial("the SDK sends a whole number beyond 2^53 as a double bound, which a float column compares exactly", async (t) => {
  const { client } = shared();
  const key = newKey();
  await client.write(key, tableFromArrays({ x: Float64Array.from([1, 1e20, 2e20]) }), { orderedOn: "x" });
  t.deepEqual([...(await client.read(key, { start: 1e20 })).getChild("x")!.toArray()], [1e20, 2e20]);
  t.deepEqual([...(await client.read(key, { end: 1e20 })).getChild("x")!.toArray()], [1]);
});

test.serial("an int64 bound between two doubles beyond 2^53 keeps the rows on the right side of it", async (t) => {
  const { client } = shared();
  const key = newKey();
  const low = 2 ** 53;
  const high = 2 ** 53 + 2; // the next double: 2^53 + 1 has none
  await client.write(key, tableFromArrays({ x: Float64Array.from([-high, -low, 1, low, high]) }), { orderedOn: "x" });
  const between = 2n ** 53n + 1n;
  const values = async (options: { start?: bigint; end?: bigint; endInclusive?: boolean }) => [...(await client.read(key, options)).getChild("x")!.toArray()];
  t.deepEqual(await values({ start: between }), [high]);
  t.deepEqual(await values({ start: 0n, end: between }), [1, low]);
  t.deepEqual(await values({ start: 0n, end: between, endInclusive: true }), [1, low]);
  t.deepEqual(await values({ start: -between, end: 0n }), [-low]);
  t.deepEqual(await values({ end: -between, endInclusive: true }), [-high]);
  t.deepEqual(await values({ end: -between }), [-high]);
});
