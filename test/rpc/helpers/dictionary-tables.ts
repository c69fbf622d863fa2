import type { Vector } from "apache-arrow";
import { Dictionary, Int32, Table, Utf8, makeData, makeVector, vectorFromArray } from "apache-arrow";

/**
 * Tables with three dictionary columns, for the dictionary-id tests: row `i` has `ts = i`, `a` and `b` cycling
 * through word lists, `px = i / 4`, and `c` null on every seventh row. Each table gets the dictionary ids it is
 * told to (`undefined`: the next of apache-arrow's per-process counter, as `tableFromArrays` does), or one
 * dictionary shared by `a` and `b` under one id, as the IPC format allows.
 */
export const COLUMNS = ["ts", "a", "px", "b", "c"] as const;

const A_WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"];
const B_WORDS = ["x", "y", "z"];
const C_WORDS = ["north", "south", "east", "west"];

/** The dictionary ids a table is built with. */
export type IdLayout = { kind: "ids"; a?: number; b?: number; c?: number } | { kind: "shared"; id: number };

/** Expected value of column `name` at row `i` of a table of this layout. */
export function valueAt(layout: IdLayout, name: (typeof COLUMNS)[number], i: number): unknown {
  switch (name) {
    case "ts":
      return BigInt(i);
    case "px":
      return i / 4;
    case "a":
      return A_WORDS[i % A_WORDS.length];
    case "b":
      return layout.kind === "shared" ? A_WORDS[(i + 2) % A_WORDS.length] : B_WORDS[i % B_WORDS.length];
    case "c":
      return i % 7 === 0 ? null : C_WORDS[(i * 3) % C_WORDS.length];
  }
}

/** A table of rows `rows` (ascending) in the given id layout. */
export function dictionaryTable(rows: readonly number[], layout: IdLayout): Table {
  const ts = makeVector(BigInt64Array.from(rows, BigInt));
  const px = makeVector(Float64Array.from(rows, (i) => i / 4));
  const text = (name: "a" | "b" | "c", id: number | undefined): Vector =>
    vectorFromArray(
      rows.map((i) => valueAt(layout, name, i) as string | null),
      new Dictionary(new Utf8(), new Int32(), id),
    );
  if (layout.kind === "shared") {
    // One dictionary vector and one type object for both columns: a single dictionary message serves them.
    const type = new Dictionary(new Utf8(), new Int32(), layout.id);
    const words = vectorFromArray(A_WORDS, new Utf8());
    const indices = (shift: number) => makeVector(makeData({ type, length: rows.length, nullCount: 0, data: Int32Array.from(rows, (i) => (i + shift) % A_WORDS.length), dictionary: words }));
    return new Table({ ts, a: indices(0), px, b: indices(2), c: text("c", undefined) });
  }
  return new Table({ ts, a: text("a", layout.a), px, b: text("b", layout.b), c: text("c", layout.c) });
}

/** The rows of `table` as plain values, column by column, for the columns asked for. */
export function valuesOf(table: Table, columns: readonly string[]): Record<string, unknown[]> {
  return Object.fromEntries(columns.map((name) => [name, [...(table.getChild(name) ?? [])].map((v) => v)]));
}

/** The expected rows `rows` of the given layout, column by column. */
export function expectedValues(layout: IdLayout, rows: readonly number[], columns: readonly string[]): Record<string, unknown[]> {
  return Object.fromEntries(columns.map((name) => [name, rows.map((i) => valueAt(layout, name as (typeof COLUMNS)[number], i))]));
}

/** Burns `count` ids of apache-arrow's per-process dictionary counter, as building that many tables would. */
export function burnDictionaryIds(count: number): void {
  for (let i = 0; i < count; i++) new Dictionary(new Utf8(), new Int32());
}

