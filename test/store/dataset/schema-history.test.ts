import test from "ava";
import { Table } from "apache-arrow";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { EvolvingColumn } from "../../helpers/evolving-columns.js";
import { evolvingBatch, readRows } from "../../helpers/evolving-columns.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { Store } from "../../../server/src/store/store.js";
import { engineTest, writeTable } from "../../helpers/engine.js";

const ts = (values: number[]): EvolvingColumn => ({ name: "ts", kind: "i64", nullable: false, values });
const col = (name: string, kind: EvolvingColumn["kind"], values: EvolvingColumn["values"]): EvolvingColumn => ({ name, kind, nullable: true, values });
const tableOf = (columns: EvolvingColumn[]) => new Table([evolvingBatch(columns)]);
const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 2, maxNOffTargetRgs: 0 };
const evolve: WriteOptions = { ...options, schemaEvolution: "add-columns" };

/** Every row of the dataset, batch by batch (batches of row groups of different schema versions carry their own type objects). */
async function allRows(store: Store, key: Key): Promise<string[][]> {
  const read = await store.openRange(key, {});
  const out: string[][] = [];
  for await (const batch of read.batches()) out.push(...readRows(new Table([batch])));
  return out;
}

test(
  "a manifest written before the schema history was kept loads, evolves, and reads its old row groups with nulls",
  engineTest(async (t, { store, key, datasetDir, reopen }) => {
    await writeTable(store, key, tableOf([ts([1, 2, 3]), col("v", "f32", [1, 2, 3])]), options);
    const path = join(datasetDir(), "_manifest.json");
    const json = JSON.parse(await readFile(path, "utf8")) as { schemaHistory?: unknown };
    t.deepEqual(json.schemaHistory, [{ generation: 1 }], "a new dataset records the generation of its first schema");
    delete json.schemaHistory;
    await writeFile(path, JSON.stringify(json));
    const reopened = await reopen();
    const old = await reopened.describe(key);
    t.deepEqual(old.schemaHistory.map((v) => [v.generation, v.addedColumns]), [[0, ["ts", "v"]]], "generation 0: from before the history");
    const result = await writeTable(reopened, key, tableOf([ts([4]), col("v", "f64", [4]), col("w", "utf8", ["x"])]), evolve);
    const d = await reopened.describe(key);
    t.deepEqual(d.schemaHistory.map((v) => [v.generation, v.addedColumns, v.widenedColumns, v.rowGroups]), [
      [0, ["ts", "v"], [], 2],
      [result.generation, ["w"], ["v"], 1],
    ]);
    t.deepEqual(await allRows(reopened, key), [
      ["i64:1", "num:1", "null"],
      ["i64:2", "num:2", "null"],
      ["i64:3", "num:3", "null"],
      ["i64:4", "num:4", "str:x"],
    ]);
    t.deepEqual((await reopened.check()).findings, []);
  }),
);

test(
  "a manifest whose row group names a schema version the history lacks is corrupt",
  engineTest(async (t, { store, key, datasetDir, reopen }) => {
    await writeTable(store, key, tableOf([ts([1, 2, 3]), col("v", "f32", [1, 2, 3])]), options);
    await writeTable(store, key, tableOf([ts([4]), col("v", "f32", [4]), col("w", "utf8", ["x"])]), evolve);
    const path = join(datasetDir(), "_manifest.json");
    const json = JSON.parse(await readFile(path, "utf8")) as { rowGroups: { schemaVersion?: number }[] };
    json.rowGroups[0]!.schemaVersion = 5;
    await writeFile(path, JSON.stringify(json));
    const reopened = await reopen();
    const err = await t.throwsAsync(reopened.describe(key), { instanceOf: OupsError });
    t.is(err?.code, "CORRUPT_DATASET");
    t.regex(err?.message ?? "", /row group 0 schemaVersion 5 is not a version of the schema history/);
  }),
);

test(
  "oups check accepts row groups of older schema versions and still finds a file of another schema",
  engineTest(async (t, { store, key, datasetDir }) => {
    await writeTable(store, key, tableOf([ts([1, 2, 3, 4]), col("v", "f32", [1, 2, 3, 4])]), options);
    await writeTable(store, key, tableOf([ts([5, 6]), col("v", "f32", [5, 6]), col("w", "utf8", ["x", null])]), evolve);
    t.deepEqual((await store.check()).findings, [], "an evolved dataset checks clean");
    const d = await store.describe(key);
    t.deepEqual(d.rowGroups.map((g) => g.schemaVersion), [0, 0, undefined]);
    // An old row group's file replaced by one of the current schema (same rows count and bounds aside).
    await copyFile(join(datasetDir(), d.rowGroups[2]!.file), join(datasetDir(), d.rowGroups[0]!.file));
    const report = await store.check();
    const mismatch = report.findings.find((f) => f.kind === "schema-mismatch");
    t.truthy(mismatch, JSON.stringify(report.findings));
    t.regex(mismatch!.message, /does not have the dataset's schema version 0: extra column "w"/);
  }),
);
