import test from "ava";
import type { ExecutionContext } from "ava";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { tableFromArrays } from "apache-arrow";
import type { OupsClient, Version } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { daemonTest, makeTempDir, noRetention, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { OupsClient as Client } from "../../client/src/index.js";
import { datasetDir, eventually, filesIn } from "./helpers/files.js";

const aapl = { symbol: "AAPL", year: "2024", month: "1" };
const msft = { symbol: "MSFT", year: "2024", month: "1" };

/** Rows ts = first .. first + n - 1, v = ts * factor; in row groups of 10 rows. */
function writeRange(client: OupsClient, key: typeof aapl, first: number, n: number, factor: number, metadata?: Record<string, string>) {
  const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i));
  const v = Float64Array.from({ length: n }, (_, i) => (first + i) * factor);
  return client.write(key, tableFromArrays({ ts, v }), { orderedOn: "ts", duplicatesOn: ["ts"], rowGroupTarget: 10, ...(metadata ? { metadata } : {}) });
}

async function values(client: OupsClient, key: typeof aapl, version?: Version): Promise<number[]> {
  const table = await client.read(key, { version, columns: ["v"] });
  return [...(table.getChild("v")?.toArray() ?? [])] as number[];
}

/** A raw call's failure as the SDK's error. */
function raw<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) => {
    throw OupsClientError.from(err);
  });
}

async function failure(t: ExecutionContext, run: Promise<unknown>): Promise<OupsClientError> {
  const err = await t.throwsAsync(run, { instanceOf: OupsClientError });
  return err!;
}

test(
  "describe, read, getMetadata and queryIntersections read the version a generation, an instant or a snapshot names",
  daemonTest(async (t, { client }) => {
    const g1 = await writeRange(client, aapl, 0, 30, 1, { state: "one" });
    await writeRange(client, msft, 0, 30, 10);
    const snapshot = await client.createSnapshot("first", { keys: [aapl, msft] });
    t.deepEqual(snapshot.datasets.map((d) => d.generation).sort(), [1, 1]);
    const firstCommit = (await client.describe(aapl)).committedAt!;
    const g2 = await writeRange(client, aapl, 0, 30, 2, { state: "two" });
    await writeRange(client, msft, 0, 30, 20);
    t.deepEqual([g1.generation, g2.generation], [1, 2]);

    t.deepEqual(await values(client, aapl), Array.from({ length: 30 }, (_, i) => i * 2));
    t.deepEqual(await values(client, aapl, { generation: 1 }), Array.from({ length: 30 }, (_, i) => i));
    t.deepEqual(await values(client, aapl, { asOf: firstCommit }), Array.from({ length: 30 }, (_, i) => i));
    t.deepEqual(await values(client, msft, { snapshot: "first" }), Array.from({ length: 30 }, (_, i) => i * 10));
    t.deepEqual(await client.getMetadata(aapl, { version: { generation: 1 } }), { state: "one" });
    t.deepEqual(await client.getMetadata(aapl, { version: { snapshot: "first" } }), { state: "one" });
    t.deepEqual(await client.getMetadata(aapl), { state: "two" });

    const old = await client.describe(aapl, { version: { generation: 1 } });
    t.is(old.generation, 1);
    t.is(old.currentGeneration, 2);
    t.is(old.totalRows, 30);
    const now = await client.describe(aapl);
    t.is(now.retainedVersions, 2);
    t.is(now.oldestRetainedGeneration, 1);
    // Every row group was rewritten: the old generation's files are what keeping it costs.
    t.is(now.olderVersionsBytes, old.totalBytes);
    t.is(now.currentBytes, now.totalBytes);
    t.deepEqual(now.retention, { generations: 10, durationMs: 24 * 3600 * 1000 });

    const parts = [];
    for await (const part of client.queryIntersections([aapl, msft], { version: { snapshot: "first" } })) parts.push(part);
    const v = parts.flatMap((p) => [...(p.table.getChild("v")?.toArray() ?? [])] as number[]);
    t.deepEqual(v.sort((a, b) => a - b), [...Array.from({ length: 30 }, (_, i) => i), ...Array.from({ length: 30 }, (_, i) => i * 10)].sort((a, b) => a - b));
  }),
);

test(
  "a version no longer retained is NOT_FOUND naming the oldest retained generation; unknown snapshots and leases too",
  daemonTest(
    async (t, { client }) => {
      for (let i = 1; i <= 4; i++) await writeRange(client, aapl, 0, 10, i);
      // Retention 2: generations 2, 3 and 4 remain.
      const expired = await failure(t, client.describe(aapl, { version: { generation: 1 } }));
      t.is(expired.code, "VERSION_NOT_FOUND");
      t.is(expired.grpcCode, status.NOT_FOUND);
      t.regex(expired.message, /generation 1 of AAPL-2024\/1 is not retained: the oldest retained is generation 2/);
      const future = await failure(t, client.read(aapl, { version: { generation: 9 } }));
      t.is(future.code, "VERSION_NOT_FOUND");
      t.regex(future.message, /has no generation 9: the current one is 4/);
      const before = await failure(t, client.getMetadata(aapl, { version: { asOf: new Date(0) } }));
      t.is(before.code, "VERSION_NOT_FOUND");
      t.regex(before.message, /oldest retained is generation 2/);
      const noSnapshot = await failure(t, client.describe(aapl, { version: { snapshot: "nope" } }));
      t.is(noSnapshot.code, "SNAPSHOT_NOT_FOUND");
      t.is(noSnapshot.grpcCode, status.NOT_FOUND);
      await writeRange(client, msft, 0, 10, 1);
      await client.createSnapshot("only-msft", { keys: [msft] });
      const notHeld = await failure(t, client.read(aapl, { version: { snapshot: "only-msft" } }));
      t.is(notHeld.code, "SNAPSHOT_NOT_FOUND");
      t.regex(notHeld.message, /does not hold key/);
      const lease = await failure(t, raw(client.rpc.renewLease({ leaseId: "no-such-lease" })));
      t.is(lease.grpcCode, status.NOT_FOUND);
      t.is(lease.code, "LEASE_NOT_FOUND");
      t.is((await failure(t, client.restoreVersion(aapl, { generation: 1 }))).code, "VERSION_NOT_FOUND");
      t.is((await failure(t, client.listVersions({ symbol: "NONE", year: "2024", month: "1" }))).code, "NOT_FOUND");
      t.deepEqual((await client.listVersions(aapl)).versions.map((v) => v.generation), [2, 3, 4]);
    },
    { versions: { retainGenerations: 2, retainForMs: 0 } },
  ),
);

test(
  "listVersions tells what each commit did, and a restore is a commit that can itself be undone",
  daemonTest(async (t, { client }) => {
    await writeRange(client, aapl, 0, 30, 1);
    await writeRange(client, aapl, 25, 10, 2);
    await client.updateMetadata(aapl, { set: { note: "x" } });
    const list = await client.listVersions(aapl);
    t.deepEqual(
      list.versions.map((v) => [v.generation, v.change?.operation, v.change?.rowsReceived, v.change?.rowGroupsAdded, v.change?.metadataChanged, v.current]),
      [
        [1, "write", 30, 3, false, false],
        [2, "write", 10, 2, false, false],
        [3, "update-metadata", 0, 0, true, true],
      ],
    );
    t.is(list.versions[1]!.change!.rowGroupsRewritten, 1);
    t.is(list.versions[1]!.totalRows, 35);
    t.true(list.versions.every((v) => v.committedAt instanceof Date && v.retainedByPolicy));

    const undo = await client.restoreVersion(aapl, { generation: 1 });
    t.deepEqual(undo, { generation: 4, restoredGeneration: 1, totalRows: 30 });
    t.deepEqual(await values(client, aapl), Array.from({ length: 30 }, (_, i) => i));
    t.deepEqual(await client.getMetadata(aapl), {});
    const redo = await client.restoreVersion(aapl, { generation: 3 });
    t.is(redo.generation, 5);
    t.deepEqual(await client.getMetadata(aapl), { note: "x" });
    t.is((await client.describe(aapl)).totalRows, 35);
    const last = (await client.listVersions(aapl)).versions.at(-1)!;
    t.deepEqual([last.change?.operation, last.change?.restoredFrom], ["restore", 3]);
    t.is((await client.checkStore()).findings.length, 0);
  }),
);

test(
  "snapshots: names are checked, a name is used once, a held dataset is not removed, and deleting one frees its files",
  daemonTest(
    async (t, { client, storeDir }) => {
      await writeRange(client, aapl, 0, 20, 1);
      const first = await filesIn(datasetDir(storeDir, aapl));
      for (const bad of ["", ".hidden", "a/b", "x".repeat(129), "sp ace"]) {
        const err = await failure(t, client.createSnapshot(bad, { all: true }));
        t.is(err.grpcCode, status.INVALID_ARGUMENT, bad);
      }
      t.is((await failure(t, raw(client.rpc.createSnapshot({ name: "both", keys: [{ fields: aapl }], allKeys: true })))).grpcCode, status.INVALID_ARGUMENT);
      const held = await client.createSnapshot("keep", { prefix: { symbol: "AAPL" } });
      t.is(held.datasetCount, 1);
      t.is((await failure(t, client.createSnapshot("keep", { all: true }))).code, "ALREADY_EXISTS");
      // Retention 0: only the snapshot keeps generation 1's files once generation 2 replaces them.
      await writeRange(client, aapl, 0, 20, 2);
      t.true(first.filter((f) => f.startsWith("rg-")).every((f) => existsSync(join(datasetDir(storeDir, aapl), f))));
      t.deepEqual(await values(client, aapl, { snapshot: "keep" }), Array.from({ length: 20 }, (_, i) => i));
      const removal = await failure(t, client.remove(aapl));
      t.is(removal.code, "HELD_BY_SNAPSHOT");
      t.is(removal.grpcCode, status.FAILED_PRECONDITION);
      t.regex(removal.message, /"keep"/);
      t.is((await client.describe(aapl)).generation, 2);
      t.deepEqual(
        (await client.listSnapshots()).map((s) => [s.name, s.datasetCount]),
        [["keep", 1]],
      );
      await client.deleteSnapshot("keep");
      t.is((await failure(t, client.deleteSnapshot("keep"))).code, "SNAPSHOT_NOT_FOUND");
      const gone = await eventually(async () => (await filesIn(datasetDir(storeDir, aapl))).every((f) => !first.includes(f) || f === "_manifest.json"));
      t.true(gone, "generation 1's files go with the snapshot");
      await client.remove(aapl);
    },
    noRetention,
  ),
);

test(
  "a lease keeps the files of the versions it lists, over several datasets, until it is released",
  daemonTest(
    async (t, { client, storeDir }) => {
      await writeRange(client, aapl, 0, 40, 1);
      const listing = await client.listFiles(aapl);
      t.is(listing.generation, 1);
      t.is(listing.totalRows, 40);
      t.is(listing.files.length, 4);
      t.deepEqual(listing.files.map((f) => f.rows), [10, 10, 10, 10]);
      t.deepEqual([listing.files[0]!.min, listing.files[3]!.max], [0n, 39n]);
      t.is(listing.storeDir, storeDir);
      const paths = listing.files.map((f) => join(listing.storeDir, f.path));
      t.true(paths.every((p) => existsSync(p)));
      // A second dataset's files on the same lease.
      await writeRange(client, msft, 0, 10, 1);
      const second = await client.listFiles(msft, { lease: listing.lease });
      t.is(second.lease, listing.lease);
      await writeRange(client, aapl, 0, 40, 2);
      await writeRange(client, msft, 0, 10, 2);
      t.true([...paths, ...second.files.map((f) => join(storeDir, f.path))].every((p) => existsSync(p)), "leased files outlive the commits");
      t.truthy(await listing.lease.renew(60_000));
      t.true(await listing.lease.release());
      t.false(await listing.lease.release());
      t.true(await eventually(async () => paths.every((p) => !existsSync(p))), "released files are deleted");
      t.is((await failure(t, listing.lease.renew())).code, "LEASE_NOT_FOUND");
    },
    noRetention,
  ),
);

test(
  "an expired lease stops protecting its files",
  daemonTest(
    async (t, { client, storeDir }) => {
      await writeRange(client, aapl, 0, 40, 1);
      const listing = await client.listFiles(aapl, { leaseDurationMs: 20 });
      const paths = listing.files.map((f) => join(storeDir, f.path));
      await writeRange(client, aapl, 0, 40, 2);
      // Its timer ends it and the dataset collects: no assertion on when, only that it happens.
      t.true(await eventually(async () => paths.every((p) => !existsSync(p)), 10_000_000), "the files go once the lease has expired");
      t.is((await failure(t, listing.lease.renew())).code, "LEASE_NOT_FOUND");
    },
    noRetention,
  ),
);

test("a restarted daemon keeps the retained versions, their commit times and the snapshots", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const start = () => Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  let daemon = await start();
  let client = new Client(daemon.address);
  try {
    await writeRange(client, aapl, 0, 20, 1);
    await writeRange(client, aapl, 0, 20, 2);
    await client.createSnapshot("s", { all: true });
    await writeRange(client, aapl, 0, 20, 3);
    const before = await client.listVersions(aapl);
    client.close();
    await daemon.stop(5_000);
    daemon = await start();
    client = new Client(daemon.address);
    t.deepEqual(await client.listVersions(aapl), before);
    t.deepEqual(await values(client, aapl, { generation: 1 }), Array.from({ length: 20 }, (_, i) => i));
    t.deepEqual(await values(client, aapl, { snapshot: "s" }), Array.from({ length: 20 }, (_, i) => i * 2));
    const report = await client.checkStore();
    t.deepEqual(report.findings, []);
    t.is(report.retainedVersions, 2);
  } finally {
    client.close();
    await daemon.stop(5_000);
  }
});

test(
  "a dataset's own retention, set by a write or a metadata update, overrides the daemon's and can be cleared",
  daemonTest(async (t, { client }) => {
    await writeRange(client, aapl, 0, 10, 1);
    await client.write(aapl, tableFromArrays({ ts: BigInt64Array.of(100n), v: Float64Array.of(1) }), { retention: { generations: 1, durationMs: 0 } });
    for (let i = 2; i <= 4; i++) await writeRange(client, aapl, 0, 10, i);
    const d = await client.describe(aapl);
    t.deepEqual(d.retentionOverride, { generations: 1, durationMs: 0 });
    t.deepEqual(d.retention, { generations: 1, durationMs: 0 });
    t.deepEqual((await client.listVersions(aapl)).versions.map((v) => v.generation), [4, 5]);
    await client.updateMetadata(aapl, { retention: null });
    const after = await client.describe(aapl);
    t.is(after.retentionOverride, undefined);
    t.is(after.generation, 6);
    t.deepEqual((await client.listVersions(aapl)).versions.at(-1)!.change?.operation, "retention");
  }),
);
