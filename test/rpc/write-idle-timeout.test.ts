import test from "ava";
import { status } from "@grpc/grpc-js";
import type { RecordBatch } from "apache-arrow";
import { setTimeout as sleep } from "node:timers/promises";
import type { OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { digestTree } from "../helpers/tree-digest.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues, marketBatch } from "./helpers/market-data.js";
import { tapWrites } from "./helpers/write-tap.js";

const key = { symbol: "IDL", year: "2024", month: "1" };

/** A gate the test opens in cleanup, so that a stalled source never outlives its test. */
function stall(t: { teardown(fn: () => void): void }): Promise<void> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.teardown(() => open());
  return gate;
}

/** `before` batches of 100 rows after row 1000, then nothing until `gate` opens (never, in these tests). */
async function* stalledRows(before: number, gate: Promise<void>): AsyncGenerator<RecordBatch> {
  for (let i = 0; i < before; i++) yield marketBatch(1_000 + i * 100, 100, { price: () => -1 });
  await gate;
  yield marketBatch(1_000 + before * 100, 100, { price: () => -1 });
}

async function writeBase(client: OupsClient) {
  await client.write(key, marketBatch(0, 1_000), { orderedOn: "timestamp", rowGroupTarget: 500 });
}

async function assertIdleTimeout(t: { is(a: unknown, b: unknown): void; regex(s: string, r: RegExp): void }, writing: Promise<unknown>) {
  const err = await writing.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OupsClientError)) throw new Error(`expected an OupsClientError, got ${String(err)}`);
  t.is(err.grpcCode, status.DEADLINE_EXCEEDED);
  t.is(err.code, "IDLE_TIMEOUT");
  t.regex(err.message, /^the Write sent nothing for 300ms \(the daemon's --write-idle-timeout\): nothing was committed$/);
}

test(
  "a Write that sends its header and then nothing is ended with DEADLINE_EXCEEDED, commits nothing, and the next write to its key succeeds",
  daemonTest(
    async (t, { client, storeDir }) => {
      await writeBase(client);
      const before = await digestTree(storeDir);
      // The SDK sends the header at once, then waits for the source's first batch, which never comes.
      await assertIdleTimeout(t, client.write(key, stalledRows(0, stall(t))));
      t.deepEqual(await digestTree(storeDir), before);
      const next = await client.write(key, marketBatch(1_000, 10));
      t.is(next.totalRows, 1_010);
    },
    { limits: { writeIdleTimeoutMs: 300 } },
  ),
);

test(
  "a Write stalled midway frees its key at the idle timeout: the write queued behind it commits, the stalled rows are nowhere",
  daemonTest(
    async (t, { client, daemon }) => {
      await writeBase(client);
      const tap = tapWrites(daemon.store);
      const stalled = client.write(key, stalledRows(3, stall(t)), { duplicatesOn: ["timestamp"] });
      const first = await tap.next();
      // The engine holds the key and has rows of the stalled write in hand.
      await first.pulled(2);
      const queued = client.write(key, marketBatch(1_000, 10), { duplicatesOn: ["timestamp"] });
      await assertIdleTimeout(t, stalled);
      t.truthy((await first.settled).error);
      t.is((await queued).totalRows, 1_010);
      const prices = Array.from(columnValues(await client.read(key), "price") as Float64Array);
      t.is(prices.length, 1_010);
      t.false(prices.includes(-1), "no row of the stalled write was committed");
    },
    { limits: { writeIdleTimeoutMs: 300 } },
  ),
);

/** Small batches with short pauses between them, until the write has lasted `forMs`: never idle for long. */
async function* steadyRows(forMs: number, gapMs: number): AsyncGenerator<RecordBatch> {
  const start = Date.now();
  for (let i = 0; Date.now() - start < forMs; i++) {
    yield marketBatch(1_000 + i * 10, 10);
    await sleep(gapMs);
  }
}

test(
  "a Write streaming steadily is not cut, even when the whole write lasts longer than the idle timeout",
  daemonTest(
    async (t, { client }) => {
      await writeBase(client);
      // Pauses of 10 ms against a 1 s timeout; the write lasts 1.5 s (its source says so, nothing asserts it).
      // Small chunks: each batch goes out as it is produced.
      const result = await client.write(key, steadyRows(1_500, 10), { maxChunkBytes: 1_024 });
      t.true(result.rowsReceived > 0);
      t.is(result.totalRows, 1_000 + result.rowsReceived);
    },
    { limits: { writeIdleTimeoutMs: 1_000 } },
  ),
);

test(
  "a write idle timeout of 0 never ends a Write",
  daemonTest(
    async (t, { client, daemon }) => {
      await writeBase(client);
      const tap = tapWrites(daemon.store);
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      t.teardown(() => open());
      const writing = client.write(key, stalledRows(2, gate));
      const write = await tap.next();
      await write.pulled(1);
      // Nothing times out: the write goes on once its source does.
      open();
      t.is((await writing).rowsReceived, 300);
    },
    { limits: { writeIdleTimeoutMs: 0 } },
  ),
);
