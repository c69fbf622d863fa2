import { Dictionary, Field, Float32, Float64, Int32, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from "apache-arrow";
import type { Data, DataType, Table } from "apache-arrow";

/** The column kinds of the schema-evolution tests: what a column is written as, and what the model keeps. */
export type EvolvingKind = "i32" | "i64" | "f32" | "f64" | "utf8" | "dict";

/** The kinds a write may add. */
export const EVOLVING_KINDS: readonly EvolvingKind[] = ["i32", "i64", "f32", "f64", "utf8", "dict"];

/** The wider kind a column of `kind` may be widened to, if any. */
export function widerKind(kind: EvolvingKind): EvolvingKind | undefined {
  return kind === "i32" ? "i64" : kind === "f32" ? "f64" : undefined;
}

/** The Arrow type of a kind. */
export function arrowTypeOf(kind: EvolvingKind): DataType {
  switch (kind) {
    case "i32":
      return new Int32();
    case "i64":
      return new Int64();
    case "f32":
      return new Float32();
    case "f64":
      return new Float64();
    case "utf8":
      return new Utf8();
    case "dict":
      return new Dictionary(new Utf8(), new Int32());
  }
}

/** A cell as the model keeps it: a number (any numeric kind, exact in float32), a string, or null. */
export type EvolvingCell = number | string | null;

/** A cell of `kind` as Arrow takes it (int64 as bigint). */
function toArrow(kind: EvolvingKind, value: EvolvingCell): unknown {
  if (value === null) return null;
  return kind === "i64" ? BigInt(value) : value;
}

/** One column of a batch to write: its name, kind, nullability and cells. */
export interface EvolvingColumn {
  name: string;
  kind: EvolvingKind;
  nullable: boolean;
  values: readonly EvolvingCell[];
}

/** A record batch of `columns` (in that order) with exactly the given nullability (Arrow's Table would infer it). */
export function evolvingBatch(columns: readonly EvolvingColumn[]): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, arrowTypeOf(c.kind), c.nullable));
  const length = columns[0]?.values.length ?? 0;
  const children = columns.map((c) => {
    // vectorFromArray's overloads tie the value type to the data type statically; the kinds make them agree here.
    const vector = (vectorFromArray as unknown as (values: unknown[], type: DataType) => { data: Data[] })(
      c.values.map((v) => toArrow(c.kind, v)),
      arrowTypeOf(c.kind),
    );
    return vector.data[0]!;
  });
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length, nullCount: 0, children }));
}

/** A read cell in the comparable form of {@link normalCell}: bigints and numbers told apart. */
export function readCell(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return `i64:${value}`;
  if (typeof value === "number") return `num:${value}`;
  return `str:${String(value)}`;
}

/** A model cell as a column of `kind` reads it back (int64 as bigint, other numbers as numbers). */
export function normalCell(kind: EvolvingKind, value: EvolvingCell): string {
  if (value === null) return "null";
  if (kind === "i64") return `i64:${value}`;
  if (kind === "utf8" || kind === "dict") return `str:${value}`;
  return `num:${value}`;
}

/** The rows of a read table, each cell in {@link readCell} form, columns in the table's order. */
export function readRows(table: Table): string[][] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => table.getChild(name)!);
  const rows: string[][] = [];
  for (let i = 0; i < table.numRows; i++) rows.push(columns.map((c) => readCell(c.get(i))));
  return rows;
}
