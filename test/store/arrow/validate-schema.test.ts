import test from "ava";
import {
  BinaryView,
  DataType,
  Decimal,
  DenseUnion,
  Dictionary,
  Field,
  FixedSizeBinary,
  Float64,
  Int,
  Int32,
  List,
  Schema,
  SparseUnion,
  Struct,
  Utf8,
  Utf8View,
} from "apache-arrow";
import { validateSchema } from "../../../server/src/store/arrow/validate-schema.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { sampleColumns } from "./arrow-fixtures.js";

const schemaOf = (...fields: [string, DataType][]) => new Schema(fields.map(([name, type]) => new Field(name, type, true)));

test("the sample columns and nested types are accepted", (t) => {
  t.notThrows(() => validateSchema(new Schema(sampleColumns.map((c) => new Field(c.name, c.type, true)))));
  t.notThrows(() => validateSchema(schemaOf(["l", new List(new Field("item", new Int32(), true))], ["s", new Struct([new Field("a", new Utf8(), true)])])));
});

test("view columns and dictionaries of views are accepted (the write converts them to their offset form)", (t) => {
  t.notThrows(() => validateSchema(schemaOf(["v", new Utf8View()], ["b", new BinaryView()], ["d", new Dictionary(new BinaryView(), new Int32())])));
});

const refused: { title: string; schema: Schema; message: RegExp }[] = [
  { title: "two columns of one name", schema: schemaOf(["ts", new Int32()], ["x", new Int32()], ["x", new Float64()]), message: /duplicate column name "x"/ },
  { title: "two struct fields of one name", schema: schemaOf(["s", new Struct([new Field("a", new Int32(), true), new Field("a", new Utf8(), true)])]), message: /duplicate field name "s\.a"/ },
  { title: "a sparse union", schema: schemaOf(["u", new SparseUnion([0], [new Field("a", new Int32(), true)])]), message: /column "u" has unsupported type .*union/i },
  { title: "a dense union inside a list", schema: schemaOf(["l", new List(new Field("item", new DenseUnion([0], [new Field("a", new Int32(), true)]), true))]), message: /column "l\.item" has unsupported type/ },
  { title: "a 7-bit integer", schema: schemaOf(["i", new Int(true, 7 as 8)]), message: /integers are 8, 16, 32 or 64 bits wide/ },
  { title: "a 64-bit decimal", schema: schemaOf(["d", new Decimal(2, 10, 64)]), message: /128 or 256 bits/ },
  { title: "a decimal of precision 40 in 128 bits", schema: schemaOf(["d", new Decimal(2, 40, 128)]), message: /precision must be 1 to 38/ },
  { title: "a fixed-size binary of width 0", schema: schemaOf(["b", new FixedSizeBinary(0)]), message: /byte width must be at least 1/ },
];

for (const { title, schema, message } of refused) {
  test(`a schema with ${title} is INVALID_ARGUMENT`, (t) => {
    const err = t.throws(() => validateSchema(schema), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", message);
  });
}
