/**
 * Retention 0 and readers that hold a version for a long time: an open RangeQuery stream not read to its end, and a
 * ListFiles lease, each keep their generation whole through many commits that rewrite every row group, until the
 * stream ends, the lease is released or the lease expires; then the files only they held are deleted.
 */
import test from "ava";
import type { ExecutionContext } from "ava";
import { tableFromIPC } from "apache-arrow";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { marketBatch } from "./helpers/market-data.js";
import { ServeProcess } from "../helpers/serve-process.js";
import type { VersionSummary } from "../helpers/version-ledger.js";
import { formatSummary, summarizeTable } from "../helpers/version-ledger.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";

const KEY = { symbol: "PIN", year: "2024", month: "1" };
const ROWS = 60_000;
const ROW_GROUP_ROWS = 6_000;
const COMMITS = 25;
/** Longest wait for the daemon to delete files nothing needs any more: a hang guard only. */
const GC_GUARD_MS = 60_000;

interface Fixture {
  serve: ServeProcess;
  client: OupsClient;
  storeDir: string;
}

async function withRetentionZero(t: ExecutionContext, body: (f: Fixture) => Promise<void>): Promise<void> {
  t.timeout(600_000, "a hang guard only");
  const dir = await makeTempDir("oups-pinned-");
  const storeDir = join(dir, "store");
  const serve = await ServeProcess.start(
    ["--store", storeDir, "--listen", "127.0.0.1:0", "--index", "symbol,year:int/month:int", "--retain-generations", "0", "--retain-for", "0"],
    { OUPS_LOG_LEVEL: "info" },
  );
  // A small HTTP/2 window: the daemon cannot push a whole version into the transport while the test does not read.
  const client = new OupsClient(serve.address, { channelOptions: { "grpc-node.flow_control_window": 65_535 } });
  try {
    await body({ serve, client, storeDir });
  } finally {
    client.close();
    await serve.stop();
    await removeTempDir(dir);
  }
}

/** Writes the first version: ROWS rows in row groups of ROW_GROUP_ROWS; returns its generation and summary. */
async function writeFirstVersion(client: OupsClient): Promise<{ generation: number; summary: VersionSummary }> {
  const written = await client.write(KEY, marketBatch(0, ROWS), { orderedOn: "timestamp", rowGroupTarget: ROW_GROUP_ROWS });
  return { generation: written.generation, summary: summarizeTable(await client.read(KEY)) };
}

/** Commits COMMITS updates; the first rewrites every row group (a row in each), the others a few rows each. */
async function commitMany(client: OupsClient): Promise<void> {
  for (let c = 0; c < COMMITS; c++) {
    const at = c === 0 ? Array.from({ length: ROWS / ROW_GROUP_ROWS }, (_, g) => g * ROW_GROUP_ROWS + 7) : [(c * 7919) % ROWS, (c * 104_729) % ROWS].sort((a, b) => a - b);
    await client.write(KEY, marketBatch(0, at.length, { timestampMs: (i) => at[i]!, qty: () => 100_000 + c }), {
      orderedOn: "timestamp",
      duplicatesOn: ["timestamp"],
      dropDuplicates: true,
      rowGroupTarget: ROW_GROUP_ROWS,
    });
  }
}

/** Paths (absolute) of the files of a generation, from a ListFiles lease taken at once (and released). */
async function filesOf(client: OupsClient, generation: number): Promise<string[]> {
  const listed = await client.rpc.listFiles({ key: { fields: KEY }, version: { version: { case: "generation", value: BigInt(generation) } } });
  await client.rpc.releaseLease({ leaseId: listed.lease!.id });
  return listed.files.map((f) => join(listed.storeDir, ...f.path.split("/")));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Commits (nothing changes but the generation) until none of `paths` is on disk; a hang guard bounds the wait. */
async function untilDeleted(client: OupsClient, paths: readonly string[]): Promise<void> {
  const deadline = Date.now() + GC_GUARD_MS;
  for (let i = 0; ; i++) {
    const left = (await Promise.all(paths.map(exists))).filter(Boolean).length;
    if (left === 0) return;
    if (Date.now() > deadline) throw new Error(`${left} of ${paths.length} files no longer needed are still on disk`);
    await client.updateMetadata(KEY, { set: { nudge: String(i) } });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("an open RangeQuery stream not read to its end keeps its generation whole through many commits with retention 0", (t) =>
  withRetentionZero(t, async ({ client }) => {
    const first = await writeFirstVersion(client);
    const paths = await filesOf(client, first.generation);
    const responses = client.rpc.rangeQuery({ key: { fields: KEY }, maxRowsPerChunk: 500 })[Symbol.asyncIterator]();
    const chunks: Uint8Array[] = [];
    const head = await responses.next();
    t.false(head.done);
    chunks.push(head.value!.arrowIpc);
    await commitMany(client);
    // The pinned generation is not retained by the policy, but its files are held for the reader.
    const versions = await client.rpc.listVersions({ key: { fields: KEY } });
    t.false(versions.versions.some((v) => Number(v.generation) === first.generation));
    const check = await client.rpc.checkStore({});
    t.true(check.heldFiles.some((h) => h.heldBy === "reader"), "files held for the reader are listed as such");
    t.deepEqual(check.findings.filter((f) => f.kind === "missing-file"), []);
    t.true((await Promise.all(paths.map(exists))).every(Boolean), "every file of the pinned generation is on disk");
    for (let r = await responses.next(); !r.done; r = await responses.next()) chunks.push(r.value.arrowIpc);
    const read = summarizeTable(tableFromIPC(Buffer.concat(chunks)));
    t.is(formatSummary(read), formatSummary(first.summary));
    // The stream is over: the files only it held go.
    await untilDeleted(client, paths);
    t.pass();
  }));

test("a ListFiles lease keeps its version's files through many commits with retention 0, until released", (t) =>
  withRetentionZero(t, async ({ client }) => {
    const first = await writeFirstVersion(client);
    const listed = await client.rpc.listFiles({ key: { fields: KEY } });
    t.is(Number(listed.generation), first.generation);
    const paths = listed.files.map((f) => join(listed.storeDir, ...f.path.split("/")));
    await commitMany(client);
    t.true((await Promise.all(paths.map(exists))).every(Boolean), "every leased file is on disk");
    const check = await client.rpc.checkStore({});
    t.true(check.heldFiles.some((h) => h.heldBy === "lease"));
    // The leased version can no longer be read through the daemon (retention 0), but its files can.
    const err = await t.throwsAsync(client.rpc.describe({ key: { fields: KEY }, version: { version: { case: "generation", value: BigInt(first.generation) } } }));
    t.is(OupsClientError.from(err).code, "VERSION_NOT_FOUND");
    t.regex(OupsClientError.from(err).message, /oldest/);
    t.true((await client.rpc.releaseLease({ leaseId: listed.lease!.id })).released);
    await untilDeleted(client, paths);
    t.false((await client.rpc.releaseLease({ leaseId: listed.lease!.id })).released);
  }));

test("a lease that expires stops holding its files: renewing it is LEASE_NOT_FOUND and its files go", (t) =>
  withRetentionZero(t, async ({ client }) => {
    await writeFirstVersion(client);
    const listed = await client.rpc.listFiles({ key: { fields: KEY }, leaseDuration: { seconds: 600n } });
    const paths = listed.files.map((f) => join(listed.storeDir, ...f.path.split("/")));
    await commitMany(client);
    t.true((await Promise.all(paths.map(exists))).every(Boolean), "every leased file is on disk while the lease runs");
    // Shortened to one second from now: it expires without being released.
    const renewed = await client.rpc.renewLease({ leaseId: listed.lease!.id, duration: { seconds: 1n } });
    t.truthy(renewed.lease?.expiresAt);
    const deadline = Date.now() + GC_GUARD_MS;
    for (;;) {
      const err = await client.rpc.renewLease({ leaseId: listed.lease!.id, duration: { seconds: 1n } }).then(
        () => undefined,
        (e: unknown) => OupsClientError.from(e),
      );
      if (err) {
        t.is(err.code, "LEASE_NOT_FOUND");
        break;
      }
      if (Date.now() > deadline) throw new Error("the lease never expired");
      // Renewed for one more second: wait at least that long before trying again.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    await untilDeleted(client, paths);
    t.pass();
  }));
