import type { ExecutionContext } from "ava";
import test from "ava";
import { status } from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";
import type { Vector } from "apache-arrow";
import { makeVector, Table, tableFromArrays } from "apache-arrow";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DatasetDescription, KeyFields } from "../../client/src/index.js";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { encodeIpcStream, encodeSchemaMessage } from "#shared/arrow/ipc-stream.js";
import type { WriteRequestSchema } from "#gen/oups/v1/store_pb.js";
import type { DaemonFixture } from "../helpers/with-daemon.js";
import { treeOf } from "./helpers/files.js";
import { marketBatch, marketSchema } from "./helpers/market-data.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

type WriteRequest = MessageInitShape<typeof WriteRequestSchema>;

/** One daemon for the file; each test works on keys of its own (symbols `E<n>` and `N<n>`). */
const shared = useSharedDaemon(test);
let nextCase = 0;

/** What a test of this file gets: the shared daemon, its own seeded key and a key it leaves without a dataset. */
interface ErrorCase extends DaemonFixture {
  key: KeyFields;
  absent: KeyFields;
}

function committedState(d: DatasetDescription) {
  return { ...d, schema: d.schema?.fields.map((f) => `${f.name}: ${String(f.type)}`) };
}

/** A test on the shared daemon, with a key seeded with 100 market rows in two row groups. */
function errorTest(title: string, body: (t: ExecutionContext, c: ErrorCase) => Promise<void>): void {
  test(title, async (t) => {
    const n = nextCase++;
    const c: ErrorCase = { ...shared(), key: { symbol: `E${n}`, year: "2024", month: "1" }, absent: { symbol: `N${n}`, year: "2024", month: "1" } };
    await c.client.write(c.key, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
    await body(t, c);
  });
}

/** The store's files, without those of the other tests' keys. */
async function filesOf(c: ErrorCase): Promise<string[]> {
  const own = [`${c.key.symbol}-`, `${c.absent.symbol}-`];
  return (await treeOf(c.storeDir)).filter((p) => !/^[EN]\d+-/.test(p) || own.some((prefix) => p.startsWith(prefix)));
}

/** Everything a failed call must leave as it was: the test's keys, its dataset and the store's files. */
async function storeState(c: ErrorCase) {
  return {
    keys: [...(await c.client.listKeys({ symbol: c.key.symbol! })), ...(await c.client.listKeys({ symbol: c.absent.symbol! }))],
    dataset: committedState(await c.client.describe(c.key)),
    files: await filesOf(c),
  };
}

/** Asserts that `call` fails with this gRPC status and daemon code, and that the store is unchanged afterwards. */
async function assertFails(
  t: ExecutionContext,
  c: ErrorCase,
  call: () => Promise<unknown>,
  grpcCode: status,
  code: string,
  message?: RegExp,
): Promise<OupsClientError> {
  const before = await storeState(c);
  const thrown = await t.throwsAsync(call());
  const err = OupsClientError.from(thrown);
  t.is(err.grpcCode, grpcCode, `status ${status[err.grpcCode]}: ${err.message}`);
  t.is(err.code, code, err.message);
  if (message) t.regex(err.message, message);
  t.deepEqual(await storeState(c), before, "the store is unchanged");
  return err;
}

/** The raw message stream of a Write: a header for `key`, then these chunks. */
function header(fields: KeyFields, orderedOn = "timestamp"): WriteRequest {
  return { kind: { case: "header", value: { key: { fields: { ...fields } }, orderedOn } } };
}

function chunk(bytes: Uint8Array): WriteRequest {
  return { kind: { case: "arrowIpc", value: bytes } };
}

const invalidKeys: { title: string; fields: (key: KeyFields) => KeyFields; message: RegExp }[] = [
  { title: "a missing field", fields: ({ month: _, ...rest }) => rest, message: /missing field "month"/ },
  { title: "an extra field", fields: (key) => ({ ...key, day: "3" }), message: /unknown field "day"/ },
  { title: "a path separator in a value", fields: (key) => ({ ...key, symbol: "a/b" }), message: /path separator/ },
  { title: "a non-canonical integer", fields: (key) => ({ ...key, month: "05" }), message: /canonical/ },
  { title: "an empty value", fields: (key) => ({ ...key, symbol: "" }), message: /empty/ },
  { title: "the field separator in a value", fields: (key) => ({ ...key, symbol: "A-B" }), message: /field separator/ },
];

const keyedCalls: { name: string; call: (client: OupsClient, k: KeyFields) => Promise<unknown> }[] = [
  { name: "Describe", call: (c, k) => c.describe(k) },
  { name: "RangeQuery", call: (c, k) => c.read(k) },
  { name: "GetMetadata", call: (c, k) => c.getMetadata(k) },
  { name: "UpdateMetadata", call: (c, k) => c.updateMetadata(k, { set: { a: "b" } }) },
  { name: "Remove", call: (c, k) => c.remove(k) },
  { name: "Write", call: (c, k) => c.write(k, marketBatch(0, 10), { orderedOn: "timestamp" }) },
];

for (const { title, fields, message } of invalidKeys) {
  errorTest(`a key with ${title} is INVALID_ARGUMENT / INVALID_KEY on every call`, async (t, c) => {
    for (const { name, call } of keyedCalls) {
      t.log(name);
      await assertFails(t, c, () => call(c.client, fields(c.key)), status.INVALID_ARGUMENT, "INVALID_KEY", message);
    }
  });
}

errorTest("a ListKeys filter on an unknown field or with an invalid value is INVALID_ARGUMENT / INVALID_KEY", async (t, c) => {
  await assertFails(t, c, () => c.client.listKeys({ day: "1" }), status.INVALID_ARGUMENT, "INVALID_KEY", /unknown field "day"/);
  await assertFails(t, c, () => c.client.listKeys({ year: "02024" }), status.INVALID_ARGUMENT, "INVALID_KEY");
});

errorTest("a key holding no dataset is NOT_FOUND on Describe, RangeQuery, GetMetadata, UpdateMetadata and Remove", async (t, c) => {
  for (const { name, call } of keyedCalls.filter((k) => k.name !== "Write")) {
    t.log(name);
    await assertFails(t, c, () => call(c.client, c.absent), status.NOT_FOUND, "NOT_FOUND", /no dataset/);
  }
});

errorTest("rows out of order within a batch are INVALID_ARGUMENT / UNORDERED_INPUT", async (t, c) => {
  const rows = marketBatch(200, 10, { timestampMs: (i) => (i === 205 ? 0 : i) });
  await assertFails(t, c, () => c.client.write(c.key, rows), status.INVALID_ARGUMENT, "UNORDERED_INPUT", /batch 1, row 6 \(2024-01-02T00:00:00\.000Z\) is less than the row before it \(2024-01-02T00:00:00\.204Z\)/);
});

errorTest("a batch starting before the previous one ends is INVALID_ARGUMENT / UNORDERED_INPUT, late in a long stream too", async (t, c) => {
  async function* batches() {
    for (let i = 0; i < 20; i++) yield marketBatch(1000 + i * 1000, 1000);
    yield marketBatch(500, 10);
  }
  await assertFails(t, c, () => c.client.write(c.key, batches(), { rowGroupTarget: 2000 }), status.INVALID_ARGUMENT, "UNORDERED_INPUT", /batch 21, row 1 \(2024-01-02T00:00:00\.500Z\) is less than the last row of the batch before \(2024-01-02T00:00:20\.999Z\); row 20001 of the write/);
});

errorTest("rows whose columns differ from the dataset's are FAILED_PRECONDITION / SCHEMA_MISMATCH", async (t, c) => {
  const base = marketBatch(200, 3);
  const column = (name: string) => base.getChild(name)!;
  const [timestamp, symbol, price, qty] = ["timestamp", "symbol", "price", "qty"].map(column) as [Vector, Vector, Vector, Vector];
  const cases = [
    { title: "a column of another type", table: new Table({ timestamp, symbol, price, qty: makeVector(Float64Array.of(1, 2, 3)) }), message: /column "qty": expected Int32, got Float64/ },
    // A nullable column may be left out (it is filled with nulls); the ordered column may not.
    { title: "a missing ordered column", table: new Table({ symbol, price, qty }), message: /missing column "timestamp"/ },
    { title: "an extra column", table: new Table({ timestamp, symbol, price, qty, x: makeVector(Int32Array.of(1, 2, 3)) }), message: /extra column "x"/ },
    { title: "columns in another order", table: new Table({ symbol, timestamp, price, qty }), message: /order/ },
  ];
  for (const { title, table, message } of cases) {
    t.log(title);
    await assertFails(t, c, () => c.client.write(c.key, table), status.FAILED_PRECONDITION, "SCHEMA_MISMATCH", message);
  }
});

errorTest("an ordered_on other than the dataset's is FAILED_PRECONDITION / ORDERED_ON_MISMATCH", async (t, c) => {
  const write = () => c.client.write(c.key, marketBatch(200, 10), { orderedOn: "qty" });
  await assertFails(t, c, write, status.FAILED_PRECONDITION, "ORDERED_ON_MISMATCH", /"qty".*"timestamp"/);
});

errorTest("a first write without ordered_on, or ordered on a column the rows lack, is INVALID_ARGUMENT", async (t, c) => {
  const state = async () => ({ keys: await c.client.listKeys({ symbol: c.absent.symbol! }), dataset: committedState(await c.client.describe(c.key)) });
  const before = await state();
  for (const orderedOn of [undefined, "nope"]) {
    const err = await t.throwsAsync(c.client.write(c.absent, marketBatch(0, 10), orderedOn ? { orderedOn } : {}), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.INVALID_ARGUMENT);
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", orderedOn ? /nope/ : /ordered_on/);
  }
  t.deepEqual(await state(), before);
  await t.throwsAsync(c.client.describe(c.absent), { instanceOf: OupsClientError, message: /no dataset/ });
});

errorTest("a failed first write to a key leaves no directory behind", async (t, c) => {
  await assertFails(t, c, () => c.client.write(c.absent, marketBatch(0, 10)), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /ordered_on/);
});

errorTest("duplicatesOn naming an unknown column is INVALID_ARGUMENT", async (t, c) => {
  await assertFails(t, c, () => c.client.write(c.key, marketBatch(200, 10), { duplicatesOn: ["nope"] }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /nope/);
});

errorTest("bytes that are not an Arrow IPC stream are INVALID_ARGUMENT", async (t, c) => {
  const { client, key } = c;
  const garbage = randomBytes(4096);
  await assertFails(t, c, () => client.rpc.write([header(key), chunk(garbage)]), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /Arrow IPC/);
  // A valid schema message, then garbage where the record batches should be.
  const schemaThenGarbage = [header(key), chunk(encodeSchemaMessage(marketSchema)), chunk(garbage)];
  await assertFails(t, c, () => client.rpc.write(schemaThenGarbage), status.INVALID_ARGUMENT, "INVALID_ARGUMENT");
  // A valid stream cut short in the middle of a record batch.
  const whole: Uint8Array[] = [];
  for await (const part of encodeIpcStream(marketSchema, [marketBatch(200, 100)], { maxChunkBytes: 1 << 20 })) whole.push(part);
  const body = whole[1]!;
  const truncated = [header(key), chunk(whole[0]!), chunk(body.subarray(0, body.byteLength >> 1))];
  await assertFails(t, c, () => client.rpc.write(truncated), status.INVALID_ARGUMENT, "INVALID_ARGUMENT");
});

errorTest("a Write whose IPC stream stops between messages, without its end marker, is INVALID_ARGUMENT", async (t, c) => {
  // What the daemon sees of a client cancelling between two messages when the request stream ends before the
  // cancellation arrives: it must not take the rows received so far for the whole write.
  const parts: Uint8Array[] = [];
  for await (const part of encodeIpcStream(marketSchema, [marketBatch(200, 100), marketBatch(300, 100)], { maxChunkBytes: 1 << 20 })) parts.push(part);
  const cut = [header(c.key), ...parts.slice(0, -1).map(chunk)];
  await assertFails(t, c, () => c.client.rpc.write(cut), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /end-of-stream/);
  // With its end marker, the same stream commits.
  t.is(Number((await c.client.rpc.write([...cut, chunk(parts.at(-1)!)])).totalRows), 300);
});

errorTest("a Write whose first message is not its header, or with a second header, is INVALID_ARGUMENT", async (t, c) => {
  const { client, key } = c;
  const schemaChunk = chunk(encodeSchemaMessage(marketSchema));
  await assertFails(t, c, () => client.rpc.write([schemaChunk]), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /header/);
  await assertFails(t, c, () => client.rpc.write([]), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /header/);
  await assertFails(t, c, () => client.rpc.write([header(key), schemaChunk, header(key)]), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /header/);
});

errorTest("a message over the daemon's 64 MiB limit is RESOURCE_EXHAUSTED", async (t, c) => {
  // This client may send more than 64 MiB: the daemon is the one refusing.
  const big = new OupsClient(c.daemon.address, { channelOptions: { "grpc.max_send_message_length": 80 * 1024 * 1024 } });
  t.teardown(() => big.close());
  const huge = new Uint8Array(65 * 1024 * 1024);
  const requests = [header(c.key), chunk(encodeSchemaMessage(marketSchema)), chunk(huge)];
  await assertFails(t, c, () => big.rpc.write(requests), status.RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED");
  // The daemon still serves this connection's next calls.
  t.is((await big.describe(c.key)).totalRows, 100);
});

errorTest("a bound of a kind that does not fit the ordered column is INVALID_ARGUMENT", async (t, c) => {
  const { client, key } = c;
  await assertFails(t, c, () => client.read(key, { start: "2024-01-02" }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /string.*"timestamp"/);
  await client.write(c.absent, tableFromArrays({ n: Int32Array.of(1, 2, 3) }), { orderedOn: "n" });
  await assertFails(t, c, () => client.read(c.absent, { start: new Date(0) }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /timestamp/);
  await assertFails(t, c, () => client.read(c.absent, { start: "a" }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /string/);
});

errorTest("an unknown or repeated column is INVALID_ARGUMENT", async (t, c) => {
  await assertFails(t, c, () => c.client.read(c.key, { columns: ["price", "nope"] }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /"nope"/);
  await assertFails(t, c, () => c.client.read(c.key, { columns: ["price", "price"] }), status.INVALID_ARGUMENT, "INVALID_ARGUMENT", /price/);
});

errorTest("every error leaves the daemon serving: a valid write then succeeds", async (t, c) => {
  await t.throwsAsync(c.client.write(c.key, marketBatch(0, 10), { orderedOn: "qty" }));
  await t.throwsAsync(c.client.rpc.write([header(c.key), chunk(randomBytes(100))]));
  const result = await c.client.write(c.key, marketBatch(100, 10));
  t.is(result.totalRows, 110);
  t.is(result.generation, 2);
});
