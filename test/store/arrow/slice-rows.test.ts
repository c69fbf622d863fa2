import test from "ava";
import { Int32, Table, Utf8 } from "apache-arrow";
import { OupsError } from "../../../server/src/store/errors.js";
import { sliceBatches } from "../../../server/src/store/arrow/slice-rows.js";
import { batchOf, cells } from "./arrow-fixtures.js";

const batch = batchOf([
  { name: "n", type: new Int32(), values: Array.from({ length: 17 }, (_, i) => i) },
  { name: "s", type: new Utf8(), values: Array.from({ length: 17 }, (_, i) => (i % 4 === 0 ? null : `v${i}`)) },
]);
const table = new Table([batch.slice(0, 5), batch.slice(5, 5), batch.slice(5)]);

test("sliceBatches cuts batches into slices of at most maxRows rows, in order", (t) => {
  const slices = sliceBatches(table, 5);
  t.deepEqual(slices.map((s) => s.numRows), [5, 5, 5, 2]);
  t.deepEqual(slices.flatMap((s) => cells(s, "n")), cells(batch, "n"));
  t.deepEqual(slices.flatMap((s) => cells(s, "s")), cells(batch, "s"));
});

test("sliceBatches does not copy buffers", (t) => {
  const [first, second] = sliceBatches(batch, 10);
  t.is(first.getChild("n")!.data[0].values.buffer, batch.getChild("n")!.data[0].values.buffer);
  t.is(second.getChild("s")!.data[0].values, batch.getChild("s")!.data[0].values);
});

test("sliceBatches of an empty table gives no batches", (t) => {
  t.deepEqual(sliceBatches(new Table(batch.schema), 3), []);
});

for (const maxRows of [0, -1, 1.5, Number.NaN]) {
  test(`sliceBatches rejects maxRows ${maxRows}`, (t) => {
    const error = t.throws(() => sliceBatches(table, maxRows), { instanceOf: OupsError });
    t.is(error?.code, "INVALID_ARGUMENT");
  });
}
