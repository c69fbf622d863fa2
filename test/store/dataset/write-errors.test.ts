import test from "ava";
import type { RecordBatch, Schema } from "apache-arrow";
import { Float64, Int32, Int64, Table, Utf8, makeData, makeVector, vectorFromArray } from "apache-arrow";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { OupsErrorCode } from "../../../server/src/store/errors.js";
import { OupsError } from "../../../server/src/store/errors.js";
import {
  batchesOf,
  fileNames,
  readAll,
  rows,
  snapshotFiles,
  sharedStoreTest,
  span,
  tableOfRows,
  testRowsOf,
  writeTable,
} from "../../helpers/engine.js";

// Windows of two rows: the later rejected writes have written (and must discard) files before the bad row arrives,
// and sorted writes get several batches.
const windowedTest = sharedStoreTest({ writeWindowRows: 2 });

/** The dataset every rejected write below runs against: ts 0..9 in row groups of 4. */
const stored = rows(span(0, 10));
const storedOptions: WriteOptions = { orderedOn: "ts", rowGroupTarget: 4 };

/** A standard table whose `ts` column has a null at `nullAt`. */
function tableWithNullTs(ts: bigint[], nullAt: number): Table {
  const nullBitmap = new Uint8Array(Math.ceil(ts.length / 8));
  ts.forEach((_, i) => {
    if (i !== nullAt) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return new Table({
    ts: makeVector(makeData({ type: new Int64(), length: ts.length, data: BigInt64Array.from(ts), nullBitmap, nullCount: 1 })),
    v: makeVector(Float64Array.from(ts, Number)),
    tag: vectorFromArray(ts.map(() => "x"), new Utf8()),
  });
}

interface RejectedCase {
  title: string;
  input: () => { schema: Schema; batches: RecordBatch[] };
  options?: Partial<WriteOptions>;
  code: OupsErrorCode;
  message: RegExp | string;
}

const appended = (ts: number[], batchRows = 3) => () => {
  const table = tableOfRows(rows(ts));
  return { schema: table.schema, batches: batchesOf(table, batchRows) };
};
const fromTable = (table: Table) => () => ({ schema: table.schema, batches: table.batches });

const rejected: RejectedCase[] = [
  {
    title: "a write missing the ordered column is rejected with SCHEMA_MISMATCH (a nullable column may be left out)",
    input: fromTable(new Table({ v: makeVector(Float64Array.from([1])), tag: vectorFromArray(["x"], new Utf8()) })),
    code: "SCHEMA_MISMATCH",
    message: /missing column "ts" \(the ordered column\)/,
  },
  {
    title: "a write with an extra column is rejected with SCHEMA_MISMATCH",
    input: fromTable(
      new Table({
        ts: makeVector(BigInt64Array.from([20n])),
        v: makeVector(Float64Array.from([1])),
        tag: vectorFromArray(["x"], new Utf8()),
        extra: vectorFromArray([1], new Int32()),
      }),
    ),
    code: "SCHEMA_MISMATCH",
    message: /extra column "extra"/,
  },
  {
    title: "a write with a retyped column is rejected with SCHEMA_MISMATCH",
    input: fromTable(
      new Table({ ts: makeVector(BigInt64Array.from([20n])), v: vectorFromArray([1], new Int32()), tag: vectorFromArray(["x"], new Utf8()) }),
    ),
    code: "SCHEMA_MISMATCH",
    message: /column "v": expected Float64, got Int32/,
  },
  {
    title: "unordered rows within one batch are rejected naming the column and the first offending row",
    input: appended([20, 22, 21, 23], 10),
    code: "UNORDERED_INPUT",
    message: 'rows not ordered on "ts": batch 1, row 3 (21) is less than the row before it (22); row 3 of the write, batches and rows counted from 1',
  },
  {
    title: "unordered rows across a batch boundary are rejected naming the first offending row of the whole input",
    input: appended([20, 21, 22, 23, 24, 25, 26, 27, 28, 27, 29, 30]),
    code: "UNORDERED_INPUT",
    message: 'rows not ordered on "ts": batch 4, row 1 (27) is less than the last row of the batch before (28); row 10 of the write, batches and rows counted from 1',
  },
  {
    title: "unordered rows inside a later batch are rejected with their row number in the whole input",
    input: appended([20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 30]),
    code: "UNORDERED_INPUT",
    message: 'rows not ordered on "ts": batch 4, row 3 (30) is less than the row before it (31); row 12 of the write, batches and rows counted from 1',
  },
  {
    title: "a write naming another ordered_on is rejected with ORDERED_ON_MISMATCH",
    input: appended([20]),
    options: { orderedOn: "v" },
    code: "ORDERED_ON_MISMATCH",
    message: /ordered_on "v" does not match the dataset's "ts"/,
  },
  {
    title: "a null in the ordered column is rejected",
    input: fromTable(tableWithNullTs([20n, 21n, 22n, 23n], 2)),
    code: "INVALID_ARGUMENT",
    message: /null in ordered column "ts" at row 3/,
  },
  {
    title: "a null in a column the dataset declares non-nullable is rejected with SCHEMA_MISMATCH naming the row",
    input: () => {
      const table = new Table({
        ts: makeVector(BigInt64Array.from([20n, 21n, 22n, 23n, 24n])),
        v: vectorFromArray([1, 2, 3, null, 5], new Float64()),
        tag: vectorFromArray(["x", "x", "x", "x", "x"], new Utf8()),
      });
      return { schema: table.schema, batches: batchesOf(table, 2) };
    },
    code: "SCHEMA_MISMATCH",
    message: 'column "v" is not nullable in the dataset\'s schema, but row 3 is null',
  },
  {
    title: "duplicatesOn naming an unknown column is rejected",
    input: appended([20]),
    options: { duplicatesOn: ["nope"] },
    code: "INVALID_ARGUMENT",
    message: /duplicates_on columns not found: nope/,
  },
  {
    title: "a period row-group target on an integer ordered column is rejected",
    input: appended([20]),
    options: { rowGroupTarget: "2h" },
    code: "INVALID_ARGUMENT",
    message: /needs a timestamp ordered_on column/,
  },
  {
    title: "a row-group target of zero rows is rejected",
    input: appended([20]),
    options: { rowGroupTarget: -1 },
    code: "INVALID_ARGUMENT",
    message: /row group target must be a positive number of rows/,
  },
  {
    title: "a negative maxNOffTargetRgs is rejected",
    input: appended([20]),
    options: { maxNOffTargetRgs: -2 },
    code: "INVALID_ARGUMENT",
    message: /max_n_off_target_rgs must be/,
  },
];

for (const c of rejected) {
  test(
    c.title,
    windowedTest(
      async (t, { store, key, datasetDir }) => {
        await writeTable(store, key, tableOfRows(stored), storedOptions);
        const generation = (await store.describe(key)).generation;
        const before = await snapshotFiles(datasetDir());
        const err = await t.throwsAsync(store.write(key, c.input(), { ...storedOptions, ...c.options }), {
          instanceOf: OupsError,
          message: c.message,
        });
        t.is(err?.code, c.code);
        t.is((await store.describe(key)).generation, generation, "no commit");
        t.deepEqual(await snapshotFiles(datasetDir()), before, "no file created, changed or deleted");
        t.deepEqual(testRowsOf(await readAll(store, key)), stored);
      },
    ),
  );
}

interface FirstWriteCase {
  title: string;
  table: () => Table;
  options: WriteOptions;
  code: OupsErrorCode;
  message: RegExp;
}

const firstWrites: FirstWriteCase[] = [
  {
    title: "a first write without ordered_on is rejected and creates no dataset",
    table: () => tableOfRows(rows([1, 2])),
    options: {},
    code: "INVALID_ARGUMENT",
    message: /ordered_on is required on the first write/,
  },
  {
    title: "a first write whose ordered_on is not a column is rejected and creates no dataset",
    table: () => tableOfRows(rows([1, 2])),
    options: { orderedOn: "time" },
    code: "INVALID_ARGUMENT",
    message: /ordered_on column "time" is not among the columns/,
  },
  {
    title: "a first write with a null in the ordered column is rejected and creates no dataset",
    table: () => tableWithNullTs([1n, 2n, 3n], 0),
    options: { orderedOn: "ts" },
    code: "INVALID_ARGUMENT",
    message: /null in ordered column "ts" at row 1/,
  },
  {
    title: "a first write of unordered rows is rejected and creates no dataset",
    table: () => tableOfRows(rows([2, 1])),
    options: { orderedOn: "ts" },
    code: "UNORDERED_INPUT",
    message: /batch 1, row 2 \(1\) is less than the row before it \(2\)/,
  },
];

for (const c of firstWrites) {
  test(
    c.title,
    windowedTest(async (t, { store, key, datasetDir }) => {
      const err = await t.throwsAsync(writeTable(store, key, c.table(), c.options), { instanceOf: OupsError, message: c.message });
      t.is(err?.code, c.code);
      await t.throwsAsync(store.describe(key), { instanceOf: OupsError, message: /no dataset/ });
      t.false((await store.listKeys()).some((listed) => listed.symbol === key.symbol));
      t.deepEqual(await fileNames(datasetDir()), []);
    }),
  );
}

interface SortCase {
  title: string;
  stored: ReturnType<typeof rows>;
  batches: number[][];
  options?: Partial<WriteOptions>;
  expected: [number, number][];
}

const sortCases: SortCase[] = [
  {
    title: "sort: true sorts unordered rows stably instead of rejecting them",
    stored: [],
    batches: [[3, 1, 2, 1]],
    expected: [
      [1, 1],
      [1, 3],
      [2, 2],
      [3, 0],
    ],
  },
  {
    title: "sort: true sorts across batch boundaries",
    stored: [],
    batches: [
      [5, 3],
      [4, 1],
      [2, 0],
    ],
    expected: [
      [0, 5],
      [1, 3],
      [2, 4],
      [3, 1],
      [4, 2],
      [5, 0],
    ],
  },
  {
    title: "sort: true with dedupe keeps the row that came last in the input",
    stored: [],
    batches: [[2, 1, 2]],
    options: { duplicatesOn: ["ts"] },
    expected: [
      [1, 1],
      [2, 2],
    ],
  },
  {
    title: "sort: true merges sorted rows into an existing dataset",
    stored: rows([1, 4, 7], [10, 40, 70]),
    batches: [[8, 0, 4]],
    expected: [
      [0, 1],
      [1, 10],
      [4, 40],
      [4, 2],
      [7, 70],
      [8, 0],
    ],
  },
];

for (const c of sortCases) {
  test(
    c.title,
    windowedTest(
      async (t, { store, key }) => {
        const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 2 };
        if (c.stored.length > 0) await writeTable(store, key, tableOfRows(c.stored), options);
        // `v` numbers the incoming rows in input order, so that the order among equal values shows.
        const batches: RecordBatch[] = [];
        let position = 0;
        for (const ts of c.batches) {
          const first = position;
          batches.push(tableOfRows(rows(ts, (i) => first + i)).batches[0]!);
          position += ts.length;
        }
        await store.write(key, { schema: batches[0]!.schema, batches }, { ...options, ...c.options, sort: true });
        const back = testRowsOf(await readAll(store, key)).map((r) => [Number(r.ts), r.v]);
        t.deepEqual(back, c.expected);
      },
    ),
  );
}
