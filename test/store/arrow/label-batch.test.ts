import test from "ava";
import { DataType, Dictionary, Field, Float64, Int, Int16, Int32, Int64, RecordBatch, Schema, Struct, Table, Utf8, makeData } from "apache-arrow";
import { labelBatch } from "../../../server/src/store/arrow/label-batch.js";
import { type Cell, columnData } from "./arrow-fixtures.js";

/** Three rows of a column of `type`: text for dictionaries, bigints for 64-bit integers, numbers otherwise. */
function valuesOf(type: DataType): Cell[] {
  if (DataType.isDictionary(type)) return ["a", "b", "a"];
  return DataType.isInt(type) && type.bitWidth === 64 ? [1n, 2n, 3n] : [1, 2, 3];
}

/** A batch of nullable columns of the given names and types, three rows long. */
function batch(fields: readonly [string, DataType][]): RecordBatch {
  const schemaFields = fields.map(([name, type]) => new Field(name, type, true));
  const children = fields.map(([, type]) => columnData(type, valuesOf(type)));
  return new RecordBatch(new Schema(schemaFields), makeData({ type: new Struct(schemaFields), length: 3, nullCount: 0, children }));
}

const dictionary = () => new Dictionary(new Utf8(), new Int32());
const datasetSchema = new Schema([new Field("ts", new Int64(), false), new Field("sym", dictionary(), false)]);

test("labelBatch gives a batch of the same columns the dataset's schema, sharing its buffers", (t) => {
  // A generic Int(true, 64), as the IPC reader builds it, where the schema holds an Int64.
  const source = batch([["ts", new Int(true, 64)], ["sym", dictionary()]]);
  const label = labelBatch(source, datasetSchema);
  t.truthy(label);
  t.deepEqual(label!.schema.fields.map((f) => [f.name, f.nullable]), [["ts", false], ["sym", false]]);
  label!.data.children.forEach((child, i) => {
    const original = source.data.children[i]!;
    t.is(child.type, datasetSchema.fields[i]!.type);
    t.is(child.values, original.values);
    t.is(child.dictionary, original.dictionary);
  });
  // Arrow's Table refuses batches whose schemas differ only in type classes: labelled ones it takes.
  t.throws(() => new Table(datasetSchema, [source]));
  t.is(new Table(datasetSchema, [label!, labelBatch(source.slice(1), datasetSchema)!]).numRows, 5);
});

test("labelBatch returns a batch already of the dataset's schema as it is", (t) => {
  const source = batch([["ts", new Int64()], ["sym", dictionary()]]);
  t.is(labelBatch(source, source.schema), source);
});

const mismatches: { title: string; fields: [string, DataType][] }[] = [
  { title: "columns in another order", fields: [["sym", dictionary()], ["ts", new Int64()]] },
  { title: "a column of another type", fields: [["ts", new Float64()], ["sym", dictionary()]] },
  { title: "dictionary indices of another type", fields: [["ts", new Int64()], ["sym", new Dictionary(new Utf8(), new Int16())]] },
  { title: "a column of another name", fields: [["time", new Int64()], ["sym", dictionary()]] },
  { title: "a column more", fields: [["ts", new Int64()], ["sym", dictionary()], ["qty", new Int64()]] },
  { title: "a column less", fields: [["ts", new Int64()]] },
];
for (const { title, fields } of mismatches) {
  test(`labelBatch refuses a batch with ${title}`, (t) => {
    t.is(labelBatch(batch(fields), datasetSchema), undefined);
  });
}
