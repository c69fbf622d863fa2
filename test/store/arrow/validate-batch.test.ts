import test from "ava";
import {
  Binary,
  Bool,
  Data,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float64,
  Int8,
  Int32,
  Int64,
  IntervalDayTime,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import type { DataType } from "apache-arrow";
import { validateBatch } from "../../../server/src/store/arrow/validate-batch.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { batchOf, sampleColumns } from "./arrow-fixtures.js";

/** A batch of one column `c` made of `data`. */
function batchOfData(data: Data, name = "c"): RecordBatch {
  const fields = [new Field(name, data.type, true)];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: data.length, nullCount: 0, children: [data] }));
}

/** Data built straight from its buffers, bypassing makeData's defaults: what the IPC reader makes of a lying header. */
function raw(type: DataType, length: number, nullCount: number, buffers: { offsets?: Int32Array | BigInt64Array; values?: ArrayLike<unknown>; bitmap?: Uint8Array }, children: Data[] = [], dictionary?: Vector): Data {
  // Data's constructor takes its buffers as [offsets, values, validity, typeIds].
  const list = [buffers.offsets, buffers.values, buffers.bitmap] as unknown as ConstructorParameters<typeof Data>[4];
  return new Data(type, 0, length, nullCount, list, children, dictionary);
}

function assertInvalid(t: import("ava").ExecutionContext, batch: RecordBatch, message: RegExp, index = 0): void {
  const err = t.throws(() => validateBatch(batch, index), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", message);
}

const utf8 = (values: (string | null)[]) => vectorFromArray(values, new Utf8()).data[0]!;

test("every sample column type, with nulls, passes; so does a slice of it at a non-zero offset", (t) => {
  const batch = batchOf(sampleColumns);
  t.notThrows(() => validateBatch(batch, 0));
  t.notThrows(() => validateBatch(batch.slice(3, 6), 1));
  t.notThrows(() => validateBatch(batch.slice(1, 2), 2));
});

test("nested, binary, decimal, interval and empty columns pass", (t) => {
  const cases: Data[] = [
    vectorFromArray([[1], null, [2, 3], []], new List(new Field("item", new Int32(), true))).data[0]!,
    vectorFromArray([[1n], [2n, 3n]], new LargeList(new Field("item", new Int64(), true))).data[0]!,
    vectorFromArray([[1, 2], null, [5, 6]], new FixedSizeList(2, new Field("item", new Int32(), true))).data[0]!,
    vectorFromArray([{ a: 1, b: "x" }, null, { a: 3, b: null }], new Struct([new Field("a", new Int32(), true), new Field("b", new Utf8(), true)])).data[0]!,
    vectorFromArray([new Map([["k", 1]]), new Map()], new Map_<Utf8, Int32>(new Field("entries", new Struct<{ key: Utf8; value: Int32 }>([new Field("key", new Utf8(), false), new Field("value", new Int32(), true)]), false))).data[0]!,
    vectorFromArray([Uint8Array.of(0xff, 0xfe), null, Uint8Array.of()], new Binary()).data[0]!,
    vectorFromArray([Uint8Array.of(0xff), Uint8Array.of(1)], new LargeBinary()).data[0]!,
    vectorFromArray(["é", null, "日本", ""], new LargeUtf8()).data[0]!,
    vectorFromArray(["a", "b", "a", null], new Dictionary(new Utf8(), new Int8())).data[0]!,
    makeData({ type: new Decimal(2, 10, 128), length: 3, data: new Uint32Array(12) }),
    makeData({ type: new FixedSizeBinary(3), length: 2, data: new Uint8Array(6) }),
    makeData({ type: new IntervalDayTime(), length: 2, data: new Int32Array(4) }),
    makeData({ type: new Null(), length: 5 }),
    utf8([]),
  ];
  for (const data of cases) t.notThrows(() => validateBatch(batchOfData(data), 0), String(data.type));
});

test("a fixed-width column whose values buffer is shorter than its rows names the batch and column", (t) => {
  const data = raw(new Float64(), 100, 0, { values: new Float64Array(50) });
  assertInvalid(t, batchOfData(data, "price"), /^batch 3, column "price": values buffer holds 50 of its 100 rows/, 3);
});

test("a decimal or fixed-size binary column is measured in its own width", (t) => {
  assertInvalid(t, batchOfData(raw(new Decimal(2, 10, 128), 3, 0, { values: new Uint32Array(11) })), /holds 2 of its 3 rows/);
  assertInvalid(t, batchOfData(raw(new FixedSizeBinary(4), 2, 0, { values: new Uint8Array(7) })), /holds 1 of its 2 rows/);
});

test("a boolean column needs one bit per row", (t) => {
  assertInvalid(t, batchOfData(raw(new Bool(), 17, 0, { values: new Uint8Array(2) })), /values buffer holds 2 of its 3 bytes/);
});

test("a validity bitmap shorter than the rows is refused", (t) => {
  const data = raw(new Int32(), 20, 1, { values: new Int32Array(20), bitmap: new Uint8Array(2).fill(0xfe) });
  assertInvalid(t, batchOfData(data), /validity bitmap holds 16 of its 20 rows/);
});

test("a null count beyond the rows, without a bitmap, or disagreeing with the bitmap is refused", (t) => {
  const bitmap = Uint8Array.of(0b1111_0111, 0xff);
  assertInvalid(t, batchOfData(raw(new Int32(), 8, 9, { values: new Int32Array(8), bitmap })), /null count 9 exceeds its 8 rows/);
  assertInvalid(t, batchOfData(raw(new Int32(), 8, 2, { values: new Int32Array(8) })), /null count 2 but no validity bitmap/);
  assertInvalid(t, batchOfData(raw(new Int32(), 8, 3, { values: new Int32Array(8), bitmap })), /null count 3 but its validity bitmap has 1 nulls/);
});

test("string offsets: too few, negative, decreasing, or past the values are refused", (t) => {
  const values = new TextEncoder().encode("abcdef");
  const of = (...o: number[]) => raw(new Utf8(), o.length - 1, 0, { offsets: Int32Array.from(o), values });
  assertInvalid(t, batchOfData(raw(new Utf8(), 3, 0, { offsets: Int32Array.of(0, 1), values })), /offsets buffer holds 2 of its 4 offsets/);
  assertInvalid(t, batchOfData(of(-1, 2, 3)), /offset of row 0 is negative/);
  assertInvalid(t, batchOfData(of(0, 4, 2, 6)), /offsets decrease at row 2: 2 after 4/);
  assertInvalid(t, batchOfData(of(0, 2, 7)), /last offset 7 is past its 6 bytes of values/);
  t.notThrows(() => validateBatch(batchOfData(of(0, 2, 2, 6)), 0));
});

test("64-bit offsets are checked the same way", (t) => {
  const values = new Uint8Array(6);
  const of = (...o: bigint[]) => raw(new LargeBinary(), o.length - 1, 0, { offsets: BigInt64Array.from(o), values });
  assertInvalid(t, batchOfData(of(0n, 4n, 2n)), /offsets decrease at row 2/);
  assertInvalid(t, batchOfData(of(0n, 2n ** 40n)), /last offset 1099511627776 is past its 6 bytes/);
  assertInvalid(t, batchOfData(of(-(2n ** 33n), 0n)), /offset of row 0 is negative/);
  t.notThrows(() => validateBatch(batchOfData(of(0n, 6n)), 0));
});

test("text that is not UTF-8, or a value cut inside a character, is refused; the same bytes as binary pass", (t) => {
  const bad = raw(new Utf8(), 2, 0, { offsets: Int32Array.of(0, 1, 2), values: Uint8Array.of(0x61, 0xff) });
  assertInvalid(t, batchOfData(bad), /value at row 2 is not valid UTF-8/);
  // "é" is two bytes: cut between them, each value alone is invalid though the whole buffer is valid.
  const cut = raw(new Utf8(), 2, 0, { offsets: Int32Array.of(0, 1, 2), values: new TextEncoder().encode("é") });
  assertInvalid(t, batchOfData(cut), /value at row 1 is not valid UTF-8/);
  t.notThrows(() => validateBatch(batchOfData(raw(new Binary(), 2, 0, { offsets: Int32Array.of(0, 1, 2), values: Uint8Array.of(0x61, 0xff) })), 0));
});

test("a dictionary column without a dictionary, or with an index outside it, is refused", (t) => {
  const type = new Dictionary(new Utf8(), new Int32());
  const dictionary = new Vector([utf8(["a", "b"])]);
  assertInvalid(t, batchOfData(raw(type, 2, 0, { values: Int32Array.of(0, 1) }), "symbol"), /column "symbol": dictionary-encoded, but no dictionary batch/);
  assertInvalid(t, batchOfData(raw(type, 3, 0, { values: Int32Array.of(0, 1, 2) }, [], dictionary)), /dictionary index 2 at row 3 is outside the dictionary's 2 values/);
  assertInvalid(t, batchOfData(raw(type, 2, 0, { values: Int32Array.of(-1, 0) }, [], dictionary)), /dictionary index -1 at row 1/);
  assertInvalid(t, batchOfData(raw(type, 3, 0, { values: Int32Array.of(0, 1) }, [], dictionary)), /indices buffer holds 2 of its 3 rows/);
});

test("an out-of-range index in a null slot is accepted: a null's index means nothing", (t) => {
  const type = new Dictionary(new Utf8(), new Int32());
  const dictionary = new Vector([utf8(["a", "b"])]);
  const data = raw(type, 3, 1, { values: Int32Array.of(0, 99, 1), bitmap: Uint8Array.of(0b101) }, [], dictionary);
  t.notThrows(() => validateBatch(batchOfData(data), 0));
});

test("indices of every width are checked, 64-bit ones included", (t) => {
  const dictionary = new Vector([utf8(["a", "b"])]);
  // Arrow's typings stop at 32-bit indices; the IPC format and reader allow 64-bit ones.
  const wide = raw(new Dictionary(new Utf8(), new Int64() as unknown as Int32), 2, 0, { values: BigInt64Array.of(1n, 2n ** 32n) }, [], dictionary);
  assertInvalid(t, batchOfData(wide), /dictionary index 4294967296 at row 2/);
  const narrow = raw(new Dictionary(new Utf8(), new Int8()), 2, 0, { values: Int8Array.of(1, -3) }, [], dictionary);
  assertInvalid(t, batchOfData(narrow), /dictionary index -3 at row 2/);
});

test("a malformed dictionary is refused as part of its column", (t) => {
  const values = raw(new Utf8(), 2, 0, { offsets: Int32Array.of(0, 3, 1), values: new Uint8Array(3) });
  const data = raw(new Dictionary(new Utf8(), new Int32()), 1, 0, { values: Int32Array.of(0) }, [], new Vector([values]));
  assertInvalid(t, batchOfData(data, "symbol"), /column "symbol" \(dictionary\): offsets decrease/);
});

test("a struct child of another length than its struct is refused, naming the child", (t) => {
  const a = makeData({ type: new Int32(), length: 2, data: new Int32Array(2) });
  const type = new Struct([new Field("a", new Int32(), true)]);
  assertInvalid(t, batchOfData(raw(type, 3, 0, {}, [a]), "s"), /column "s\.a": 2 rows, but its struct has 3/);
});

test("list offsets past the child's rows, and a fixed-size list child of the wrong length, are refused", (t) => {
  const item = makeData({ type: new Int32(), length: 3, data: new Int32Array(3) });
  const list = new List(new Field("item", new Int32(), true));
  assertInvalid(t, batchOfData(raw(list, 2, 0, { offsets: Int32Array.of(0, 2, 5) }, [item]), "l"), /column "l": last offset 5 is past its 3 child rows/);
  const fixed = new FixedSizeList(2, new Field("item", new Int32(), true));
  assertInvalid(t, batchOfData(raw(fixed, 2, 0, {}, [item]), "f"), /column "f\.item": 3 rows, but 2 lists of 2 need 4/);
  const deep = raw(new Int32(), 3, 0, { values: new Int32Array(1) });
  assertInvalid(t, batchOfData(raw(list, 1, 0, { offsets: Int32Array.of(0, 3) }, [deep]), "l"), /column "l\.item": values buffer holds 1 of its 3 rows/);
});

test("a map with a null key is refused", (t) => {
  const entries = new Struct([new Field("key", new Utf8(), false), new Field("value", new Int32(), true)]);
  const keys = utf8(["a", null]);
  const child = makeData({ type: entries, length: 2, nullCount: 0, children: [keys, makeData({ type: new Int32(), length: 2, data: new Int32Array(2) })] });
  const map = new Map_(new Field("entries", entries, false));
  assertInvalid(t, batchOfData(raw(map, 1, 0, { offsets: Int32Array.of(0, 2) }, [child]), "m"), /column "m\.entries\.key": map keys must not be null/);
});

test("a batch whose columns are not the stream's is refused when the stream's schema is given", (t) => {
  const batch = batchOfData(utf8(["a"]), "name");
  const expected = new Schema([new Field("name", new Int32(), true)]);
  const err = t.throws(() => validateBatch(batch, 4, expected), { instanceOf: OupsError });
  t.is(err?.message, 'batch 4 does not have the stream\'s columns: column "name": expected Int32, got Utf8');
  t.notThrows(() => validateBatch(batch, 4, new Schema([new Field("name", new Utf8(), false)])));
});
