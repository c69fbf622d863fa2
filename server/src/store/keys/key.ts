import { OupsError } from "../errors.js";
import type { IndexField, IndexSchema } from "./index-schema.js";

/**
 * A dataset key in wire form: one text value per schema field (`int` fields in canonical base-10).
 * Keys returned by this module are frozen and list their fields in schema order.
 */
export type Key = Readonly<Record<string, string>>;

/** Longest accepted key value, in UTF-16 code units. */
export const MAX_KEY_VALUE_LENGTH = 128;

// Most file systems cap one path component at 255 bytes; a level joining several long values could exceed it and
// only fail at write time, so it is rejected up front.
const MAX_DIR_NAME_BYTES = 255;

// `/` and `\` are path separators (POSIX, Windows): a value holding one would add directory levels or escape the
// store. `.` is banned outright: it rules out `.` and `..` (path traversal), keeps names clear of the engine's
// reserved dot-names (see layout.ts) and of extension tricks. \p{C} covers NUL (truncates C strings), the other C0
// and C1 controls and DEL (invisible, break terminals and logs), format characters such as zero-width spaces and
// bidi overrides (names that look equal but differ), lone surrogates (not encodable as UTF-8 file names),
// private-use and unassigned code points. Line and paragraph separators break line-based tools.
const FORBIDDEN_CHAR = /[/\\.\p{C}\p{Zl}\p{Zp}]/u;

// Canonical base-10: one spelling per number, so that a key has exactly one path. No leading zeros, no `+`,
// no `-0`.
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]*)$/;

function describeChar(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  if (char === "/" || char === "\\") return `the path separator "${char}"`;
  if (char === ".") return `"." (dots are not allowed, which also rules out "." and "..")`;
  return `the non-printable character ${hex}`;
}

/**
 * Why `value` is not a valid value for `field` (a phrase such as `is empty`), or undefined when it is valid.
 * Same rules as {@link validateKey}, for one value.
 */
export function keyValueProblem(field: IndexField, value: unknown, separator: string): string | undefined {
  if (typeof value !== "string") return `must be a string, got ${value === null ? "null" : typeof value}`;
  if (value.length === 0) return "is empty";
  if (value.length > MAX_KEY_VALUE_LENGTH) {
    return `is ${value.length} characters long, over the limit of ${MAX_KEY_VALUE_LENGTH}`;
  }
  // The separator splits a level's directory name back into values: a value holding it would not parse back.
  if (value.includes(separator)) {
    const hint =
      field.type === "int" && separator === "-" && value.startsWith("-")
        ? ` (negative integers need a field separator other than "-")`
        : "";
    return `contains the field separator "${separator}"${hint}`;
  }
  const bad = FORBIDDEN_CHAR.exec(value);
  if (bad !== null) return `contains ${describeChar(String.fromCodePoint(value.codePointAt(bad.index) ?? 0))}`;
  if (field.type === "int" && !(CANONICAL_INT.test(value) && Number.isSafeInteger(Number(value)))) {
    return "is not a canonical base-10 integer within the safe integer range (no leading zeros, no '+')";
  }
  return undefined;
}

function invalidKey(schema: IndexSchema, message: string): OupsError {
  return new OupsError("INVALID_KEY", `invalid key for index "${schema.name}": ${message}`);
}

function levelNameTooLong(name: string): boolean {
  // A UTF-8 code unit sequence is at most 3 bytes per UTF-16 code unit: skip the byte count when it cannot matter.
  return name.length * 3 > MAX_DIR_NAME_BYTES && Buffer.byteLength(name, "utf8") > MAX_DIR_NAME_BYTES;
}

/**
 * Checks a key against the schema and returns it normalized: a fresh frozen object with exactly the schema's
 * fields, in schema order. The schema is assumed valid (see `validateIndexSchema`).
 *
 * Every field must be present, no other field allowed; each value a non-empty string of at most
 * {@link MAX_KEY_VALUE_LENGTH} code units, without the field separator, `/`, `\`, `.`, control or other
 * non-printable characters; `int` values in canonical base-10 within the safe integer range.
 * @throws OupsError `INVALID_KEY` naming the field and the problem.
 */
export function validateKey(schema: IndexSchema, key: Readonly<Record<string, unknown>>): Key {
  if (typeof key !== "object" || key === null || Array.isArray(key)) throw invalidKey(schema, "expected an object");
  const result: Record<string, string> = {};
  let count = 0;
  for (const [levelIndex, level] of schema.levels.entries()) {
    for (const field of level) {
      if (!Object.hasOwn(key, field.name)) throw invalidKey(schema, `missing field "${field.name}"`);
      const value = key[field.name];
      const problem = keyValueProblem(field, value, schema.fieldSeparator);
      if (problem !== undefined) {
        throw invalidKey(schema, `field "${field.name}" value ${JSON.stringify(value)} ${problem}`);
      }
      result[field.name] = value as string;
      count++;
    }
    if (levelNameTooLong(levelDirName(schema, levelIndex, result))) {
      throw invalidKey(
        schema,
        `fields ${level.map((f) => `"${f.name}"`).join(", ")} make a directory name longer than ${MAX_DIR_NAME_BYTES} bytes`,
      );
    }
  }
  const props = Object.keys(key);
  if (props.length !== count) {
    const extra = props.find((prop) => !schema.levels.some((level) => level.some((f) => f.name === prop)));
    throw invalidKey(schema, `unknown field "${extra}"`);
  }
  return Object.freeze(result);
}

function levelDirName(schema: IndexSchema, levelIndex: number, key: Key): string {
  const level = schema.levels[levelIndex] ?? [];
  return level.map((field) => key[field.name]).join(schema.fieldSeparator);
}

function joinKeyPath(schema: IndexSchema, key: Key): string {
  return schema.levels.map((_, i) => levelDirName(schema, i, key)).join("/");
}

/**
 * Relative, `/`-separated directory path of a key: each level's values joined by the field separator, one
 * directory per level. Example: `{symbol: "AAPL", year: "2024", month: "3"}` with `symbol,year:int/month:int`
 * gives `AAPL-2024/3`.
 * @throws OupsError `INVALID_KEY` when the key is not valid (see {@link validateKey}).
 */
export function keyToPath(schema: IndexSchema, key: Key): string {
  return joinKeyPath(schema, validateKey(schema, key));
}

/**
 * Values of one level parsed from a directory name, in field order, or undefined when the name is not exactly
 * that level's values (wrong number of pieces, or any invalid value). Never throws.
 */
export function parseKeyLevel(schema: IndexSchema, levelIndex: number, dirName: string): string[] | undefined {
  const level = schema.levels[levelIndex];
  if (level === undefined || levelNameTooLong(dirName)) return undefined;
  const pieces = dirName.split(schema.fieldSeparator);
  if (pieces.length !== level.length) return undefined;
  for (const [i, field] of level.entries()) {
    if (keyValueProblem(field, pieces[i], schema.fieldSeparator) !== undefined) return undefined;
  }
  return pieces;
}

/**
 * Builds a frozen key from values listed in schema field order (as returned level by level by
 * {@link parseKeyLevel}). The values are not checked.
 */
export function keyFromValues(schema: IndexSchema, values: readonly string[]): Key {
  const result: Record<string, string> = {};
  let i = 0;
  for (const level of schema.levels) {
    for (const field of level) result[field.name] = values[i++] as string;
  }
  return Object.freeze(result);
}

/**
 * The key whose path is exactly `relPath` (as {@link keyToPath} writes it), or undefined. Strict: exact number of
 * directory levels, exact number of values per level, every value valid, and the path must round-trip. Never
 * throws.
 */
export function pathToKey(schema: IndexSchema, relPath: string): Key | undefined {
  const parts = relPath.split("/");
  if (parts.length !== schema.levels.length) return undefined;
  const values: string[] = [];
  for (const [levelIndex, part] of parts.entries()) {
    const pieces = parseKeyLevel(schema, levelIndex, part);
    if (pieces === undefined) return undefined;
    values.push(...pieces);
  }
  const key = keyFromValues(schema, values);
  return joinKeyPath(schema, key) === relPath ? key : undefined;
}

/** Canonical string identity of a key (its path), for use as a map key or queue key. */
export function keyId(schema: IndexSchema, key: Key): string {
  return keyToPath(schema, key);
}

/**
 * Orders two valid keys field by field, top level first: `int` fields numerically, `string` fields by UTF-16
 * code unit. Returns a negative number, zero or a positive number.
 */
export function compareKeys(schema: IndexSchema, a: Key, b: Key): number {
  for (const level of schema.levels) {
    for (const field of level) {
      const x = a[field.name] as string;
      const y = b[field.name] as string;
      if (x === y) continue;
      if (field.type === "int") return Number(x) - Number(y);
      return x < y ? -1 : 1;
    }
  }
  return 0;
}
