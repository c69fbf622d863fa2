import test from "ava";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { FileState, Row } from "../../helpers/engine.js";
import {
  engineTest,
  sharedStoreTest,
  fileNames,
  listedFiles,
  readAll,
  rowGroupProblems,
  rowGroupSizes,
  rows,
  snapshotFiles,
  span,
  tableOfRows,
  testKey,
  testRowsOf,
  unchangedFiles,
  writeTable,
} from "../../helpers/engine.js";
import type { ModelDedupe } from "../../helpers/reference-merge.js";
import { referenceMerge } from "../../helpers/reference-merge.js";

interface Step {
  rows: Row[];
  options?: Partial<WriteOptions>;
}

interface MergeCase {
  title: string;
  target: number;
  steps: Step[];
  /** Row counts of the row groups after the last step. */
  sizes: number[];
  /** Row-group files listed before the last step that it must leave listed and unchanged on disk. */
  untouched: number;
}

const tags = (s: string) => (i: number) => s[i]!;

const cases: MergeCase[] = [
  { title: "a first write cuts rows into row groups of the target size", target: 5, steps: [{ rows: rows(span(0, 12)) }], sizes: [5, 5, 2], untouched: 0 },
  {
    title: "an append after the last row group leaves the existing files untouched",
    target: 5,
    steps: [{ rows: rows(span(0, 10)) }, { rows: rows(span(10, 13), (i) => 100 + i) }],
    sizes: [5, 5, 3],
    untouched: 2,
  },
  {
    title: "an insert before the first row group leaves the existing files untouched",
    target: 5,
    steps: [{ rows: rows(span(10, 20)) }, { rows: rows(span(0, 3), (i) => 100 + i) }],
    sizes: [3, 5, 5],
    untouched: 2,
  },
  {
    title: "an insert in a gap between row groups leaves both neighbours untouched",
    target: 5,
    steps: [{ rows: rows(span(0, 5)) }, { rows: rows(span(20, 25)) }, { rows: rows(span(10, 13), (i) => 100 + i) }],
    sizes: [5, 3, 5],
    untouched: 2,
  },
  {
    title: "an overlap in the middle rewrites only the row group it touches",
    target: 5,
    steps: [{ rows: rows(span(0, 30)) }, { rows: rows([12, 13], [100, 101]) }],
    sizes: [5, 5, 5, 2, 5, 5, 5],
    untouched: 5,
  },
  {
    title: "an overlap spanning two row groups and the gap between them rewrites just those two",
    target: 5,
    steps: [{ rows: rows(span(0, 30, 2)) }, { rows: rows([15, 17, 19, 21], [100, 101, 102, 103]) }],
    sizes: [5, 5, 5, 4],
    untouched: 1,
  },
  {
    title: "an insert before the first row group that also overlaps it carries rows from one chunk into the next",
    target: 3,
    steps: [{ rows: rows([10, 11, 12, 20, 21, 22]) }, { rows: rows([1, 2, 3, 4, 5, 10, 11], (i) => 100 + i) }],
    sizes: [3, 3, 3, 1, 3],
    untouched: 1,
  },
  {
    title: "a deduplicating overlap in the middle replaces rows and rewrites only the touched row group",
    target: 5,
    steps: [{ rows: rows(span(0, 30)) }, { rows: rows([12, 13], [100, 101]), options: { duplicatesOn: ["ts"] } }],
    sizes: [5, 5, 5, 5, 5, 5],
    untouched: 5,
  },
  {
    title: "dedupe on duplicatesOn keeps the last row of each duplicate set",
    target: 4,
    steps: [{ rows: rows(span(0, 10)) }, { rows: rows(span(5, 15), (i) => 100 + i), options: { duplicatesOn: ["ts"] } }],
    sizes: [4, 4, 4, 3],
    untouched: 1,
  },
  {
    title: "dedupe on a non-ordered column only drops rows equal on it and on the ordered column",
    target: 10,
    steps: [
      { rows: rows([1, 1, 2, 2], [1, 2, 3, 4], tags("abab")) },
      { rows: rows([1, 2], [10, 20], tags("bc")), options: { duplicatesOn: ["tag"] } },
    ],
    sizes: [5],
    untouched: 0,
  },
  {
    title: "dedupe on all columns (dropDuplicates with an empty list) drops only identical rows",
    target: 10,
    steps: [
      { rows: rows([1, 2, 3], [1, 2, 3]) },
      { rows: rows([2, 2, 3], [2, 5, 3]), options: { dropDuplicates: true, duplicatesOn: [] } },
    ],
    sizes: [4],
    untouched: 0,
  },
  {
    title: "dedupe also applies among the incoming rows themselves",
    target: 10,
    steps: [{ rows: rows([1, 1, 2, 2, 2], [1, 2, 3, 4, 5]), options: { duplicatesOn: ["ts"] } }],
    sizes: [2],
    untouched: 0,
  },
  {
    title: "without dedupe duplicates are kept and new rows with an equal ordered value go after stored ones",
    target: 10,
    steps: [{ rows: rows([1, 2, 3], [10, 20, 30]) }, { rows: rows([2, 2, 3], [21, 22, 30]) }],
    sizes: [6],
    untouched: 0,
  },
  {
    title: "equal ordered values may straddle a row-group boundary",
    target: 3,
    steps: [{ rows: rows([1, 1, 1, 1, 1, 2], span(0, 6), tags("abcdef")) }],
    sizes: [3, 3],
    untouched: 0,
  },
  {
    title: "a new row equal to a straddling value goes after every stored one, without rewriting the first row group",
    target: 3,
    steps: [{ rows: rows([1, 1, 1, 1, 1, 2], span(0, 6), tags("abcdef")) }, { rows: rows([1], [99], "z") }],
    sizes: [3, 3, 1],
    untouched: 1,
  },
  {
    title: "dedupe finds a duplicate in the first of two row groups straddling an equal value",
    target: 3,
    steps: [
      { rows: rows([1, 1, 1, 1, 1, 2], span(0, 6), tags("abcdef")) },
      { rows: rows([1], [99], "b"), options: { duplicatesOn: ["tag"] } },
    ],
    sizes: [3, 3],
    untouched: 0,
  },
  {
    title: "dedupe finds a duplicate in the second of two row groups straddling an equal value",
    target: 3,
    steps: [
      { rows: rows([1, 1, 1, 1, 1, 2], span(0, 6), tags("abcdef")) },
      { rows: rows([1], [99], "e"), options: { duplicatesOn: ["tag"] } },
    ],
    sizes: [3, 3],
    untouched: 0,
  },
];

/** The model's dedupe columns for a write's options. */
function modelDedupe(options: Partial<WriteOptions> | undefined): ModelDedupe {
  if (!options?.dropDuplicates && !options?.duplicatesOn?.length) return undefined;
  return options.duplicatesOn?.length ? options.duplicatesOn : "all";
}

const sharedTest = sharedStoreTest();

for (const c of cases) {
  test(
    c.title,
    sharedTest(async (t, { store, key, datasetDir }) => {
      let model: Row[] = [];
      let before = new Map<string, FileState>();
      let listedBefore: string[] = [];
      for (const step of c.steps) {
        before = await snapshotFiles(datasetDir());
        listedBefore = model.length > 0 ? await listedFiles(store, key) : [];
        const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: c.target, ...step.options };
        const result = await writeTable(store, key, tableOfRows(step.rows), options);
        model = referenceMerge(model, step.rows, "ts", modelDedupe(step.options));
        t.deepEqual(testRowsOf(await readAll(store, key)), model);
        t.is(result.totalRows, model.length);
        t.deepEqual(rowGroupProblems((await store.describe(key)).rowGroups), []);
      }
      t.deepEqual(await rowGroupSizes(store, key), c.sizes);
      const listedAfter = await listedFiles(store, key);
      const kept = listedBefore.filter((file) => listedAfter.includes(file));
      t.is(kept.length, c.untouched, "row-group files kept by the last write");
      const unchanged = unchangedFiles(before, await snapshotFiles(datasetDir()));
      t.deepEqual(
        kept.filter((file) => !unchanged.includes(file)),
        [],
        "kept files are byte-for-byte unchanged",
      );
    }),
  );
}

test(
  "a write leaves exactly the listed row-group files and the manifest in the dataset directory",
  engineTest(async (t, fixture) => {
    const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 4 };
    await writeTable(fixture.store, testKey, tableOfRows(rows(span(0, 20))), options);
    await writeTable(fixture.store, testKey, tableOfRows(rows(span(5, 15), (i) => i + 100)), { ...options, duplicatesOn: ["ts"] });
    const store = await fixture.reopen();
    const listed = await listedFiles(store);
    t.deepEqual(await fileNames(fixture.datasetDir()), ["_manifest.json", ...listed].sort());
  }),
);

test(
  "a write reports what it received, rewrote, added and committed",
  sharedTest(async (t, { store, key }) => {
    const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 5 };
    const first = await writeTable(store, key, tableOfRows(rows(span(0, 30))), options);
    t.like(first, { rowsReceived: 30, totalRows: 30, rowGroupsRewritten: 0, rowGroupsAdded: 6, rowGroupsTotal: 6 });
    const second = await writeTable(store, key, tableOfRows(rows([12, 13], [1, 2])), options);
    t.like(second, { rowsReceived: 2, totalRows: 32, rowGroupsRewritten: 1, rowGroupsAdded: 2, rowGroupsTotal: 7 });
    t.is(second.generation, first.generation + 1);
    t.is((await store.describe(key)).generation, second.generation);
  }),
);
