/** The type of an index field: text, or an integer (sent in canonical base-10 form). */
export type IndexFieldType = "string" | "int";

/** An index schema as the daemon knows it: toplevel fields first, then one nested level per sublevel. */
export interface IndexSchemaDescription {
  name: string;
  fieldSeparator: string;
  levels: { name: string; type: IndexFieldType }[][];
}

/** Field declarations of one level: field name → type, in path order. */
export type LevelFields = Readonly<Record<string, IndexFieldType>>;

type FieldValue<T extends IndexFieldType> = T extends "int" ? number | bigint : string;

/** The key object of a declaration: every field of every level, each with its declared type. */
export type KeyOf<L extends readonly LevelFields[]> = Simplify<
  UnionToIntersection<{ [I in keyof L]: { readonly [K in keyof L[I] & string]: FieldValue<L[I][K] & IndexFieldType> } }[number]>
>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Key fields as sent on the wire: field name → text. */
export type KeyFields = Readonly<Record<string, string>>;

declare const declaredBy: unique symbol;

/**
 * A key built by {@link IndexDeclaration.key}: its wire fields, marked (for the type checker only: nothing is added
 * at run time) as checked against the declaration `L`, so that typed APIs accept it and refuse unchecked objects.
 */
export type DeclaredKey<L extends readonly LevelFields[]> = KeyFields & { readonly [declaredBy]: L };

/** A declared index: its schema, and typed key construction. */
export interface IndexDeclaration<L extends readonly LevelFields[]> {
  readonly schema: IndexSchemaDescription;
  /** Builds a key, checking at compile time that every field is present with its type. */
  key(fields: KeyOf<L>): DeclaredKey<L>;
  /** Parses wire fields (from `listKeys`) back into a typed key. */
  parse(fields: KeyFields): KeyOf<L>;
}

/**
 * Declares an index schema like the original oups `@toplevel` class: `toplevel("DataIndex", { symbol: "string",
 * year: "string" })`, with nested levels as further arguments (`toplevel("I", { symbol: "string" }, { month: "int" })`:
 * `AAPL/3`). TypeScript then catches a missing or misspelled field in `key()`.
 */
export function toplevel<const L extends readonly LevelFields[]>(
  name: string,
  ...levelsAndOptions: [...L] | [...L, { fieldSeparator: string }]
): IndexDeclaration<L> {
  const last = levelsAndOptions.at(-1) as LevelFields | { fieldSeparator: string } | undefined;
  const hasOptions = last !== undefined && typeof (last as { fieldSeparator?: unknown }).fieldSeparator === "string" && Object.keys(last).length === 1;
  const levels = (hasOptions ? levelsAndOptions.slice(0, -1) : levelsAndOptions) as unknown as L;
  const schema: IndexSchemaDescription = {
    name,
    fieldSeparator: hasOptions ? (last as { fieldSeparator: string }).fieldSeparator : "-",
    levels: levels.map((level) => Object.entries(level).map(([field, type]) => ({ name: field, type }))),
  };
  const fields = schema.levels.flat();
  return {
    schema,
    key(values) {
      const record = values as Readonly<Record<string, string | number | bigint>>;
      const out: Record<string, string> = {};
      for (const field of fields) {
        const value = record[field.name];
        if (value === undefined) throw new TypeError(`${name}: missing key field "${field.name}"`);
        out[field.name] = String(value);
      }
      return out as DeclaredKey<L>;
    },
    parse(wire) {
      const out: Record<string, string | number> = {};
      for (const field of fields) {
        const text = wire[field.name];
        if (text === undefined) throw new TypeError(`${name}: key has no field "${field.name}"`);
        out[field.name] = field.type === "int" ? Number(text) : text;
      }
      return out as KeyOf<L>;
    },
  };
}

/** True when two schemas describe the same paths (same names, types, levels and separator; the name aside). */
export function sameIndexLayout(a: IndexSchemaDescription, b: IndexSchemaDescription): boolean {
  return (
    a.fieldSeparator === b.fieldSeparator &&
    a.levels.length === b.levels.length &&
    a.levels.every(
      (level, i) =>
        level.length === b.levels[i]!.length &&
        level.every((f, j) => f.name === b.levels[i]![j]!.name && f.type === b.levels[i]![j]!.type),
    )
  );
}
