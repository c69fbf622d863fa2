import test from "ava";
import { Table, makeVector } from "apache-arrow";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../../server/src/store/store.js";
import { digestTree } from "../../helpers/tree-digest.js";
import { damageDataset, expectedFindings, kindsByPath } from "../../helpers/store-damage.js";
import { engineTest, readAll, rows, span, tableOfRows, writeTable } from "../../helpers/engine.js";
import { withOutsideDir } from "../../helpers/with-daemon.js";

const fourRowGroups = { orderedOn: "ts", rowGroupTarget: 10 };
const forty = tableOfRows(rows(span(0, 40)));

test(
  "a store of clean datasets has no finding, and every dataset and row group is counted",
  engineTest(async (t, { store }) => {
    for (const symbol of ["A", "B", "C"]) await writeTable(store, { symbol }, forty, fourRowGroups);
    const report = await store.check();
    t.deepEqual(report.findings, []);
    t.deepEqual(report.heldFiles, []);
    t.is(report.datasets, 3);
    t.is(report.rowGroups, 12);
  }),
);

test(
  "a damaged dataset: every problem is found with its key and path, and only leftovers are repairable",
  engineTest(async (t, { store, datasetDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    const damage = await damageDataset(datasetDir(), "AAPL");
    const report = await store.check();
    t.deepEqual(kindsByPath(report.findings), expectedFindings(damage));
    for (const f of report.findings) {
      t.deepEqual(f.key, { symbol: "AAPL" });
      t.is(f.repairable, f.kind === "orphan-file" || f.kind === "temp-file", f.kind);
      t.false(f.repaired);
      t.true(f.message.includes(f.path), f.message);
      t.false(f.message.includes(datasetDir()), "messages name paths relative to the store");
    }
    t.regex(report.findings.find((f) => f.kind === "bounds-mismatch")!.message, /from 20 to 29, the manifest says 10 to 19/);
  }),
);

test(
  "a file of another row group with other rows is reported for its row count too",
  engineTest(async (t, { store, datasetDir }) => {
    await writeTable(store, { symbol: "AAPL" }, tableOfRows(rows(span(0, 25))), fourRowGroups);
    const files = (await store.describe({ symbol: "AAPL" })).rowGroups.map((g) => g.file);
    // The last row group holds 5 rows, the others 10.
    await copyFile(join(datasetDir(), files[2]!), join(datasetDir(), files[0]!));
    const report = await store.check();
    t.deepEqual(kindsByPath(report.findings), { [`AAPL/${files[0]}`]: ["bounds-mismatch", "row-count-mismatch", "size-mismatch"] });
  }),
);

test(
  "repair removes the orphan and the temporary file and nothing else; a second check finds only the rest",
  engineTest(async (t, { store, storeDir, datasetDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    await writeTable(store, { symbol: "MSFT" }, forty, fourRowGroups);
    const damage = await damageDataset(datasetDir(), "AAPL");
    const before = await digestTree(storeDir);
    const repaired = await store.check({ repair: true });
    const removed = repaired.findings.filter((f) => f.repaired).map((f) => f.path).sort();
    t.deepEqual(removed, [damage.temp, damage.orphan].sort());
    const expected = { ...before };
    delete expected[damage.orphan];
    delete expected[damage.temp];
    t.deepEqual(await digestTree(storeDir), expected);
    const again = await store.check();
    t.deepEqual(kindsByPath(again.findings), {
      [damage.invalidName]: ["invalid-file-name"],
      [damage.truncated]: ["size-mismatch", "unreadable-file"],
      [damage.replaced]: ["bounds-mismatch"],
      [damage.missing]: ["missing-file"],
    });
    t.true(again.findings.every((f) => !f.repairable));
  }),
);

test(
  "files a reader of an older generation holds are listed apart, not as orphans, and repair leaves them",
  engineTest(async (t, { store, datasetDir }) => {
    const key = { symbol: "AAPL" };
    await writeTable(store, key, forty, fourRowGroups);
    const old = (await store.describe(key)).rowGroups.map((g) => g.file);
    const read = await store.openRange(key, {});
    // Rewrites every row group: the old files wait for the reader.
    await writeTable(store, key, tableOfRows(rows(span(0, 40), () => 7)), { ...fourRowGroups, duplicatesOn: ["ts"] });
    const report = await store.check({ repair: true });
    t.deepEqual(report.findings, []);
    t.deepEqual(report.heldFiles.map((h) => h.path), old.map((f) => `AAPL/${f}`));
    t.deepEqual(report.heldFiles[0]!.key, key);
    t.true((await readdir(datasetDir())).includes(old[0]!), "the held files are still there");
    const batches = [];
    for await (const batch of read.batches()) batches.push(batch);
    t.is(batches.reduce((n, b) => n + b.numRows, 0), 40, "the reader read its generation to the end");
    t.is((await readAll(store, key, { columns: ["v"] })).numRows, 40);
  }),
);

test(
  "directories that map to no key, stray files, links and empty key directories are found; repair removes only the empty directories",
  engineTest(async (t, { store, storeDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    await mkdir(join(storeDir, "not-a-key"));
    await writeFile(join(storeDir, "README"), "mine\n");
    await mkdir(join(storeDir, "EMPTY"));
    await mkdir(join(storeDir, "AAPL", "sub"));
    await writeFile(join(storeDir, ".oups-store.json.tmp"), "{");
    await withOutsideDir(async (outside) => {
      await symlink(outside, join(storeDir, "LINKED"));
      const report = await store.check();
      t.deepEqual(kindsByPath(report.findings), {
        ".oups-store.json.tmp": ["temp-file"],
        "AAPL/sub": ["stray-directory"],
        EMPTY: ["empty-directory"],
        LINKED: ["symbolic-link"],
        README: ["stray-file"],
        "not-a-key": ["invalid-key-directory"],
      });
      t.is(report.findings.find((f) => f.path === "EMPTY")!.key?.symbol, "EMPTY");
      const repaired = await store.check({ repair: true });
      t.deepEqual(repaired.findings.filter((f) => f.repaired).map((f) => f.path), [".oups-store.json.tmp", "EMPTY"]);
      const entries = (await readdir(storeDir)).sort();
      t.deepEqual(entries, ["AAPL", "LINKED", "README", "not-a-key", "oups-store.json"]);
    });
  }),
);

test(
  "a key directory holding only leftovers is emptied and removed by a repair",
  engineTest(async (t, { store, storeDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    await mkdir(join(storeDir, "GONE"));
    await writeFile(join(storeDir, "GONE", "rg-000000000001.parquet"), "half a write");
    t.deepEqual(kindsByPath((await store.check()).findings), { "GONE/rg-000000000001.parquet": ["orphan-file"] });
    const repaired = await store.check({ repair: true });
    t.deepEqual(kindsByPath(repaired.findings), { GONE: ["empty-directory"], "GONE/rg-000000000001.parquet": ["orphan-file"] });
    t.true(repaired.findings.every((f) => f.repaired));
    t.deepEqual((await readdir(storeDir)).sort(), ["AAPL", "oups-store.json"]);
    t.deepEqual((await store.check()).findings, []);
  }),
);

test(
  "an invalid manifest is reported, and its directory's row-group files are neither orphans nor removed",
  engineTest(async (t, { store, storeDir, datasetDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    await writeFile(join(datasetDir(), "_manifest.json"), '{"format": 1}');
    await writeFile(join(datasetDir(), "._manifest.json.tmp-3"), "{");
    const before = await digestTree(storeDir);
    const report = await store.check({ repair: true });
    t.deepEqual(kindsByPath(report.findings), { "AAPL/._manifest.json.tmp-3": ["temp-file"], "AAPL/_manifest.json": ["manifest-invalid"] });
    t.regex(report.findings.find((f) => f.kind === "manifest-invalid")!.message, /^manifest of AAPL is invalid: generation must be/);
    const expected = { ...before };
    delete expected["AAPL/._manifest.json.tmp-3"];
    t.deepEqual(await digestTree(storeDir), expected);
  }),
);

test("a store without an index schema but with entries is reported, and an empty one is clean", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "oups-check-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir, { lock: false, parquetWorkers: 1 });
  try {
    t.deepEqual(await store.check(), { datasets: 0, rowGroups: 0, findings: [], heldFiles: [], retainedVersions: 0 });
    await mkdir(join(dir, "AAPL"));
    const report = await store.check({ repair: true });
    t.deepEqual(kindsByPath(report.findings), { ".": ["no-index-schema"] });
    t.true(existsSync(join(dir, "AAPL")), "nothing is removed from a store whose layout is unknown");
  } finally {
    await store.close();
  }
});

test(
  "a listed file replaced by one of another schema, by unsorted rows or by a link out of the store is found, and never followed",
  engineTest(async (t, { store, datasetDir }) => {
    await writeTable(store, { symbol: "AAPL" }, forty, fourRowGroups);
    await writeTable(store, { symbol: "OTHER" }, new Table({ ts: makeVector(BigInt64Array.from([0n, 1n])) }), { orderedOn: "ts" });
    // The same columns, ordered on v: ts runs backwards.
    await writeTable(store, { symbol: "BACKWARDS" }, tableOfRows(rows(span(0, 10).reverse(), (i) => i)), { orderedOn: "v" });
    const files = (await store.describe({ symbol: "AAPL" })).rowGroups.map((g) => g.file);
    const fileOf = async (symbol: string) => join(datasetDir({ symbol }), (await store.describe({ symbol })).rowGroups[0]!.file);
    await copyFile(await fileOf("OTHER"), join(datasetDir(), files[0]!));
    await copyFile(await fileOf("BACKWARDS"), join(datasetDir(), files[1]!));
    await withOutsideDir(async (outside) => {
      await copyFile(join(datasetDir(), files[2]!), join(outside, "elsewhere.parquet"));
      await rm(join(datasetDir(), files[2]!));
      await symlink(join(outside, "elsewhere.parquet"), join(datasetDir(), files[2]!));
      const report = await store.check({ repair: true });
      const at = (i: number) => `AAPL/${files[i]}`;
      t.deepEqual(kindsByPath(report.findings), {
        [at(0)]: ["bounds-mismatch", "row-count-mismatch", "schema-mismatch", "size-mismatch"],
        [at(1)]: ["bounds-mismatch", "size-mismatch", "unordered-rows"],
        [at(2)]: ["not-regular-file"],
      });
      t.regex(report.findings.find((f) => f.kind === "schema-mismatch")!.message, /missing column "v"/);
      t.regex(report.findings.find((f) => f.kind === "not-regular-file")!.message, /is a symbolic link/);
      t.true(existsSync(join(outside, "elsewhere.parquet")), "nothing outside the store is touched");
    });
  }),
);
