import test from "ava";
import { getEventListeners } from "node:events";
import { status } from "@grpc/grpc-js";
import type { RecordBatch } from "apache-arrow";
import type { DatasetDescription, OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { datasetDir, filesIn, treeOf } from "./helpers/files.js";
import { columnValues, marketBatch } from "./helpers/market-data.js";
import { tapWrites } from "./helpers/write-tap.js";

const key = { symbol: "CXL", year: "2024", month: "1" };

/** What a description says of the committed state (the decoded schema compared by its fields). */
function committedState(d: DatasetDescription) {
  return { ...d, schema: d.schema?.fields.map((f) => `${f.name}: ${String(f.type)}`) };
}

/** Writes rows 0..999 in row groups of 100 and returns the dataset's state and files. */
async function writeBase(client: OupsClient, storeDir: string) {
  await client.write(key, marketBatch(0, 1000), { orderedOn: "timestamp", rowGroupTarget: 100 });
  return { description: committedState(await client.describe(key)), files: await filesIn(datasetDir(storeDir, key)) };
}

/**
 * Batches of an update overlapping every row group, then a wait on `gate` before the next one. The daemon's IPC
 * reader hands a batch over only once the next message has arrived: the engine gets `batchesBeforeGate - 1` of
 * them while the source waits.
 */
async function* stalledUpdate(batchesBeforeGate: number, gate: Promise<void>): AsyncGenerator<RecordBatch> {
  for (let i = 0; i < batchesBeforeGate; i++) yield marketBatch(i * 100 + 50, 100, { price: () => -1 });
  await gate;
  yield marketBatch(batchesBeforeGate * 100 + 50, 100, { price: () => -1 });
}

/** A promise the test opens in cleanup, so that a stalled source never outlives its test. */
function gate(t: { teardown(fn: () => void): void }): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  t.teardown(() => open());
  return { promise, open };
}

test(
  "a write cancelled midway through its AbortSignal commits nothing and leaves no file behind",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const before = await writeBase(client, storeDir);
    const tap = tapWrites(daemon.store);
    const controller = new AbortController();
    const writing = client.write(key, stalledUpdate(3, gate(t).promise), { signal: controller.signal, duplicatesOn: ["timestamp"], rowGroupTarget: 100 });
    const tapped = await tap.next();
    await tapped.pulled(2);
    controller.abort();

    const err = await t.throwsAsync(writing, { instanceOf: OupsClientError });
    t.is(err?.code, "CANCELLED");
    t.is(err?.grpcCode, status.CANCELLED);
    // The daemon sees either the cancellation or, when the request stream ends first, a stream cut short.
    const { error } = await tapped.settled;
    t.true(["CANCELLED", "INVALID_ARGUMENT"].includes((error as { code?: string } | undefined)?.code ?? ""), String(error));
    t.deepEqual(committedState(await client.describe(key)), before.description);
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), before.files);
    t.deepEqual(Array.from(columnValues(await client.read(key), "price")), Array.from(columnValues(marketBatch(0, 1000), "price")));
  }),
);

test(
  "a signal aborted before the write starts commits nothing",
  daemonTest(async (t, { client, storeDir }) => {
    const before = await writeBase(client, storeDir);
    const err = await t.throwsAsync(client.write(key, marketBatch(2000, 10), { signal: AbortSignal.abort() }), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.CANCELLED);
    t.deepEqual(committedState(await client.describe(key)), before.description);
  }),
);

test(
  "a first write to a new key cancelled midway leaves no dataset",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const tap = tapWrites(daemon.store);
    const controller = new AbortController();
    const writing = client.write(key, stalledUpdate(2, gate(t).promise), { signal: controller.signal, orderedOn: "timestamp", rowGroupTarget: 10 });
    const tapped = await tap.next();
    await tapped.pulled(1);
    controller.abort();
    await t.throwsAsync(writing, { instanceOf: OupsClientError, message: /cancel/i });
    await tapped.settled;
    t.deepEqual(await client.listKeys(), []);
    const err = await t.throwsAsync(client.describe(key), { instanceOf: OupsClientError });
    t.is(err?.code, "NOT_FOUND");
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), []);
  }),
);

test(
  "a write whose source throws midway fails with the source's error and commits nothing",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const before = await writeBase(client, storeDir);
    const tap = tapWrites(daemon.store);
    const boom = new Error("the source failed");
    const failNow = gate(t);
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield* stalledUpdate(2, failNow.promise);
      throw boom;
    }
    const writing = client.write(key, failing(), { duplicatesOn: ["timestamp"] });
    const tapped = await tap.next();
    await tapped.pulled(1);
    failNow.open();

    const err = await t.throwsAsync(writing, { instanceOf: OupsClientError });
    t.is(err?.cause, boom);
    t.is(err?.message, boom.message);
    const { error } = await tapped.settled;
    t.truthy(error);
    t.deepEqual(committedState(await client.describe(key)), before.description);
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), before.files);
  }),
);

test(
  "a write whose source throws before its first batch commits nothing",
  daemonTest(async (t, { client, storeDir }) => {
    const before = await writeBase(client, storeDir);
    const boom = new Error("no rows today");
    // biome-ignore lint/correctness/useYield: a source that fails before producing anything
    async function* failing(): AsyncGenerator<RecordBatch> {
      throw boom;
    }
    const err = await t.throwsAsync(client.write(key, failing()), { instanceOf: OupsClientError });
    t.is(err?.cause, boom);
    t.deepEqual(committedState(await client.describe(key)), before.description);
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), before.files);
  }),
);

test(
  "a cancelled first write to a key leaves no directory behind",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const tap = tapWrites(daemon.store);
    const controller = new AbortController();
    const writing = client.write(key, stalledUpdate(2, gate(t).promise), { signal: controller.signal, orderedOn: "timestamp" });
    const tapped = await tap.next();
    await tapped.pulled(1);
    controller.abort();
    await t.throwsAsync(writing, { instanceOf: OupsClientError });
    await tapped.settled;
    t.deepEqual(await treeOf(storeDir), ["oups-store.json"]);
  }),
);

test(
  "a long-lived AbortSignal shared by many calls keeps no listener once they are over",
  daemonTest(async (t, { client }) => {
    const controller = new AbortController();
    const { signal } = controller;
    await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp", signal });
    for (let i = 0; i < 12; i++) {
      await client.describe(key, { signal });
      await client.read(key, { signal });
      for await (const batch of client.rangeQuery(key, { signal, maxRowsPerChunk: 2 })) if (batch.numRows > 0) break;
    }
    await t.throwsAsync(client.describe({ ...key, symbol: "NONE" }, { signal }));
    t.is(getEventListeners(signal, "abort").length, 0);
  }),
);
