import test from "ava";
import { Dictionary, Field, Float64, Int, Int8, Int32, Int64, Schema, TimestampMillisecond, TimestampNanosecond, Utf8 } from "apache-arrow";
import { sameSchema, schemaDifferences } from "../../../server/src/store/arrow/schema-diff.js";

const f = (name: string, type: Field["type"], nullable = true) => new Field(name, type, nullable);
const expected = new Schema([f("ts", new TimestampNanosecond()), f("sym", new Dictionary(new Utf8(), new Int32())), f("px", new Float64())]);

const cases = [
  { title: "the same schema", actual: expected, differences: [] },
  {
    title: "other nullability, dictionary ids and generic integer classes",
    actual: new Schema([f("ts", new TimestampNanosecond(), false), f("sym", new Dictionary(new Utf8(), new Int(true, 32) as Int32), false), f("px", new Float64())]),
    differences: [],
  },
  { title: "a missing column", actual: new Schema([f("ts", new TimestampNanosecond()), f("px", new Float64())]), differences: ['missing column "sym"'] },
  {
    title: "an extra column",
    actual: new Schema([...expected.fields, f("qty", new Int64())]),
    differences: ['extra column "qty"'],
  },
  {
    title: "a column of another type",
    actual: new Schema([f("ts", new TimestampNanosecond()), f("sym", new Dictionary(new Utf8(), new Int32())), f("px", new Int32())]),
    differences: ['column "px": expected Float64, got Int32'],
  },
  {
    title: "another timestamp unit or time zone",
    actual: new Schema([f("ts", new TimestampMillisecond("UTC")), expected.fields[1], expected.fields[2]]),
    differences: ['column "ts": expected Timestamp<NANOSECOND>, got Timestamp<MILLISECOND, UTC>'],
  },
  {
    title: "another dictionary index type",
    actual: new Schema([expected.fields[0], f("sym", new Dictionary(new Utf8(), new Int8())), expected.fields[2]]),
    differences: ['column "sym": expected Dictionary<Int32, Utf8>, got Dictionary<Int8, Utf8>'],
  },
  {
    title: "a plain column instead of a dictionary",
    actual: new Schema([expected.fields[0], f("sym", new Utf8()), expected.fields[2]]),
    differences: ['column "sym": expected Dictionary<Int32, Utf8>, got Utf8'],
  },
  {
    title: "columns in another order",
    actual: new Schema([expected.fields[1], expected.fields[0], expected.fields[2]]),
    differences: ['columns in another order: expected "ts", "sym", "px", got "sym", "ts", "px"'],
  },
  {
    title: "several differences at once",
    actual: new Schema([f("px", new Int32()), f("ts", new TimestampNanosecond()), f("venue", new Utf8())]),
    differences: [
      'missing column "sym"',
      'column "px": expected Float64, got Int32',
      'extra column "venue"',
      'columns in another order: expected "ts", "px", got "px", "ts"',
    ],
  },
];
for (const { title, actual, differences } of cases) {
  test(`schemaDifferences reports ${title}`, (t) => {
    t.deepEqual(schemaDifferences(expected, actual), differences);
    t.is(sameSchema(expected, actual), differences.length === 0);
  });
}
