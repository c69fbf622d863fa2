/**
 * A value of a dataset's `ordered_on` column, as the engine compares it: `bigint` for 64-bit integers and
 * timestamps (raw value in the column's unit), `number` for floats and narrower integers, `string` for text.
 * One dataset only ever holds one kind, so the built-in `<` orders them.
 */
export type Ordinal = number | bigint | string;

/** Which JavaScript type a dataset's ordinals have. */
export type OrdinalKind = "number" | "bigint" | "string";

/** Three-way comparison of two ordinals of the same kind. */
export function compareOrdinals(a: Ordinal, b: Ordinal): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
