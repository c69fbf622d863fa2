import test from "ava";
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int8,
  Int32,
  Int64,
  LargeUtf8,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Uint16,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from "apache-arrow";
import type { DataType } from "apache-arrow";
import { conformBatch, isWidening, nullData } from "../../../server/src/store/arrow/conform-batch.js";

const types: DataType[] = [
  new Bool(),
  new Int8(),
  new Uint16(),
  new Int64(),
  new Float64(),
  new DateDay(),
  new TimestampMillisecond("UTC"),
  new Decimal(2, 10, 128),
  new FixedSizeBinary(3),
  new Utf8(),
  new LargeUtf8(),
  new Binary(),
  new Dictionary(new Utf8(), new Int32()),
  new List(new Field("item", new Int32(), true)),
];

for (const type of types) {
  test(`nullData makes ${String(type)} nulls that survive an IPC round trip`, (t) => {
    const data = nullData(type, 37);
    t.is(data.length, 37);
    t.is(data.nullCount, 37);
    const field = new Field("c", type, true);
    const batch = new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: 37, nullCount: 0, children: [data] }));
    const back = tableFromIPC(tableToIPC(new Table([batch]), "stream"));
    t.is(back.numRows, 37);
    t.deepEqual([...back.getChild("c")!].map((v) => v ?? null), new Array(37).fill(null));
  });
}

test("conformBatch fills missing columns, widens int32 and float32, keeps the target's order and drops extra columns", (t) => {
  const fields = [new Field("a", new Int32(), true), new Field("b", new Float32(), true), new Field("x", new Utf8(), true)];
  const columns = [vectorFromArray([1, null, 3], new Int32()), vectorFromArray([0.5, 1.5, null], new Float32()), vectorFromArray(["p", "q", "r"], new Utf8())];
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: columns.map((c) => c.data[0]!) }));
  const target = new Schema([new Field("b", new Float64(), true), new Field("new", new Utf8(), true), new Field("a", new Int64(), true)]);
  // A slice, so that the widened columns start at a non-zero offset of their buffers and bitmap.
  const conformed = conformBatch(batch.slice(1, 3), target);
  t.deepEqual(conformed.schema.fields.map((f) => `${f.name}: ${String(f.type)}`), ["b: Float64", "new: Utf8", "a: Int64"]);
  t.deepEqual(
    new Table([conformed]).toArray().map((r) => ({ ...r.toJSON() })),
    [
      { b: 1.5, new: null, a: null },
      { b: null, new: null, a: 3n },
    ],
  );
});

test("isWidening allows only int32 to int64 and float32 to float64", (t) => {
  t.true(isWidening(new Int32(), new Int64()));
  t.true(isWidening(new Float32(), new Float64()));
  t.false(isWidening(new Int64(), new Int32()));
  t.false(isWidening(new Int8(), new Int64()));
  t.false(isWidening(new Int32(), new Float64()));
  t.false(isWidening(new Uint16(), new Int32()));
});
