/**
 * A value of a dataset's `ordered_on` column, as the engine compares it: `bigint` for 64-bit integers and
 * timestamps (raw value in the column's unit), `number` for floats and narrower integers, `string` for text.
 * One dataset only ever holds one kind. Numbers and bigints are ordered by the built-in `<`; text is not (see
 * {@link compareText}): compare ordinals of unknown kind with {@link compareOrdinals}.
 */
export type Ordinal = number | bigint | string;

/** Which JavaScript type a dataset's ordinals have. */
export type OrdinalKind = "number" | "bigint" | "string";

/** Three-way comparison of two ordinals of the same kind: text by code point, numbers and bigints natively. */
export function compareOrdinals(a: Ordinal, b: Ordinal): number {
  if (typeof a === "string") return compareText(a, b as string);
  const y = b as number | bigint;
  return a < y ? -1 : a > y ? 1 : 0;
}

/**
 * Three-way comparison of two strings by Unicode code point, which is the order of their UTF-8 bytes: the order
 * of Arrow C++, pyarrow, DuckDB and Parquet statistics. JavaScript's `<` compares UTF-16 code units instead, which
 * puts a character above U+FFFF (a surrogate pair, units D800..DFFF) before U+E000..U+FFFF. Both orders agree up
 * to the first differing unit unless both units are at or above U+D800; only then is the unit remapped so that
 * surrogates sort above U+E000..U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  return x < y ? -1 : 1;
}

/** A UTF-16 unit at or above U+D800 ranked in code point order: surrogates (D800..DFFF) above E000..FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
