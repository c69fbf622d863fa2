import test from "ava";
import { Dictionary, Int32, Int64, Table, Utf8 } from "apache-arrow";
import { OupsError } from "../../../server/src/store/errors.js";
import { mergeSorted } from "../../../server/src/store/arrow/merge-sorted.js";
import { type Cell, type ColumnSpec, batchOf, cells, rowsOf, sampleColumns } from "./arrow-fixtures.js";

function marked(ts: readonly bigint[], source: string) {
  return batchOf([
    { name: "ts", type: new Int64(), values: ts },
    { name: "src", type: new Utf8(), values: ts.map((_, i) => `${source}${i}`) },
  ]);
}

/** The reference merge: a stable sort of existing rows followed by incoming rows. */
function referenceMerge(existing: readonly bigint[], incoming: readonly bigint[]): string[] {
  const rows = [...existing.map((ts, i) => ({ ts, src: `e${i}` })), ...incoming.map((ts, i) => ({ ts, src: `i${i}` }))];
  return rows.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0)).map((row) => row.src);
}

const cases = [
  { title: "interleaved rows", existing: [1n, 3n, 3n, 5n, 7n], incoming: [0n, 3n, 4n, 7n, 8n] },
  { title: "incoming rows all after existing ones, tied at the boundary", existing: [1n, 2n, 3n], incoming: [3n, 3n, 4n] },
  { title: "incoming rows all before existing ones", existing: [5n, 6n], incoming: [1n, 2n, 4n] },
  { title: "incoming rows tied with the first existing row", existing: [1n, 2n], incoming: [1n] },
  { title: "one long run inside the other side", existing: [0n, 10n], incoming: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n] },
  { title: "all rows equal", existing: [4n, 4n, 4n], incoming: [4n, 4n] },
];
for (const { title, existing, incoming } of cases) {
  test(`mergeSorted orders ${title}, existing rows first on ties`, (t) => {
    const out = mergeSorted(marked(existing, "e"), marked(incoming, "i"), "ts");
    t.deepEqual(cells(out, "src"), referenceMerge(existing, incoming));
    t.deepEqual(cells(out, "ts"), [...existing, ...incoming].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}

test("mergeSorted carries every supported column along with its row", (t) => {
  const withTs = (ts: bigint[], columns: readonly ColumnSpec[]): ColumnSpec[] => [
    { name: "ts", type: new Int64(), values: ts },
    ...columns,
  ];
  const reversed = sampleColumns.map((c) => ({ ...c, values: [...c.values].reverse() }));
  const existingTs = [1n, 2n, 3n, 4n, 5n, 6n];
  const incomingTs = [0n, 2n, 2n, 5n, 9n, 9n];
  const out = mergeSorted(batchOf(withTs(existingTs, sampleColumns)), batchOf(withTs(incomingTs, reversed)), "ts");
  const order = [[1, 0], [0, 0], [0, 1], [1, 1], [1, 2], [0, 2], [0, 3], [0, 4], [1, 3], [0, 5], [1, 4], [1, 5]];
  for (const column of sampleColumns) {
    const expected: Cell[] = order.map(([s, r]) => (s === 0 ? column : reversed.find((c) => c.name === column.name)!).values[r]);
    t.deepEqual(cells(out, column.name), expected, column.name);
  }
});

test("mergeSorted merges tables of several batches with differing dictionaries", (t) => {
  const type = new Dictionary(new Utf8(), new Int32());
  const existing = batchOf([
    { name: "ts", type: new Int32(), values: [1, 2, 4, 6] },
    { name: "sym", type, values: ["a", "b", null, "c"] },
  ]);
  const incoming = batchOf([
    { name: "ts", type: new Int32(), values: [2, 3, 5] },
    { name: "sym", type, values: ["z", "a", "y"] },
  ]);
  const out = mergeSorted(new Table([existing.slice(0, 3), existing.slice(3)]), new Table([incoming.slice(0, 1), incoming.slice(1)]), "ts");
  t.deepEqual(rowsOf(out), [[1, "a"], [2, "b"], [2, "z"], [3, "a"], [4, null], [5, "y"], [6, "c"]]);
});

test("mergeSorted with no existing rows gives the incoming rows as one batch", (t) => {
  const incoming = marked([1n, 2n, 3n], "i");
  const table = new Table([incoming.slice(0, 1), incoming.slice(1)]);
  const out = mergeSorted(null, table, "ts");
  t.deepEqual(cells(out, "src"), ["i0", "i1", "i2"]);
  t.is(out.getChild("src")!.data.length, 1);
  t.deepEqual(cells(mergeSorted(marked([], "e"), incoming, "ts"), "src"), ["i0", "i1", "i2"]);
});

test("mergeSorted with no incoming rows gives the existing rows", (t) => {
  const out = mergeSorted(marked([1n, 1n], "e"), marked([], "i"), "ts");
  t.deepEqual(cells(out, "src"), ["e0", "e1"]);
});

test("mergeSorted rejects ordered columns of different kinds", (t) => {
  const existing = batchOf([{ name: "ts", type: new Int64(), values: [1n] }]);
  const incoming = batchOf([{ name: "ts", type: new Int32(), values: [1] }]);
  const error = t.throws(() => mergeSorted(existing, incoming, "ts"), { instanceOf: OupsError });
  t.is(error?.code, "SCHEMA_MISMATCH");
  t.is(error?.message, 'ordered column "ts" holds bigint values in existing rows but number values in incoming rows');
});

test("mergeSorted rejects a missing ordered column", (t) => {
  const error = t.throws(() => mergeSorted(marked([1n], "e"), marked([0n], "i"), "time"), { instanceOf: OupsError });
  t.is(error?.code, "INVALID_ARGUMENT");
  t.is(error?.message, 'ordered column "time" not found');
});
