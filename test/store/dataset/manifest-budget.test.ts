import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import { engineTest, readAll, rows, span, tableOfRows, writeTable } from "../../helpers/engine.js";
import { digestTree } from "../../helpers/tree-digest.js";
import { stat } from "node:fs/promises";
import { join } from "node:path";

test(
  "a write that would make the manifest larger than its bound is refused, its files removed and nothing committed",
  engineTest(
    async (t, { store, storeDir, key, datasetDir }) => {
      await writeTable(store, key, tableOfRows(rows(span(0, 10))), { orderedOn: "ts", rowGroupTarget: 10 });
      const before = await digestTree(storeDir);
      const described = await store.describe(key);
      // One row per row group: 200 entries of some 90 bytes each.
      const err = await t.throwsAsync(writeTable(store, key, tableOfRows(rows(span(10, 210))), { rowGroupTarget: 1 }), { instanceOf: OupsError });
      t.is(err?.code, "TOO_LARGE");
      t.regex(err?.message ?? "", /the dataset's manifest would be \d+ bytes \(201 row groups\), over the limit of 4096 bytes/);
      t.regex(err?.message ?? "", /nothing was committed/);
      t.deepEqual(await digestTree(storeDir), before, "the written row-group files are gone and the manifest is the old one");
      t.deepEqual(await store.describe(key), described);
      t.is((await readAll(store, key)).numRows, 10);
      await writeTable(store, key, tableOfRows(rows(span(10, 210))), { rowGroupTarget: 100 });
      t.is((await readAll(store, key)).numRows, 210);
      t.true((await stat(join(datasetDir(), "_manifest.json"))).size <= 4096);
    },
    { maxManifestBytes: 4096 },
  ),
);

test(
  "a dataset whose manifest is over a bound lowered since it was written can still be written without growing",
  engineTest(async (t, fixture) => {
    await writeTable(fixture.store, fixture.key, tableOfRows(rows(span(0, 100))), { orderedOn: "ts", rowGroupTarget: 1 });
    const store = await fixture.reopen({ maxManifestBytes: 1024 });
    await t.throwsAsync(store.updateMetadata(fixture.key, { note: "grows" }, []), { instanceOf: OupsError, message: /over the limit of 1024 bytes/ });
    // Rewriting the row groups as fewer shrinks the manifest: allowed although it stays over the bound.
    await writeTable(store, fixture.key, tableOfRows(rows(span(0, 100))), { rowGroupTarget: 2, duplicatesOn: ["ts"] });
    t.is((await store.describe(fixture.key)).rowGroups.length, 50);
  }),
);
