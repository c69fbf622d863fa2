import test from "ava";
import { Dictionary, Float64, Int16, Int32, Int64, Int8, Uint32, Utf8, makeData, vectorFromArray } from "apache-arrow";
import { rowCodes } from "../../../server/src/store/arrow/row-equality.js";
import { batchOf } from "./arrow-fixtures.js";

/** Whether codes equal exactly where the values are equal, over every pair of rows. */
function codesMatch(codes: Int32Array, values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) if ((codes[i] === codes[j]) !== (values[i] === values[j])) return false;
  }
  return true;
}

test("a dictionary's codes are equal exactly for equal strings, even from repeated entries, and nulls share one", (t) => {
  // Entries 0 and 2 hold the same string; entry 3 is null.
  const dictionary = vectorFromArray(["a", "b", "a", null], new Utf8());
  const indices = Int32Array.of(0, 2, 1, 3, 2, 1);
  const data = makeData({ type: new Dictionary(new Utf8(), new Int32()), length: 6, data: indices, dictionary });
  const codes = rowCodes("sym", data)!;
  t.true(codesMatch(codes, ["a", "a", "b", null, "a", "b"]));
});

for (const [name, type, values] of [
  ["Int8", new Int8(), [-1, 1, -1, 0]],
  ["Int16", new Int16(), [300, -300, 300, 0]],
  ["Uint32", new Uint32(), [4_000_000_000, 1, 4_000_000_000, 2_147_483_648]],
] as const) {
  test(`${name} rows without nulls have codes equal exactly for equal values`, (t) => {
    const batch = batchOf([{ name: "v", type, values: [...values] }]);
    const data = batch.getChild("v")!.data[0]!;
    // batchOf marks no row null, but Arrow counts nulls lazily: the column must report none.
    t.is(data.nullCount, 0);
    t.true(codesMatch(rowCodes("v", data)!, [...values]));
  });
}

test("floats, 64-bit integers and nullable integers have no codes", (t) => {
  t.is(rowCodes("f", batchOf([{ name: "f", type: new Float64(), values: [1, 2] }]).getChild("f")!.data[0]!), undefined);
  t.is(rowCodes("i", batchOf([{ name: "i", type: new Int64(), values: [1n, 2n] }]).getChild("i")!.data[0]!), undefined);
  t.is(rowCodes("n", batchOf([{ name: "n", type: new Int32(), values: [1, null] }]).getChild("n")!.data[0]!), undefined);
});
