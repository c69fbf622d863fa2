import test from "ava";
import { status } from "@grpc/grpc-js";
import type { RecordBatch } from "apache-arrow";
import { once } from "node:events";
import { connect } from "node:http2";
import type { Settings } from "node:http2";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { encodeSchemaMessage } from "#shared/arrow/ipc-stream.js";
import type { WriteRequestSchema } from "#gen/oups/v1/store_pb.js";
import { OupsClientError } from "../../client/src/index.js";
import { DEFAULT_CHANNEL_OPTIONS } from "../../client/src/oups-client.js";
import type { KeyFields } from "../../client/src/index.js";
import { digestTree } from "../helpers/tree-digest.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { marketBatch, marketSchema } from "./helpers/market-data.js";
import { tapWrites } from "./helpers/write-tap.js";

const key = (symbol: string): KeyFields => ({ symbol, year: "2024", month: "1" });

async function failure(promise: Promise<unknown>): Promise<OupsClientError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OupsClientError)) throw new Error(`expected an OupsClientError, got ${String(err)}`);
  return err;
}

test(
  "a QueryIntersections naming more keys than --max-intersection-keys is RESOURCE_EXHAUSTED, naming the limit and the flag",
  daemonTest(
    async (t, { client }) => {
      const keys = ["QA", "QB", "QC"].map(key);
      for (const k of keys) await client.write(k, marketBatch(0, 10), { orderedOn: "timestamp" });
      let parts = 0;
      for await (const _ of client.queryIntersections(keys.slice(0, 2))) parts++;
      t.is(parts, 2, "at the limit: served");
      const err = await failure(
        (async () => {
          for await (const _ of client.queryIntersections(keys));
        })(),
      );
      t.is(err.grpcCode, status.RESOURCE_EXHAUSTED);
      t.is(err.code, "TOO_LARGE");
      t.is(err.message, "QueryIntersections takes at most 2 keys (the daemon's --max-intersection-keys), got 3");
    },
    { limits: { maxIntersectionKeys: 2 } },
  ),
);

/** Batches of 100 rows, then nothing until `gate` opens (in cleanup). */
async function* stalledRows(before: number, gate: Promise<void>): AsyncGenerator<RecordBatch> {
  for (let i = 0; i < before; i++) yield marketBatch(i * 100, 100);
  await gate;
}

test(
  "with --max-concurrent-writes 1, writes to other keys wait for the slot, and waiting, even past the write idle timeout, is not idleness",
  daemonTest(
    async (t, { client, daemon }) => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      t.teardown(() => open());
      const tap = tapWrites(daemon.store);
      const events: string[] = [];
      // Two writes that stall once they hold the slot, each ended by the idle timeout, one after the other.
      const first = client.write(key("W1"), stalledRows(2, gate), { orderedOn: "timestamp" });
      const firstTapped = await tap.next();
      await firstTapped.pulled(1);
      const second = client.write(key("W2"), stalledRows(2, gate), { orderedOn: "timestamp" });
      const secondTapped = await tap.next();
      // The last one sends everything at once, then waits for the slot through both idle timeouts.
      const last = client.write(key("W3"), marketBatch(0, 100), { orderedOn: "timestamp" });
      const lastTapped = await tap.next();
      void firstTapped.settled.then(() => events.push("first settled"));
      void secondTapped.settled.then(() => events.push("second settled"));
      void lastTapped.pulled(1).then(() => events.push("last read"));

      t.is((await failure(first)).code, "IDLE_TIMEOUT");
      t.is((await failure(second)).code, "IDLE_TIMEOUT");
      t.is((await last).totalRows, 100);
      t.deepEqual(events, ["first settled", "second settled", "last read"], "each write read its rows only once it had the slot");
      t.deepEqual(await client.listKeys(), [key("W3")]);
    },
    { limits: { maxConcurrentWrites: 1, writeIdleTimeoutMs: 300 } },
  ),
);

test(
  "with --max-concurrent-writes 1, two writes to different keys sent at once both succeed",
  daemonTest(
    async (t, { client }) => {
      const results = await Promise.all([
        client.write(key("C1"), marketBatch(0, 5_000), { orderedOn: "timestamp" }),
        client.write(key("C2"), marketBatch(0, 5_000), { orderedOn: "timestamp" }),
      ]);
      t.deepEqual(
        results.map((r) => r.totalRows),
        [5_000, 5_000],
      );
    },
    { limits: { maxConcurrentWrites: 1 } },
  ),
);

type WriteRequest = MessageInitShape<typeof WriteRequestSchema>;
const MIB = 1024 * 1024;

test(
  "a message over the daemon's message limit is RESOURCE_EXHAUSTED and changes nothing; range queries still fit under it",
  daemonTest(
    async (t, { client, storeDir }) => {
      const k = key("MSG");
      // Written in chunks under the limit; 300 000 rows of about 24 bytes, 7 MB, in one row group.
      const batches = Array.from({ length: 10 }, (_, i) => marketBatch(i * 30_000, 30_000));
      await client.write(k, batches, { orderedOn: "timestamp", rowGroupTarget: 300_000, maxChunkBytes: MIB });
      const before = await digestTree(storeDir);
      const requests: WriteRequest[] = [
        { kind: { case: "header", value: { key: { fields: { ...k } } } } },
        { kind: { case: "arrowIpc", value: encodeSchemaMessage(marketSchema) } },
        { kind: { case: "arrowIpc", value: new Uint8Array(3.5 * MIB) } },
      ];
      const err = await failure(client.rpc.write(requests).catch((e: unknown) => Promise.reject(OupsClientError.from(e))));
      t.is(err.grpcCode, status.RESOURCE_EXHAUSTED);
      t.deepEqual(await digestTree(storeDir), before);
      // Batches of 300 000 rows would make 7 MB messages: the daemon cuts its responses to fit its limit.
      let rows = 0;
      for await (const batch of client.rangeQuery(k, { maxRowsPerChunk: 300_000 })) rows += batch.numRows;
      t.is(rows, 300_000);
    },
    { limits: { maxMessageBytes: 3 * MIB } },
  ),
);

test(
  "the daemon announces --max-concurrent-streams to each connection, and calls past it wait their turn and complete",
  daemonTest(
    async (t, { client, daemon }) => {
      const session = connect(`http://${daemon.address}`);
      t.teardown(() => session.close());
      const [settings] = (await once(session, "remoteSettings")) as [Settings];
      t.is(settings.maxConcurrentStreams, 2);
      const k = key("STR");
      await client.write(k, marketBatch(0, 20_000), { orderedOn: "timestamp", rowGroupTarget: 5_000 });
      const counts = await Promise.all(
        Array.from({ length: 6 }, async () => {
          let rows = 0;
          for await (const batch of client.rangeQuery(k, { maxRowsPerChunk: 1_000 })) rows += batch.numRows;
          return rows;
        }),
      );
      t.deepEqual(counts, Array(6).fill(20_000));
    },
    { limits: { maxConcurrentStreams: 2 } },
  ),
);

test(
  "the daemon pings connections after --keepalive-time without activity, so that dead peers are noticed",
  daemonTest(
    async (t, { daemon }) => {
      const session = connect(`http://${daemon.address}`);
      t.teardown(() => session.close());
      // No call on this connection: the daemon's ping is the only frame that can come.
      await once(session, "ping");
      t.pass();
    },
    { limits: { keepaliveTimeMs: 100 } },
  ),
);

test("the SDK's channels keep alive by default: a ping after 60 s without activity, idle connections included, 20 s to answer", (t) => {
  t.like(DEFAULT_CHANNEL_OPTIONS, {
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_timeout_ms": 20_000,
    "grpc.keepalive_permit_without_calls": 1,
  });
});
