import test from "ava";
import { Dictionary, Field, Float64, Int32, Int64, RecordBatch, Schema, Struct, Table, Utf8, makeData, vectorFromArray } from "apache-arrow";
import type { Vector } from "apache-arrow";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { Store } from "../../../server/src/store/store.js";
import { readAll, rowGroupSizes, sharedStoreTest } from "../../helpers/engine.js";

// Windows of 25k rows: window ends fall inside row groups (of 10k) and inside batches.
const storeTest = sharedStoreTest({ writeWindowRows: 25_000 });
const TARGET = 10_000;

const symbol = new Dictionary(new Utf8(), new Int32());
const schema = new Schema([new Field("ts", new Int64(), false), new Field("sym", symbol, false), new Field("px", new Float64(), false)]);
const words = ["AAPL", "MSFT", "GOOG", "AMZN", "META", "NVDA", "TSLA", "NFLX"];
const otherWords = ["IBM", "ORCL", "AAPL"];

/**
 * Rows `[first, first + count)` (ts = 2 × row, so that other writes can fall between) as batches of `batchRows`,
 * each with a dictionary of its own, as the IPC decoder gives them; every fifth batch uses other words.
 */
function batches(first: number, count: number, batchRows: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let start = first; start < first + count; start += batchRows) {
    const length = Math.min(batchRows, first + count - start);
    const dictionary = out.length % 5 === 4 ? otherWords : words;
    const ts = BigInt64Array.from({ length }, (_, i) => BigInt(2 * (start + i)));
    const indices = Int32Array.from({ length }, (_, i) => (start + i) % dictionary.length);
    const px = Float64Array.from({ length }, (_, i) => (start + i) / 8);
    const children = [
      makeData({ type: new Int64(), length, nullCount: 0, data: ts }),
      makeData({ type: symbol, length, nullCount: 0, data: indices, dictionary: vectorFromArray([...dictionary], new Utf8()) }),
      makeData({ type: new Float64(), length, nullCount: 0, data: px }),
    ];
    out.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children })));
  }
  return out;
}

/** A dataset's rows, or rows to write, column by column. */
interface Columns {
  ts: bigint[];
  sym: string[];
  px: number[];
}

function columnsOf(input: Table | readonly RecordBatch[]): Columns {
  const table = input instanceof Table ? input : new Table(schema, [...input]);
  return {
    ts: [...(table.getChild("ts")! as Vector<Int64>)] as bigint[],
    sym: [...table.getChild("sym")!] as string[],
    px: [...table.getChild("px")!] as number[],
  };
}

function write(store: Store, key: Key, input: RecordBatch[], options: WriteOptions = {}) {
  return store.write(key, { schema, batches: input }, { orderedOn: "ts", rowGroupTarget: TARGET, ...options });
}

// Batches of 6k rows stay a table over the received batches; batches of 300 rows are concatenated first.
for (const batchRows of [6_000, 300]) {
  test(
    `appends in batches of ${batchRows} rows with dictionaries of their own read back row for row, in row groups of the target`,
    storeTest(async (t, { store, key }) => {
      const first = batches(0, 53_000, batchRows);
      const second = batches(53_000, 61_000, batchRows);
      await write(store, key, first);
      await write(store, key, second);
      t.deepEqual(columnsOf(await readAll(store, key)), columnsOf([...first, ...second]));
      // Each write cuts its rows into row groups of the target and a remainder; appends rewrite nothing.
      t.deepEqual(await rowGroupSizes(store, key), [...Array(5).fill(TARGET), 3_000, ...Array(6).fill(TARGET), 1_000]);
    }),
  );
}

test(
  "rows written between stored ones, deduplicated, merge with them row for row",
  storeTest(async (t, { store, key }) => {
    const stored = batches(0, 40_000, 6_000);
    await write(store, key, stored);
    // Odd ts fall between the stored rows; the last batch repeats stored rows, which dropDuplicates replaces.
    const between = batches(0, 20_000, 5_000).map((batch) => {
      const odd = (batch.getChild("ts")!.data[0]!.values as BigInt64Array).map((v) => v + 1n);
      const ts = makeData({ type: new Int64(), length: odd.length, nullCount: 0, data: odd });
      return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: [ts, ...batch.data.children.slice(1)] }));
    });
    const repeated = batches(30_000, 5_000, 5_000);
    await write(store, key, [...between, ...repeated], { dropDuplicates: true });
    const all = [columnsOf(stored), columnsOf(between)];
    const order = all.flatMap((columns, c) => columns.ts.map((_, i) => [c, i] as const)).sort(([c, i], [d, j]) => Number(all[c]!.ts[i]! - all[d]!.ts[j]!));
    const expected = { ts: order.map(([c, i]) => all[c]!.ts[i]!), sym: order.map(([c, i]) => all[c]!.sym[i]!), px: order.map(([c, i]) => all[c]!.px[i]!) };
    t.deepEqual(columnsOf(await readAll(store, key)), expected);
  }),
);

test(
  "unordered batches written with sort, each with a dictionary of its own, read back sorted",
  storeTest(async (t, { store, key }) => {
    const input = batches(0, 30_000, 6_000);
    await write(store, key, [...input].reverse(), { sort: true });
    t.deepEqual(columnsOf(await readAll(store, key)), columnsOf(input));
  }),
);
