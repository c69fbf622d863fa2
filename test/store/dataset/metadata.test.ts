import test from "ava";
import type { Store } from "../../../server/src/store/store.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import { engineTest, listedFiles, rows, sharedStoreTest, snapshotFiles, span, tableOfRows, testKey, unchangedFiles, writeTable } from "../../helpers/engine.js";

const sharedTest = sharedStoreTest();

type Metadata = Record<string, string>;

interface MetadataStep {
  what: string;
  run(store: Store): Promise<unknown>;
  expected: Metadata;
}

const schema = tableOfRows([]).schema;

const steps: MetadataStep[] = [
  {
    what: "a first write sets metadata",
    run: (store) => writeTable(store, testKey, tableOfRows(rows(span(0, 10))), { orderedOn: "ts", rowGroupTarget: 4, metadata: { a: "1", b: "2" } }),
    expected: { a: "1", b: "2" },
  },
  {
    what: "a later write merges its metadata in, replacing values and keeping empty strings",
    run: (store) => writeTable(store, testKey, tableOfRows(rows(span(10, 12))), { metadata: { b: "3", c: "" } }),
    expected: { a: "1", b: "3", c: "" },
  },
  {
    what: "a write without metadata keeps the metadata",
    run: (store) => writeTable(store, testKey, tableOfRows(rows([5], [50])), { duplicatesOn: ["ts"] }),
    expected: { a: "1", b: "3", c: "" },
  },
  {
    what: "an update sets and removes keys",
    run: (store) => store.updateMetadata(testKey, { d: "4" }, ["a"]),
    expected: { b: "3", c: "", d: "4" },
  },
  {
    what: "a write of no rows removes keys",
    run: (store) => store.write(testKey, { schema, batches: [] }, { removeMetadata: ["c"] }),
    expected: { b: "3", d: "4" },
  },
  {
    what: "removing a key that is not there changes nothing",
    run: (store) => store.updateMetadata(testKey, {}, ["missing"]),
    expected: { b: "3", d: "4" },
  },
  {
    what: "an update may set an empty string",
    run: (store) => store.updateMetadata(testKey, { b: "" }, []),
    expected: { b: "", d: "4" },
  },
];

test(
  "metadata merges, replaces, keeps empty strings and deletes, step by step",
  engineTest(async (t, fixture) => {
    for (const step of steps) {
      const returned = await step.run(fixture.store);
      t.deepEqual({ ...(await fixture.store.getMetadata(testKey)) }, step.expected, step.what);
      if (!("generation" in (returned as object))) t.deepEqual({ ...(returned as Metadata) }, step.expected, `${step.what} (returned)`);
    }
    const reopened = await fixture.reopen();
    t.deepEqual({ ...(await reopened.getMetadata(testKey)) }, steps.at(-1)!.expected, "metadata is persisted");
  }),
);

const metadataOnlyChanges: { title: string; run(store: Store, key: Key): Promise<unknown> }[] = [
  { title: "a metadata update rewrites no row-group file", run: (store, key) => store.updateMetadata(key, { note: "x" }, ["a"]) },
  {
    title: "a write of no rows with metadata rewrites no row-group file",
    run: (store, key) => store.write(key, { schema: undefined, batches: [] }, { metadata: { note: "x" }, removeMetadata: ["a"] }),
  },
];

for (const c of metadataOnlyChanges) {
  test(
    c.title,
    sharedTest(async (t, { store, key, datasetDir }) => {
      await writeTable(store, key, tableOfRows(rows(span(0, 10))), { orderedOn: "ts", rowGroupTarget: 4, metadata: { a: "1" } });
      const before = await snapshotFiles(datasetDir());
      const { generation, rowGroups } = await store.describe(key);
      await c.run(store, key);
      const after = await snapshotFiles(datasetDir());
      const described = await store.describe(key);
      t.is(described.generation, generation + 1);
      t.deepEqual(described.rowGroups, rowGroups);
      t.deepEqual({ ...described.metadata }, { note: "x" });
      t.deepEqual([...after.keys()], [...before.keys()]);
      t.deepEqual(unchangedFiles(before, after).sort(), (await listedFiles(store, key)).sort(), "only the manifest changed");
    }),
  );
}

test(
  "setting and removing the same key in one update is rejected and changes nothing",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, tableOfRows(rows([1])), { orderedOn: "ts", metadata: { a: "1" } });
    const { generation } = await store.describe(key);
    const err = await t.throwsAsync(store.updateMetadata(key, { a: "2" }, ["a"]), { instanceOf: OupsError, message: /both set and removed: a/ });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.deepEqual({ ...(await store.getMetadata(key)) }, { a: "1" });
    t.is((await store.describe(key)).generation, generation);
  }),
);

test(
  "metadata of a key that holds no dataset is NOT_FOUND",
  sharedTest(async (t, { store, key }) => {
    for (const call of [() => store.getMetadata(key), () => store.updateMetadata(key, { a: "1" }, [])]) {
      const err = await t.throwsAsync(call(), { instanceOf: OupsError });
      t.is(err?.code, "NOT_FOUND");
    }
  }),
);

test(
  "a metadata-only write creates a dataset without rows whose first rows may come later",
  sharedTest(async (t, { store, key }) => {
    await store.write(key, { schema: undefined, batches: [] }, { orderedOn: "ts", metadata: { a: "1" } });
    t.like(await store.describe(key), { totalRows: 0, rowGroups: [], metadata: { a: "1" } });
    t.true((await store.listKeys()).some((listed) => listed.symbol === key.symbol));
    await writeTable(store, key, tableOfRows(rows([1, 2])), { metadata: { b: "2" } });
    t.like(await store.describe(key), { totalRows: 2, metadata: { a: "1", b: "2" } });
  }),
);
