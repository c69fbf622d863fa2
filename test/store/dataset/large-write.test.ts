import test from "ava";
import { Float64, Int64, Table, makeData, makeVector } from "apache-arrow";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { Store } from "../../../server/src/store/store.js";
import { engineTest, fileNames, listedFiles, readAll, sharedStoreTest, snapshotFiles, testKey, unchangedFiles, writeTable } from "../../helpers/engine.js";

const TARGET = 10_000;
const ROWS = 300_000;
// Windows of 25k rows and batches of 7k: window ends fall inside row groups and batches alike.
const storeOptions = { writeWindowRows: 25_000, parquetWorkers: 2 };
const BATCH_ROWS = 7_000;

/** Columns of a dataset as flat arrays: the ordered `ts` and the `v` that tells rows apart. */
interface Columns {
  ts: BigInt64Array;
  v: Float64Array;
}

/** `count` rows with ts = first, first + step, ... and v = vFrom, vFrom + 1, ... */
function columns(count: number, first: number, step: number, vFrom: number): Columns {
  const ts = new BigInt64Array(count);
  const v = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    ts[i] = BigInt(first + i * step);
    v[i] = vFrom + i;
  }
  return { ts, v };
}

function tableOf({ ts, v }: Columns): Table {
  return new Table({ ts: makeVector(makeData({ type: new Int64(), length: ts.length, data: ts })), v: makeVector(makeData({ type: new Float64(), length: v.length, data: v })) });
}

/** The model of a write on flat columns: stable merge (stored first among equal ts), then keep-last dedupe on ts. */
function modelMerge(stored: Columns, incoming: Columns, dedupe: boolean): Columns {
  const ts: bigint[] = [];
  const v: number[] = [];
  let i = 0;
  let j = 0;
  while (i < stored.ts.length || j < incoming.ts.length) {
    const takeStored = j >= incoming.ts.length || (i < stored.ts.length && stored.ts[i]! <= incoming.ts[j]!);
    const value = takeStored ? stored.ts[i]! : incoming.ts[j]!;
    const payload = takeStored ? stored.v[i++]! : incoming.v[j++]!;
    if (dedupe && ts.length > 0 && ts[ts.length - 1] === value) v[v.length - 1] = payload;
    else {
      ts.push(value);
      v.push(payload);
    }
  }
  return { ts: BigInt64Array.from(ts), v: Float64Array.from(v) };
}

/** The dataset's rows as flat columns. */
async function readColumns(store: Store, key: Key): Promise<Columns> {
  const table = await readAll(store, key);
  return { ts: table.getChild("ts")!.toArray() as BigInt64Array, v: table.getChild("v")!.toArray() as Float64Array };
}

/** Index of the first row where `a` and `b` differ (-1 when equal), so that a failure names a row, not 300k. */
function firstDifference(a: Columns, b: Columns): number {
  const n = Math.max(a.ts.length, b.ts.length);
  for (let i = 0; i < n; i++) if (a.ts[i] !== b.ts[i] || a.v[i] !== b.v[i]) return i;
  return -1;
}

const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: TARGET };

test(
  "a large write in several windows makes row groups of exactly the target size",
  engineTest(async (t, fixture) => {
    const stored = columns(ROWS, 0, 2, 0);
    const result = await writeTable(fixture.store, testKey, tableOf(stored), options, BATCH_ROWS);
    t.like(result, { rowsReceived: ROWS, totalRows: ROWS, rowGroupsAdded: ROWS / TARGET, rowGroupsTotal: ROWS / TARGET });
    t.is(firstDifference(await readColumns(fixture.store, testKey), stored), -1);
    const sizes = (await fixture.store.describe(testKey)).rowGroups.map((g) => g.rows);
    t.deepEqual(sizes, Array.from({ length: ROWS / TARGET }, () => TARGET));
    const listed = await listedFiles(fixture.store);
    await fixture.reopen(storeOptions);
    t.deepEqual(await fileNames(fixture.datasetDir()), ["_manifest.json", ...listed].sort(), "no file written and dropped is left");
  }, storeOptions),
);

const overlaps: { title: string; incoming: Columns; dedupe: boolean }[] = [
  {
    title: "a large interleaved write in several windows matches the model, keeps row groups on target and untouched ones in place",
    incoming: columns(100_000, 200_001, 2, 1_000_000),
    dedupe: false,
  },
  {
    title: "a large deduplicating write in several windows matches the model, keeps row groups on target and untouched ones in place",
    incoming: columns(100_000, 200_000, 2, 1_000_000),
    dedupe: true,
  },
];

const sharedTest = sharedStoreTest(storeOptions);

for (const c of overlaps) {
  test(
    c.title,
    sharedTest(async (t, { store, key, datasetDir }) => {
      const stored = columns(ROWS, 0, 2, 0);
      await writeTable(store, key, tableOf(stored), options, BATCH_ROWS);
      const before = await snapshotFiles(datasetDir());
      const listedBefore = await listedFiles(store, key);
      await writeTable(store, key, tableOf(c.incoming), c.dedupe ? { ...options, duplicatesOn: ["ts"] } : options, BATCH_ROWS);
      const model = modelMerge(stored, c.incoming, c.dedupe);
      t.is(firstDifference(await readColumns(store, key), model), -1);

      const { rowGroups } = await store.describe(key);
      t.true(rowGroups.every((g) => g.rows <= TARGET), "no row group above the target");
      // Window boundaries leave nothing small behind: at most the remainder of the rewritten region is.
      const small = rowGroups.filter((g) => g.rows < 0.8 * TARGET);
      t.true(small.length <= 1, `${small.length} row groups below 80% of the target`);
      t.true(rowGroups.length <= Math.ceil(model.ts.length / TARGET) + 1, `${rowGroups.length} row groups`);

      // The incoming rows span stored row groups 10 to 19 (ts 200000 to 399998): the others stay as they were.
      const listedAfter = await listedFiles(store, key);
      const kept = listedBefore.filter((f) => listedAfter.includes(f));
      t.deepEqual(kept, [...listedBefore.slice(0, 10), ...listedBefore.slice(20)]);
      const unchanged = unchangedFiles(before, await snapshotFiles(datasetDir()));
      t.true(kept.every((f) => unchanged.includes(f)));
    }),
  );
}

test(
  "an append's row groups are encoded while its rows still arrive, without waiting for a full window",
  engineTest(async (t, fixture) => {
    const rows = 600_000;
    const table = tableOf(columns(rows, 0, 1, 0));
    const parquetFiles = async () => (await fileNames(fixture.datasetDir()).catch(() => [])).filter((f) => f.endsWith(".parquet"));
    let filesBeforeTheEnd: string[] = [];
    async function* batches() {
      for (let offset = 0; offset < rows; offset += 50_000) {
        if (offset === rows - 50_000) {
          // Far below the 1 Mi-row window: only an eager merge of the append writes files by now.
          for (let tries = 0; tries < 3000 && filesBeforeTheEnd.length === 0; tries++) {
            filesBeforeTheEnd = await parquetFiles();
            if (filesBeforeTheEnd.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
        yield* table.slice(offset, offset + 50_000).batches;
      }
    }
    const result = await fixture.store.write(testKey, { schema: table.schema, batches: batches() }, { orderedOn: "ts", rowGroupTarget: 100_000 });
    t.true(filesBeforeTheEnd.length > 0);
    t.like(result, { rowsReceived: rows, rowGroupsTotal: 6 });
    t.deepEqual(
      (await fixture.store.describe(testKey)).rowGroups.map((g) => g.rows),
      [100_000, 100_000, 100_000, 100_000, 100_000, 100_000],
    );
  }),
);
