import test from "ava";
import { Bool, Dictionary, Float64, Int32, Int64, Table, Utf8 } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { dropDuplicatesKeepLast } from "../../../server/src/store/arrow/dedupe.js";
import { mergeSorted, mergeSortedKeepLast } from "../../../server/src/store/arrow/merge-sorted.js";
import { seededRandom } from "../../helpers/seeded-random.js";
import { type Cell, batchOf, rowsOf } from "./arrow-fixtures.js";

const SEED = 0x5eed_2024;
const RUNS = 300;

/** A row as the columns ts, sym, px, flag, note. */
type Row = [bigint, string | null, number | null, boolean | null, string | null];

// One dictionary type object for every batch, so that batches can share a table; their contents differ.
const symType = new Dictionary(new Utf8(), new Int32());

function randomRows(random: () => number, count: number, tsRange: number): Row[] {
  const pick = <T,>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  const ts = Array.from({ length: count }, () => BigInt(Math.floor(random() * tsRange))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ts.map((t) => [
    t,
    pick(["AAPL", "MSFT", "GOOG", null]),
    pick([1, 2, 2.5, Number.NaN, null]),
    pick([true, false, null]),
    pick(["x", "y", "", null]),
  ]);
}

/** `rows` as a table cut into batches at random places. */
function tableOf(random: () => number, rows: readonly Row[]): Table {
  const batch = batchOf([
    { name: "ts", type: new Int64(), values: rows.map((r) => r[0]) },
    { name: "sym", type: symType, values: rows.map((r) => r[1]) },
    { name: "px", type: new Float64(), values: rows.map((r) => r[2]) },
    { name: "flag", type: new Bool(), values: rows.map((r) => r[3]) },
    { name: "note", type: new Utf8(), values: rows.map((r) => r[4]) },
  ]);
  const parts: RecordBatch[] = [];
  let start = 0;
  while (start < rows.length) {
    const end = Math.min(rows.length, start + 1 + Math.floor(random() * 6));
    parts.push(batch.slice(start, end));
    start = end;
  }
  return new Table(batch.schema, parts);
}

/** The obvious model: stable sort of existing then incoming rows, then keep the last row of each key. */
function reference(existing: readonly Row[], incoming: readonly Row[], key: readonly number[]): Cell[][] {
  const merged = [...existing, ...incoming].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const keyOf = (row: Row) => JSON.stringify(key.map((i) => (Number.isNaN(row[i]) ? "NaN" : String(row[i]))));
  const last = new Map<string, number>();
  merged.forEach((row, i) => last.set(keyOf(row), i));
  return merged.filter((row, i) => last.get(keyOf(row)) === i);
}

const keys: readonly { columns: readonly string[] | "all"; indices: number[] }[] = [
  { columns: "all", indices: [0, 1, 2, 3, 4] },
  { columns: [], indices: [0] },
  { columns: ["sym"], indices: [0, 1] },
  { columns: ["px", "note"], indices: [0, 2, 4] },
  { columns: ["flag", "ts"], indices: [0, 3] },
];

test("mergeSorted then dropDuplicatesKeepLast match the plain-array model", (t) => {
  const random = seededRandom(SEED);
  for (let run = 0; run < RUNS; run++) {
    // Few distinct ordered values make runs longer than 16 rows, which dedupe compares by key, not pairwise.
    const tsRange = run % 3 === 0 ? 3 : 12;
    const existingRows = randomRows(random, Math.floor(random() * 40), tsRange);
    const incomingRows = randomRows(random, Math.floor(random() * 40), tsRange);
    const key = keys[run % keys.length];
    const existing = random() < 0.1 ? null : tableOf(random, existingRows);
    const merged = mergeSorted(existing, tableOf(random, incomingRows), "ts");
    const actual = dropDuplicatesKeepLast(merged, key.columns, "ts");
    const expected = reference(existing === null ? [] : existingRows, incomingRows, key.indices);
    t.deepEqual(rowsOf(actual), expected, `run ${run} of seed ${SEED}, key ${String(key.columns)}`);
  }
});

test("mergeSortedKeepLast (one gather) matches the plain-array model too", (t) => {
  const random = seededRandom(SEED + 1);
  for (let run = 0; run < RUNS; run++) {
    const tsRange = run % 3 === 0 ? 3 : 12;
    const existingRows = randomRows(random, Math.floor(random() * 40), tsRange);
    const incomingRows = randomRows(random, Math.floor(random() * 40), tsRange);
    const key = keys[run % keys.length];
    const existing = random() < 0.1 ? null : tableOf(random, existingRows);
    const actual = mergeSortedKeepLast(existing, tableOf(random, incomingRows), "ts", key.columns);
    const expected = reference(existing === null ? [] : existingRows, incomingRows, key.indices);
    t.deepEqual(rowsOf(actual), expected, `run ${run} of seed ${SEED + 1}, key ${String(key.columns)}`);
  }
});
