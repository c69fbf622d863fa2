import test from "ava";
import { once } from "node:events";
import { status } from "@grpc/grpc-js";
import type { RecordBatch } from "apache-arrow";
import type { DatasetDescription } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest, slowReaderClient } from "../helpers/with-daemon.js";
import { datasetDir, eventually, filesIn } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";
import { tapRangeReads, tapWrites } from "./helpers/write-tap.js";

const key = { symbol: "DL", year: "2024", month: "1" };

function committedState(d: DatasetDescription) {
  return { ...d, schema: d.schema?.fields.map((f) => `${f.name}: ${String(f.type)}`) };
}

/** A promise opened in the test's cleanup: what a stalled source waits on. */
function never(t: { teardown(fn: () => void): void }): Promise<void> {
  return new Promise<void>((resolve) => t.teardown(resolve));
}

test(
  "a write whose source never yields fails with DEADLINE_EXCEEDED and commits nothing",
  daemonTest(async (t, { client, storeDir }) => {
    const stalled = never(t);
    async function* silent(): AsyncGenerator<RecordBatch> {
      await stalled;
      yield marketBatch(0, 10);
    }
    const err = await t.throwsAsync(client.write(key, silent(), { orderedOn: "timestamp", timeoutMs: 300 }), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.DEADLINE_EXCEEDED);
    t.is(err?.code, "DEADLINE_EXCEEDED");
    t.deepEqual(await client.listKeys(), []);
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), []);
  }),
);

test(
  "a write that stalls after some batches fails with DEADLINE_EXCEEDED and the engine discards what it merged",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    await client.write(key, marketBatch(0, 1000), { orderedOn: "timestamp", rowGroupTarget: 100 });
    const before = committedState(await client.describe(key));
    const files = await filesIn(datasetDir(storeDir, key));
    const tap = tapWrites(daemon.store);
    const stalled = never(t);
    async function* stalling(): AsyncGenerator<RecordBatch> {
      yield marketBatch(500, 100, { price: () => -1 });
      yield marketBatch(600, 100, { price: () => -1 });
      await stalled;
    }
    // The deadline only has to outlast the engine's receiving the first batch.
    const writing = client.write(key, stalling(), { duplicatesOn: ["timestamp"], timeoutMs: 5_000 });
    const tapped = await tap.next();
    await tapped.pulled(1);
    const err = await t.throwsAsync(writing, { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.DEADLINE_EXCEEDED);
    const { error } = await tapped.settled;
    t.truthy(error);
    t.deepEqual(committedState(await client.describe(key)), before);
    t.deepEqual(await filesIn(datasetDir(storeDir, key)), files);
  }),
);

test(
  "a range query whose consumer stalls past its deadline fails with DEADLINE_EXCEEDED and frees its snapshot",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    await client.write(key, marketBatch(0, 300_000), { orderedOn: "timestamp", rowGroupTarget: 50_000 });
    const oldFiles = await filesIn(datasetDir(storeDir, key));
    // The deadline only has to outlast the first batch's arrival.
    const reads = tapRangeReads(daemon.store);
    // Small batches make hundreds of messages: more than the transport buffers, so the daemon is still sending.
    const batches = client.rangeQuery(key, { timeoutMs: 8_000, maxRowsPerChunk: 1_000 })[Symbol.asyncIterator]();
    t.false((await batches.next()).done);
    // The consumer holds the stream until the daemon sees the deadline pass: reading on then reports it.
    const serverSignal = await reads.next();
    if (!serverSignal.aborted) await once(serverSignal, "abort");
    const err = await t.throwsAsync(
      (async () => {
        for (let next = await batches.next(); !next.done; next = await batches.next());
      })(),
      { instanceOf: OupsClientError },
    );
    t.is(err?.grpcCode, status.DEADLINE_EXCEEDED);
    await client.write(key, marketBatch(0, 300_000, { price: () => 0 }), { duplicatesOn: ["timestamp"] });
    const gone = await eventually(async () => (await filesIn(datasetDir(storeDir, key))).every((f) => !oldFiles.includes(f) || f === "_manifest.json"));
    t.true(gone, "the old row groups are deleted once the query's snapshot is released");
  }, slowReaderClient),
);

test(
  "a call with a deadline it can meet succeeds",
  daemonTest(async (t, { client }) => {
    const result = await client.write(key, marketBatch(0, 100), { orderedOn: "timestamp", timeoutMs: 60_000 });
    t.is(result.totalRows, 100);
    t.is((await client.read(key, { timeoutMs: 60_000 })).numRows, 100);
  }),
);
