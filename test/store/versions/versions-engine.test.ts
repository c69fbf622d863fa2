import test from "ava";
import { existsSync } from "node:fs";
import { readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isOupsError } from "../../../server/src/store/errors.js";
import type { StoreOpenOptions } from "../../../server/src/store/store.js";
import { engineTest, readAll, rows, span, tableOfRows, testRowsOf, writeTable } from "../../helpers/engine.js";

const write = (fixture: { store: import("../../../server/src/store/store.js").Store; key: Record<string, string> }, v: number) =>
  writeTable(fixture.store, fixture.key, tableOfRows(rows(span(0, 30), () => v)), { orderedOn: "ts", duplicatesOn: ["ts"], rowGroupTarget: 10 });

async function rowGroupFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith("rg-")).sort();
}

let now = 1_000_000;
const clock = () => now;
const versioned: StoreOpenOptions = { retention: { generations: 1, durationMs: 0 }, clock, gcIntervalMs: 0 };

test.serial(
  "a reader pinned on a generation the retention no longer keeps reads it to the end; its files go once it is released",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    const pinnedFiles = await rowGroupFiles(fixture.datasetDir());
    const read = await fixture.store.openRange(fixture.key, {});
    for (let v = 2; v <= 4; v++) await write(fixture, v);
    await fixture.store.collectGarbage();
    const err = await fixture.store.describe(fixture.key, { generation: 1 }).catch((e: unknown) => e);
    t.true(isOupsError(err, "VERSION_NOT_FOUND"), "generation 1 is no longer a version one may name");
    t.true(pinnedFiles.every((f) => existsSync(join(fixture.datasetDir(), f))), "but its reader still holds its files");
    let n = 0;
    for await (const batch of read.batches()) n += batch.numRows;
    t.is(n, 30);
    read.close();
    await fixture.store.collectGarbage();
    t.true(pinnedFiles.every((f) => !existsSync(join(fixture.datasetDir(), f))));
  }, versioned),
);

test.serial(
  "a lease keeps the files of a version past its retention until the clock passes its expiry",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    const listing = await fixture.store.listFiles(fixture.key, undefined, { leaseDurationMs: 5_000 });
    t.deepEqual(listing.files.map((f) => f.path), (await rowGroupFiles(fixture.datasetDir())).map((f) => `AAPL/${f}`));
    for (let v = 2; v <= 4; v++) await write(fixture, v);
    now += 4_999;
    await fixture.store.collectGarbage();
    t.true(listing.files.every((f) => existsSync(join(fixture.storeDir, f.path))), "the lease still holds them");
    t.is(fixture.store.renewLease(listing.lease.id, 5_000).expiresAtMs, now + 5_000);
    now += 5_000;
    await fixture.store.collectGarbage();
    t.true(listing.files.every((f) => !existsSync(join(fixture.storeDir, f.path))), "expired, it holds nothing");
    t.throws(() => fixture.store.renewLease(listing.lease.id), { message: /no live lease/ });
  }, versioned),
);

test.serial(
  "after a crash between a version record and the manifest that replaces it, the next load drops the record and the files only it needed",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    await write(fixture, 2);
    const dir = fixture.datasetDir();
    const manifest = await readFile(join(dir, "_manifest.json"), "utf8");
    const generation2Files = await rowGroupFiles(dir);
    await write(fixture, 3);
    await fixture.store.close();
    // As if generation 3 never became current: its manifest rename was lost, its record of generation 2 written.
    await writeFile(join(dir, "_manifest.json"), manifest);
    const store = await fixture.reopen({ ...versioned, retention: { generations: 2, durationMs: 0 } });
    const versions = (await store.listVersions(fixture.key)).versions.map((v) => v.generation);
    t.deepEqual(versions, [1, 2]);
    t.deepEqual(await readdir(join(dir, ".versions")), ["1.json"]);
    await store.collectGarbage();
    const needed = new Set([...(await store.describe(fixture.key, { generation: 1 })).rowGroups.map((g) => g.file), ...generation2Files]);
    t.deepEqual(await rowGroupFiles(dir), [...needed].sort(), "generation 3's files, which nothing lists, are gone");
    t.deepEqual(testRowsOf(await readAll(store, fixture.key, { version: { generation: 1 } })), rows(span(0, 30), () => 1));
    t.deepEqual((await store.check()).findings, []);
  }, { ...versioned, retention: { generations: 2, durationMs: 0 } }),
);

test.serial(
  "check reports a missing file of a retained version and an unreadable version record, and lists retained files as held",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    const old = await rowGroupFiles(fixture.datasetDir());
    await write(fixture, 2);
    const clean = await fixture.store.check();
    t.deepEqual(clean.findings, []);
    t.is(clean.retainedVersions, 1);
    t.deepEqual(clean.heldFiles.map((h) => [h.path, h.heldBy]), old.map((f) => [`AAPL/${f}`, "version"]));
    await fixture.store.close();
    await unlink(join(fixture.datasetDir(), old[0]!));
    await writeFile(join(fixture.datasetDir(), ".versions", "7.json"), "{");
    const store = await fixture.reopen(versioned);
    const report = await store.check({ repair: true });
    t.deepEqual(
      report.findings.map((f) => [f.path, f.kind, f.repaired]),
      [
        ["AAPL/.versions/7.json", "version-invalid", false],
        [`AAPL/${old[0]}`, "missing-file", false],
      ],
    );
    t.regex(report.findings[1]!.message, /listed by retained generation 1/);
    // Nothing is deleted while a record cannot be read: which files it lists is unknown.
    t.true(old.slice(1).every((f) => existsSync(join(fixture.datasetDir(), f))));
  }, versioned),
);

test.serial(
  "a snapshot survives a restart, keeps its generation whatever the retention, and its deletion frees the files",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    const held = await rowGroupFiles(fixture.datasetDir());
    await fixture.store.createSnapshot("keep", { all: true });
    for (let v = 2; v <= 4; v++) await write(fixture, v);
    let store = await fixture.reopen(versioned);
    t.deepEqual(store.listSnapshots().map((s) => [s.name, s.datasets.map((d) => d.generation)]), [["keep", [1]]]);
    t.deepEqual(testRowsOf(await readAll(store, fixture.key, { version: { snapshot: "keep" } })), rows(span(0, 30), () => 1));
    const list = (await store.listVersions(fixture.key)).versions;
    t.deepEqual(list.map((v) => [v.generation, v.retainedByPolicy, v.snapshots]), [
      [1, false, ["keep"]],
      [3, true, []],
      [4, true, []],
    ]);
    await t.throwsAsync(store.remove(fixture.key), { message: /held by snapshot "keep"/ });
    await store.deleteSnapshot("keep");
    await store.collectGarbage();
    t.true(held.every((f) => !existsSync(join(fixture.datasetDir(), f))));
    store = await fixture.reopen(versioned);
    t.deepEqual(store.listSnapshots(), []);
    t.deepEqual((await store.listVersions(fixture.key)).versions.map((v) => v.generation), [3, 4]);
  }, versioned),
);

test.serial(
  "retention by duration keeps a replaced generation until the clock passes it, then drops its record and files",
  engineTest(async (t, fixture) => {
    await write(fixture, 1);
    await write(fixture, 2);
    now += 59_999;
    await fixture.store.collectGarbage();
    t.deepEqual((await fixture.store.listVersions(fixture.key)).versions.map((v) => v.generation), [1, 2]);
    now += 1;
    await fixture.store.collectGarbage();
    t.deepEqual((await fixture.store.listVersions(fixture.key)).versions.map((v) => v.generation), [2]);
    t.deepEqual(await readdir(join(fixture.datasetDir(), ".versions")), []);
  }, { retention: { generations: 0, durationMs: 60_000 }, clock, gcIntervalMs: 0 }),
);

test.serial(
  "retention by duration keeps at most durationAtMost older generations; the count rule is not capped",
  engineTest(async (t, fixture) => {
    for (let v = 1; v <= 10; v++) await write(fixture, v);
    t.deepEqual((await fixture.store.listVersions(fixture.key)).versions.map((v) => v.generation), [6, 7, 8, 9, 10]);
    t.deepEqual((await readdir(join(fixture.datasetDir(), ".versions"))).sort(), ["6.json", "7.json", "8.json", "9.json"]);
    t.deepEqual(testRowsOf(await readAll(fixture.store, fixture.key, { version: { generation: 6 } })), testRowsOf(tableOfRows(rows(span(0, 30), () => 6))));
    const counted = await fixture.reopen({ retention: { generations: 7, durationMs: 60_000, durationAtMost: 4 }, clock, gcIntervalMs: 0 });
    for (let v = 11; v <= 20; v++) await write({ store: counted, key: fixture.key }, v);
    t.deepEqual((await counted.listVersions(fixture.key)).versions.map((v) => v.generation), [13, 14, 15, 16, 17, 18, 19, 20]);
  }, { retention: { generations: 0, durationMs: 60_000, durationAtMost: 4 }, clock, gcIntervalMs: 0 }),
);

test.serial(
  "two snapshots of one name created at once over different keys: one is created, the other is ALREADY_EXISTS",
  engineTest(async (t, fixture) => {
    const other = { symbol: "MSFT" };
    await write(fixture, 1);
    await writeTable(fixture.store, other, tableOfRows(rows(span(0, 5))), { orderedOn: "ts" });
    const results = await Promise.allSettled([fixture.store.createSnapshot("x", { keys: [fixture.key] }), fixture.store.createSnapshot("x", { keys: [other] })]);
    const created = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    t.is(created.length, 1);
    t.is(refused.length, 1);
    t.true(isOupsError(refused[0]!.reason, "ALREADY_EXISTS"));
    const store = await fixture.reopen(versioned);
    t.deepEqual(store.listSnapshots().map((s) => s.datasets.length), [1]);
  }, versioned),
);
