import test from "ava";
import {
  Bool,
  DateDay,
  DateMillisecond,
  Dictionary,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from "apache-arrow";
import type { DataType } from "apache-arrow";
import type { OrdinalKind } from "../../../server/src/store/ordinal.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { orderedColumn, ordinalKindOf, timeUnitOf } from "../../../server/src/store/arrow/ordered-column.js";
import { type Cell, batchOf } from "./arrow-fixtures.js";

const cases: readonly { type: DataType; values: Cell[]; kind: OrdinalKind; arrayType?: unknown }[] = [
  { type: new Int8(), values: [-3, 0, 5], kind: "number", arrayType: Int8Array },
  { type: new Int16(), values: [-300, 0, 500], kind: "number", arrayType: Int16Array },
  { type: new Int32(), values: [-3, 0, 70_000], kind: "number", arrayType: Int32Array },
  { type: new Int64(), values: [-(2n ** 60n), 0n, 2n ** 62n], kind: "bigint", arrayType: BigInt64Array },
  { type: new Uint8(), values: [0, 1, 255], kind: "number", arrayType: Uint8Array },
  { type: new Uint16(), values: [0, 1, 65535], kind: "number", arrayType: Uint16Array },
  { type: new Uint32(), values: [0, 1, 4294967295], kind: "number", arrayType: Uint32Array },
  { type: new Uint64(), values: [0n, 1n, 2n ** 64n - 1n], kind: "bigint", arrayType: BigUint64Array },
  { type: new Float32(), values: [-1.5, 0, 2.25], kind: "number", arrayType: Float32Array },
  { type: new Float64(), values: [-1.5, 0, 1e300], kind: "number", arrayType: Float64Array },
  { type: new DateDay(), values: [0, 19000, 19001], kind: "number", arrayType: Int32Array },
  { type: new DateMillisecond(), values: [0n, 86_400_000n, 172_800_000n], kind: "bigint", arrayType: BigInt64Array },
  { type: new TimestampSecond(), values: [1n, 2n, 3n], kind: "bigint", arrayType: BigInt64Array },
  { type: new TimestampMillisecond("UTC"), values: [1n, 2n, 3n], kind: "bigint", arrayType: BigInt64Array },
  { type: new TimestampMicrosecond(), values: [1n, 2n, 3n], kind: "bigint", arrayType: BigInt64Array },
  { type: new TimestampNanosecond(), values: [1_700_000_000_000_000_001n, 1_700_000_000_000_000_002n, 1_700_000_000_000_000_003n], kind: "bigint", arrayType: BigInt64Array },
  { type: new Utf8(), values: ["a", "b", "é"], kind: "string" },
  { type: new LargeUtf8(), values: ["a", "b", "c"], kind: "string" },
  { type: new Dictionary(new Utf8(), new Int8()), values: ["MSFT", "AAPL", "MSFT"], kind: "string" },
  { type: new Dictionary(new Utf8(), new Int32()), values: ["x", "y", "x"], kind: "string" },
];

for (const { type, values, kind, arrayType } of cases) {
  test(`orderedColumn reads a ${String(type)} column as ${kind} ordinals`, (t) => {
    const batch = batchOf([{ name: "k", type, values }]);
    const column = orderedColumn(batch, "k");
    t.is(column.kind, kind);
    t.is(column.length, 3);
    t.deepEqual(Array.from(column.values), values);
    if (arrayType !== undefined) t.true(column.values instanceof (arrayType as typeof Int8Array));
    t.is(ordinalKindOf(type), kind);
  });
}

test("orderedColumn exposes the buffer of a one-chunk numeric column without copying", (t) => {
  const batch = batchOf([{ name: "ts", type: new TimestampNanosecond(), values: [1n, 2n, 3n] }]);
  const column = orderedColumn(batch, "ts");
  t.is((column.values as BigInt64Array).buffer, (batch.getChild("ts")!.data[0].values as BigInt64Array).buffer);
});

test("orderedColumn concatenates the chunks of a table", (t) => {
  const batch = batchOf([{ name: "ts", type: new Int64(), values: [1n, 2n, 3n, 4n, 5n] }]);
  const table = new Table([batch.slice(0, 2), batch.slice(2, 2), batch.slice(2)]);
  const column = orderedColumn(table, "ts");
  t.true(column.values instanceof BigInt64Array);
  t.deepEqual(Array.from(column.values), [1n, 2n, 3n, 4n, 5n]);
});

test("orderedColumn concatenates dictionary chunks with different dictionaries", (t) => {
  // One type object, so one dictionary id, as a table of batches with replacement dictionaries has.
  const type = new Dictionary(new Utf8(), new Int32());
  const a = batchOf([{ name: "s", type, values: ["a", "b"] }]);
  const b = batchOf([{ name: "s", type, values: ["c", "a", "d"] }]);
  const table = new Table(a.schema, [a, b.slice(1)]);
  t.deepEqual(orderedColumn(table, "s").values, ["a", "b", "a", "d"]);
});

const failures = [
  { title: "a missing column", values: [1, 2], name: "other", message: 'ordered column "other" not found' },
  { title: "a null", values: [1, 2, null], name: "k", message: 'null in ordered column "k" at row 3' },
  { title: "a NaN", values: [1, Number.NaN], name: "k", message: 'NaN in ordered column "k" at row 2' },
];
for (const { title, values, name, message } of failures) {
  test(`orderedColumn rejects ${title}`, (t) => {
    const batch = batchOf([{ name: "k", type: new Float64(), values }]);
    const error = t.throws(() => orderedColumn(batch, name), { instanceOf: OupsError });
    t.is(error?.code, "INVALID_ARGUMENT");
    t.is(error?.message, message);
  });
}

test("orderedColumn numbers a null by its row in the whole table", (t) => {
  const batch = batchOf([{ name: "s", type: new Utf8(), values: ["a", "b", "c", null, "e"] }]);
  const table = new Table([batch.slice(0, 2), batch.slice(2)]);
  const error = t.throws(() => orderedColumn(table, "s"), { instanceOf: OupsError });
  t.is(error?.message, 'null in ordered column "s" at row 4');
});

test("orderedColumn rejects a null in a dictionary column", (t) => {
  const batch = batchOf([{ name: "s", type: new Dictionary(new Utf8(), new Int16()), values: ["a", null] }]);
  const error = t.throws(() => orderedColumn(batch, "s"), { instanceOf: OupsError });
  t.is(error?.message, 'null in ordered column "s" at row 2');
});

test("orderedColumn rejects a type that cannot be ordered, naming column and type", (t) => {
  const batch = batchOf([{ name: "flag", type: new Bool(), values: [true] }]);
  const error = t.throws(() => orderedColumn(batch, "flag"), { instanceOf: OupsError });
  t.is(error?.code, "INVALID_ARGUMENT");
  t.is(error?.message, 'ordered column "flag" has unsupported type Bool');
});

test("ordinalKindOf has no kind for Float16, Bool and dictionaries of numbers", (t) => {
  t.is(ordinalKindOf(new Float16()), undefined);
  t.is(ordinalKindOf(new Bool()), undefined);
  t.is(ordinalKindOf(new Dictionary(new Int32(), new Int8())), undefined);
});

const units = [
  { type: new TimestampSecond(), unit: "s" },
  { type: new TimestampMillisecond(), unit: "ms" },
  { type: new TimestampMicrosecond("Europe/Paris"), unit: "us" },
  { type: new TimestampNanosecond(), unit: "ns" },
  { type: new Int64(), unit: undefined },
  { type: new DateMillisecond(), unit: undefined },
];
for (const { type, unit } of units) {
  test(`timeUnitOf gives ${String(unit)} for ${String(type)}`, (t) => {
    t.is(timeUnitOf(type), unit as ReturnType<typeof timeUnitOf>);
  });
}
