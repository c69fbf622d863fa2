import test from "ava";
import { status } from "@grpc/grpc-js";
import { once } from "node:events";
import type { OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest, slowReaderClient } from "../helpers/with-daemon.js";
import { datasetDir, eventually, filesIn } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";
import { tapRangeReads } from "./helpers/write-tap.js";

const key = { symbol: "RQC", year: "2024", month: "1" };
const ROWS = 200_000;
// Small batches make hundreds of messages, more than the transport buffers: the daemon is still sending when the
// consumer stops.
const query = { maxRowsPerChunk: 1_000 };

async function writeBase(client: OupsClient, storeDir: string): Promise<string[]> {
  await client.write(key, marketBatch(0, ROWS), { orderedOn: "timestamp", rowGroupTarget: 50_000 });
  return rowGroupFiles(storeDir);
}

async function rowGroupFiles(storeDir: string): Promise<string[]> {
  return (await filesIn(datasetDir(storeDir, key))).filter((f) => !f.startsWith("_") && !f.startsWith("."));
}

/** A write replacing every row: it makes every earlier row-group file obsolete. */
function rewriteAll(client: OupsClient, price: number) {
  return client.write(key, marketBatch(0, ROWS, { price: () => price }), { duplicatesOn: ["timestamp"], rowGroupTarget: 50_000 });
}

async function allGone(storeDir: string, files: readonly string[]): Promise<boolean> {
  return eventually(async () => (await rowGroupFiles(storeDir)).every((f) => !files.includes(f)));
}

test(
  "a consumer breaking out of a range query frees the daemon: later writes commit and old files are deleted",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const oldFiles = await writeBase(client, storeDir);
    t.is(oldFiles.length, 4);
    const reads = tapRangeReads(daemon.store);
    let batches = 0;
    for await (const batch of client.rangeQuery(key, query)) {
      batches++;
      t.is(batch.numRows, 1_000);
      // Writes never wait for readers: this one commits while the query holds generation 1.
      const result = await rewriteAll(client, 1);
      t.is(result.generation, 2);
      t.deepEqual((await rowGroupFiles(storeDir)).filter((f) => oldFiles.includes(f)), oldFiles, "pinned by the open query");
      break;
    }
    t.is(batches, 1);
    const serverSignal = await reads.next();
    if (!serverSignal.aborted) await once(serverSignal, "abort");
    t.true(await allGone(storeDir, oldFiles), "generation 1's files are deleted once the query is gone");

    const newFiles = await rowGroupFiles(storeDir);
    const result = await rewriteAll(client, 2);
    t.is(result.generation, 3);
    t.true(await allGone(storeDir, newFiles));
    const prices = (await client.read(key, { columns: ["price"] })).getChild("price")!.toArray() as Float64Array;
    t.true(prices.length === ROWS && prices.every((p) => p === 2));
  }, slowReaderClient),
);

test(
  "aborting a range query's signal midway fails the read with CANCELLED and frees its snapshot",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const oldFiles = await writeBase(client, storeDir);
    const reads = tapRangeReads(daemon.store);
    const controller = new AbortController();
    const batches = client.rangeQuery(key, { ...query, signal: controller.signal })[Symbol.asyncIterator]();
    t.false((await batches.next()).done);
    controller.abort();
    const err = await t.throwsAsync(
      (async () => {
        for (let next = await batches.next(); !next.done; next = await batches.next());
      })(),
      { instanceOf: OupsClientError },
    );
    t.is(err?.grpcCode, status.CANCELLED);
    t.is(err?.code, "CANCELLED");
    const serverSignal = await reads.next();
    if (!serverSignal.aborted) await once(serverSignal, "abort");
    await rewriteAll(client, 1);
    t.true(await allGone(storeDir, oldFiles));
  }, slowReaderClient),
);

test(
  "a range query dropped before its first batch is read frees its snapshot too",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const oldFiles = await writeBase(client, storeDir);
    const reads = tapRangeReads(daemon.store);
    const batches = client.rangeQuery(key, query)[Symbol.asyncIterator]();
    // Start the call, then give up on it at once.
    const first = batches.next();
    const serverSignal = await reads.next();
    t.false((await first).done);
    await batches.return(undefined);
    if (!serverSignal.aborted) await once(serverSignal, "abort");
    await rewriteAll(client, 1);
    t.true(await allGone(storeDir, oldFiles));
  }, slowReaderClient),
);
