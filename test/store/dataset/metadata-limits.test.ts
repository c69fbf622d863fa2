import test from "ava";
import type { Store } from "../../../server/src/store/store.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import { DEFAULT_METADATA_LIMITS } from "../../../server/src/store/dataset/metadata-limits.js";
import { engineTest, readAll, rows, sharedStoreTest, span, tableOfRows, writeTable } from "../../helpers/engine.js";
import { digestTree } from "../../helpers/tree-digest.js";

/** Small limits, so that each can be reached without the others. */
const limits = { maxKeys: 3, maxKeyBytes: 8, maxValueBytes: 16, maxTotalBytes: 40 };
const limitedTest = sharedStoreTest({ metadataLimits: limits });

const MiB = 1024 * 1024;

/** Seeds `key` with ten rows and metadata `{ a: "1" }`. */
async function seed(store: Store, key: Key): Promise<void> {
  await writeTable(store, key, tableOfRows(rows(span(0, 10))), { orderedOn: "ts", rowGroupTarget: 4, metadata: { a: "1" } });
}

/** Both paths that change metadata: UpdateMetadata, and a write's metadata header (with rows). */
const paths: { name: string; change(store: Store, key: Key, set: Record<string, string>, remove?: string[]): Promise<unknown> }[] = [
  { name: "an update", change: (store, key, set, remove = []) => store.updateMetadata(key, set, remove) },
  {
    name: "a write",
    change: (store, key, set, remove) => writeTable(store, key, tableOfRows(rows(span(10, 20))), { metadata: set, removeMetadata: remove }),
  },
];

/** Each limit, broken on its own (the others hold): the change, and what the message must say. */
const breaches: { limit: string; set: Record<string, string>; message: RegExp }[] = [
  { limit: "key count", set: { b: "2", c: "3", d: "4" }, message: /metadata would hold 4 keys, over the limit of 3 keys \(adding "d"\)/ },
  { limit: "key length", set: { "nine-byte": "x" }, message: /metadata key "nine-byte" is 9 bytes, over the limit of 8 bytes per key/ },
  { limit: "key length in UTF-8 bytes", set: { "ééééé": "x" }, message: /metadata key "ééééé" is 10 bytes, over the limit of 8 bytes/ },
  { limit: "value length", set: { b: "x".repeat(17) }, message: /metadata value of key "b" is 17 bytes, over the limit of 16 bytes per value/ },
  {
    limit: "total bytes",
    set: { c: "y".repeat(16), bbbbbbbb: "x".repeat(16) },
    message: /metadata would total 43 bytes of keys and values, over the limit of 40 bytes \(setting "bbbbbbbb"\)/,
  },
];

for (const path of paths) {
  for (const breach of breaches) {
    test(
      `${path.name} over the metadata ${breach.limit} limit is refused naming the limit and key, and nothing is committed`,
      limitedTest(async (t, { store, datasetDir, key }) => {
        await seed(store, key);
        const before = await digestTree(datasetDir());
        const described = await store.describe(key);
        const err = await t.throwsAsync(path.change(store, key, breach.set), { instanceOf: OupsError, message: breach.message });
        t.is(err?.code, "METADATA_TOO_LARGE");
        t.deepEqual(await digestTree(datasetDir()), before, "the dataset's files are byte for byte unchanged");
        t.deepEqual(await store.describe(key), described);
        t.deepEqual({ ...(await store.getMetadata(key)) }, { a: "1" });
        t.is((await readAll(store, key)).numRows, 10);
      }),
    );
  }

  test(
    `${path.name} at every metadata limit exactly is accepted`,
    limitedTest(async (t, { store, key }) => {
      await seed(store, key);
      // 3 keys; "a"+"1" is 2 bytes, "eightkey"+16 bytes is 24, "b"+13 bytes is 14: 40 bytes in all.
      const set = { eightkey: "v".repeat(16), b: "w".repeat(13) };
      await path.change(store, key, set);
      t.deepEqual({ ...(await store.getMetadata(key)) }, { a: "1", ...set });
    }),
  );
}

test(
  "removing a metadata key that is not there is no error, through an update or a write",
  limitedTest(async (t, { store, key }) => {
    await seed(store, key);
    t.deepEqual({ ...(await store.updateMetadata(key, {}, ["missing"])) }, { a: "1" });
    await writeTable(store, key, tableOfRows(rows(span(10, 12))), { removeMetadata: ["missing", "also missing"] });
    t.deepEqual({ ...(await store.getMetadata(key)) }, { a: "1" });
  }),
);

test(
  "metadata over limits lowered since it was written can still shrink, and writes that leave it alone succeed",
  engineTest(async (t, fixture) => {
    await seed(fixture.store, fixture.key);
    await fixture.store.updateMetadata(fixture.key, { big: "x".repeat(100), b: "2", c: "3", d: "4" }, []);
    const store = await fixture.reopen({ metadataLimits: limits });
    await writeTable(store, fixture.key, tableOfRows(rows(span(10, 12))), {});
    await t.throwsAsync(store.updateMetadata(fixture.key, { e: "5" }, []), { instanceOf: OupsError, message: /over the limit of 3 keys/ });
    t.deepEqual({ ...(await store.updateMetadata(fixture.key, {}, ["d"])) }, { a: "1", big: "x".repeat(100), b: "2", c: "3" });
    t.deepEqual({ ...(await store.updateMetadata(fixture.key, {}, ["big"])) }, { a: "1", b: "2", c: "3" });
  }),
);

test(
  "the 40 MiB repro: a 40 MiB metadata value is refused with the default limits and nothing is committed",
  engineTest(async (t, { store, storeDir, key }) => {
    await seed(store, key);
    const before = await digestTree(storeDir);
    const described = await store.describe(key);
    for (const k of ["first", "second"]) {
      const err = await t.throwsAsync(store.updateMetadata(key, { [k]: "x".repeat(40 * MiB) }, []), {
        instanceOf: OupsError,
        message: new RegExp(`metadata value of key "${k}" is 41943040 bytes, over the limit of ${DEFAULT_METADATA_LIMITS.maxValueBytes} bytes`),
      });
      t.is(err?.code, "METADATA_TOO_LARGE");
    }
    t.deepEqual(await digestTree(storeDir), before);
    t.deepEqual(await store.describe(key), described);
    t.deepEqual({ ...(await store.getMetadata(key)) }, { a: "1" });
  }),
);

test(
  "a write whose metadata breaks a limit is refused before its rows are read",
  limitedTest(async (t, { store, key }) => {
    await seed(store, key);
    let pulled = 0;
    async function* batches() {
      pulled++;
      yield* tableOfRows(rows(span(10, 20))).batches;
    }
    const err = await t.throwsAsync(store.write(key, { schema: tableOfRows([]).schema, batches: batches() }, { metadata: { b: "x".repeat(17) } }), {
      instanceOf: OupsError,
    });
    t.is(err?.code, "METADATA_TOO_LARGE");
    t.is(pulled, 0);
  }),
);

test("a store refuses metadata limits that are not positive whole numbers", async (t) => {
  const { Store: StoreClass } = await import("../../../server/src/store/store.js");
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    const err = await t.throwsAsync(StoreClass.open("/nonexistent-oups-store", { lock: false, metadataLimits: { maxKeys: bad } }), {
      instanceOf: OupsError,
    });
    t.regex(err?.message ?? "", /metadata limit maxKeys must be a positive whole number/);
  }
});
