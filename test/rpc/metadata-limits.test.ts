import type { ExecutionContext } from "ava";
import test from "ava";
import { status } from "@grpc/grpc-js";
import { toBinary } from "@bufbuild/protobuf";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { DescribeResponseSchema } from "#gen/oups/v1/store_pb.js";
import { Daemon } from "../../server/src/daemon.js";
import { digestTree } from "../helpers/tree-digest.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { datasetDir } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

const shared = useSharedDaemon(test);
const MiB = 1024 * 1024;
let nextKey = 0;

function newKey(): { symbol: string; year: string; month: string } {
  return { symbol: `M${nextKey++}`, year: "2024", month: "1" };
}

/** Asserts that `call` fails with INVALID_ARGUMENT / METADATA_TOO_LARGE and a message matching `message`. */
async function assertRefused(t: ExecutionContext, call: () => Promise<unknown>, message: RegExp): Promise<void> {
  const err = OupsClientError.from(await t.throwsAsync(call()));
  t.is(err.grpcCode, status.INVALID_ARGUMENT, `${status[err.grpcCode]}: ${err.message}`);
  t.is(err.code, "METADATA_TOO_LARGE");
  t.regex(err.message, message);
}

/** What must hold after a refused change: the dataset's files byte for byte, its description, reads. */
async function assertUnchanged(t: ExecutionContext, client: OupsClient, dir: string, key: KeyFields, before: { digest: Record<string, string>; described: unknown }) {
  t.deepEqual(await digestTree(dir), before.digest, "the dataset's files are unchanged");
  t.deepEqual(await client.describe(key), before.described, "Describe still answers, with what it said before");
  t.deepEqual(await client.getMetadata(key), { source: "seed" }, "GetMetadata still answers");
  t.is((await client.read(key)).numRows, 100);
}

test("the 40 MiB repro: two UpdateMetadata calls of 40 MiB values are INVALID_ARGUMENT, nothing committed, the dataset still described", async (t) => {
  const { client, storeDir } = shared();
  const key = newKey();
  await client.write(key, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
  const dir = datasetDir(storeDir, key);
  const before = { digest: await digestTree(dir), described: await client.describe(key) };
  for (const name of ["blob1", "blob2"]) {
    await assertRefused(
      t,
      () => client.updateMetadata(key, { set: { [name]: "x".repeat(40 * MiB) } }),
      new RegExp(`metadata value of key "${name}" is 41943040 bytes, over the limit of 65536 bytes per value`),
    );
  }
  await assertUnchanged(t, client, dir, key, before);
});

test("a Write whose header sets a 40 MiB metadata value is INVALID_ARGUMENT and commits none of its rows", async (t) => {
  const { client, storeDir } = shared();
  const key = newKey();
  await client.write(key, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
  const dir = datasetDir(storeDir, key);
  const before = { digest: await digestTree(dir), described: await client.describe(key) };
  await assertRefused(t, () => client.write(key, marketBatch(100, 50), { metadata: { blob: "x".repeat(40 * MiB) } }), /key "blob" is 41943040 bytes/);
  await assertUnchanged(t, client, dir, key, before);
});

test("a Write through the SDK whose header carries almost 1 MiB of metadata, within the limits, is committed", async (t) => {
  const { client } = shared();
  const key = newKey();
  // 15 values of 64 KiB: far past HTTP/2's header limits, had the SDK sent them as request headers too.
  const metadata = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, "abcdefghijklmnop"[i]!.repeat(64 * 1024)]));
  await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp", metadata });
  t.deepEqual(await client.getMetadata(key), metadata);
});

test("removing a metadata key that is not there succeeds over the wire", async (t) => {
  const { client } = shared();
  const key = newKey();
  await client.write(key, marketBatch(0, 10), { orderedOn: "timestamp", metadata: { source: "seed" } });
  t.deepEqual(await client.updateMetadata(key, { remove: ["never-set"] }), { source: "seed" });
  await client.write(key, marketBatch(10, 10), { removeMetadata: ["never-set"] });
  t.deepEqual(await client.getMetadata(key), { source: "seed" });
});

test("Describe of a dataset with many row groups is smaller than 1.5 times its manifest, which the daemon bounds to 16 MiB", async (t) => {
  const { client, storeDir } = shared();
  const key = newKey();
  await client.write(key, marketBatch(0, 400), { orderedOn: "timestamp", rowGroupTarget: 1, metadata: { source: "x".repeat(1000) } });
  const response = await client.rpc.describe({ key: { fields: { ...key } } });
  t.is(response.rowGroups.length, 400);
  const describeBytes = toBinary(DescribeResponseSchema, response).byteLength;
  const manifestBytes = (await stat(join(datasetDir(storeDir, key), "_manifest.json"))).size;
  t.log(`Describe: ${describeBytes} bytes; manifest: ${manifestBytes} bytes`);
  t.true(describeBytes <= 1.5 * manifestBytes);
});

/** Each limit of a daemon started with small ones, broken on its own by UpdateMetadata and by a Write header. */
const breaches: { limit: string; set: Record<string, string>; message: RegExp }[] = [
  { limit: "--metadata-max-keys", set: { b: "1", c: "2" }, message: /metadata would hold 3 keys, over the limit of 2 keys \(adding "c"\)/ },
  { limit: "--metadata-max-key-bytes", set: { "sixteen-byte-key": "1" }, message: /metadata key "sixteen-byte-key" is 16 bytes, over the limit of 10 bytes per key/ },
  { limit: "--metadata-max-value-bytes", set: { b: "v".repeat(21) }, message: /metadata value of key "b" is 21 bytes, over the limit of 20 bytes per value/ },
  { limit: "--metadata-max-bytes", set: { b: "v".repeat(20) }, message: /metadata would total 31 bytes of keys and values, over the limit of 30 bytes \(setting "b"\)/ },
];

test("a daemon started with metadata limits refuses each one broken alone, on UpdateMetadata and Write, changing nothing", async (t) => {
  const storeDir = await makeTempDir();
  const daemon = await Daemon.start({
    storeDir,
    listen: "127.0.0.1:0",
    indexSchema: testIndex,
    metadataLimits: { maxKeys: 2, maxKeyBytes: 10, maxValueBytes: 20, maxTotalBytes: 30 },
  });
  const client = new OupsClient(daemon.address);
  try {
    const key = newKey();
    await client.write(key, marketBatch(0, 100), { orderedOn: "timestamp", rowGroupTarget: 50, metadata: { source: "seed" } });
    const dir = datasetDir(storeDir, key);
    const before = { digest: await digestTree(dir), described: await client.describe(key) };
    for (const { limit, set, message } of breaches) {
      t.log(limit);
      await assertRefused(t, () => client.updateMetadata(key, { set }), message);
      await assertRefused(t, () => client.write(key, marketBatch(100, 10), { metadata: set }), message);
      await assertUnchanged(t, client, dir, key, before);
    }
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
  }
});
