import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";
import type { OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import type { Store } from "../../server/src/store/store.js";
import { daemonTest, slowReaderClient } from "../helpers/with-daemon.js";
import { datasetDir, eventually, filesIn } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";

const keyA = { symbol: "RIA", year: "2024", month: "1" };
const keyB = { symbol: "RIB", year: "2024", month: "1" };
const ROWS = 50_000;
// Row groups of 2 500 rows: 20 intervals of a walk, and 200 messages of a range query of 250-row chunks, far more
// than grpc-js's client buffers (16 messages) and the 64 KiB window hold: the daemon is soon left waiting.
const ROW_GROUP = 2_500;
const query = { maxRowsPerChunk: 250 };

/** A read idle timeout short enough for tests, and a client whose 64 KiB window the daemon soon fills. */
const stalledReader = { ...slowReaderClient, limits: { readIdleTimeoutMs: 300 } };

async function rowGroupFiles(storeDir: string, key: typeof keyA): Promise<string[]> {
  return (await filesIn(datasetDir(storeDir, key))).filter((f) => !f.startsWith("_") && !f.startsWith("."));
}

async function writeBase(client: OupsClient, storeDir: string, key: typeof keyA): Promise<string[]> {
  await client.write(key, marketBatch(0, ROWS), { orderedOn: "timestamp", rowGroupTarget: ROW_GROUP });
  return rowGroupFiles(storeDir, key);
}

/** A write replacing every row: it makes every earlier row-group file obsolete. */
function rewriteAll(client: OupsClient, key: typeof keyA) {
  return client.write(key, marketBatch(0, ROWS, { price: () => 1 }), { duplicatesOn: ["timestamp"], rowGroupTarget: ROW_GROUP });
}

/** Resolves when the engine's next range read or intersection walk opened from now on is closed (its generations released). */
function nextReadClosed(store: Store): Promise<void> {
  return new Promise((resolve) => {
    const openRange = store.openRange;
    const openIntersections = store.openIntersections;
    const restore = () => {
      store.openRange = openRange;
      store.openIntersections = openIntersections;
    };
    store.openRange = async (k, q) => {
      restore();
      const read = await openRange.call(store, k, q);
      const close = read.close.bind(read);
      read.close = () => {
        close();
        resolve();
      };
      return read;
    };
    store.openIntersections = async (ks, q) => {
      restore();
      const walk = await openIntersections.call(store, ks, q);
      return {
        ...walk,
        close: () => {
          walk.close();
          resolve();
        },
      };
    };
  });
}

async function drain(iterator: AsyncIterator<unknown>): Promise<void> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next());
}

async function assertReadIdleTimeout(t: ExecutionContext, reading: Promise<void>, method: string) {
  const err = await t.throwsAsync(reading, { instanceOf: OupsClientError });
  t.is(err?.grpcCode, status.DEADLINE_EXCEEDED);
  t.is(err?.code, "IDLE_TIMEOUT");
  t.is(err?.message, `the ${method} client read nothing for 300ms (the daemon's --read-idle-timeout): the query was ended`);
}

test(
  "a RangeQuery whose reader stops reading is ended: its files are deleted by the next commit, and reading again ends in DEADLINE_EXCEEDED",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const oldFiles = await writeBase(client, storeDir, keyA);
    const closed = nextReadClosed(daemon.store);
    const batches = client.rangeQuery(keyA, query)[Symbol.asyncIterator]();
    t.false((await batches.next()).done);
    // The reader stops: the daemon waits on the client's flow-control window, then gives up on it.
    await closed;
    t.is((await rewriteAll(client, keyA)).generation, 2);
    t.true(await eventually(async () => (await rowGroupFiles(storeDir, keyA)).every((f) => !oldFiles.includes(f))), "the query's generation is released");
    // What the transport already holds is still delivered, then the status.
    await assertReadIdleTimeout(t, drain(batches), "RangeQuery");
  }, stalledReader),
);

test(
  "a QueryIntersections whose reader stops reading is ended, releasing every dataset's generation",
  daemonTest(async (t, { client, daemon, storeDir }) => {
    const oldA = await writeBase(client, storeDir, keyA);
    const oldB = await writeBase(client, storeDir, keyB);
    const closed = nextReadClosed(daemon.store);
    const parts = client.queryIntersections([keyA, keyB])[Symbol.asyncIterator]();
    t.false((await parts.next()).done);
    await closed;
    await rewriteAll(client, keyA);
    await rewriteAll(client, keyB);
    t.true(
      await eventually(async () => {
        const files = [...(await rowGroupFiles(storeDir, keyA)), ...(await rowGroupFiles(storeDir, keyB))];
        return files.every((f) => !oldA.includes(f) && !oldB.includes(f));
      }),
    );
    await assertReadIdleTimeout(t, drain(parts), "QueryIntersections");
  }, stalledReader),
);

test(
  "a reader reading steadily is not cut, even when the whole query lasts longer than the read idle timeout",
  daemonTest(
    async (t, { client, storeDir }) => {
      await writeBase(client, storeDir, keyA);
      let rows = 0;
      // Pauses of 5 ms against a 1 s timeout, over 200 batches: the query lasts 1 s or more.
      for await (const batch of client.rangeQuery(keyA, query)) {
        rows += batch.numRows;
        await sleep(5);
      }
      t.is(rows, ROWS);
    },
    { ...slowReaderClient, limits: { readIdleTimeoutMs: 1_000 } },
  ),
);
