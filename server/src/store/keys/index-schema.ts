import { OupsError } from "../errors.js";

/** Type of one key field. Keys travel as text either way; `int` fields hold canonical base-10 integers. */
export type IndexFieldType = "string" | "int";

/** One field of a dataset key. */
export interface IndexField {
  name: string;
  type: IndexFieldType;
}

/**
 * Shape of the keys of a store: `levels[0]` are the top-level fields, each further entry one nested sublevel.
 * Each level is one directory level on disk, its values joined by `fieldSeparator`.
 * This plain object is also the persisted form (JSON).
 */
export interface IndexSchema {
  name: string;
  fieldSeparator: string;
  levels: IndexField[][];
}

/** Field separator used when a schema or spec does not give one. */
export const DEFAULT_FIELD_SEPARATOR = "-";

/**
 * Characters allowed as field separator. None of them is special to shells, path syntax or globs on the usual
 * platforms, and none is `.` (which must stay out of names, see key.ts).
 */
export const FIELD_SEPARATORS: readonly string[] = ["-", "_", "~", "+", "=", ",", "@"];

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_SCHEMA_NAME_LENGTH = 128;
const SCHEMA_KEYS = new Set(["name", "fieldSeparator", "levels"]);
const FIELD_KEYS = new Set(["name", "type"]);

function invalid(message: string): OupsError {
  return new OupsError("INVALID_ARGUMENT", `invalid index schema: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rejectUnknownProperties(value: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const prop of Object.keys(value)) {
    if (!allowed.has(prop)) throw invalid(`unknown property "${prop}" in ${where}`);
  }
}

/**
 * Checks an index schema (typically parsed from JSON) and returns a fresh normalized copy with only the known
 * properties and the default separator filled in.
 *
 * Rules: a non-empty `name`; `fieldSeparator` one of {@link FIELD_SEPARATORS} (default `-`); at least one level;
 * each level at least one field; field names unique across levels, matching `/^[A-Za-z_][A-Za-z0-9_]{0,63}$/` and not
 * `__proto__`; field types `"string"` or `"int"`; no unknown properties.
 * @throws OupsError `INVALID_ARGUMENT` naming the problem.
 */
export function validateIndexSchema(input: unknown): IndexSchema {
  if (!isPlainObject(input)) throw invalid("expected an object");
  rejectUnknownProperties(input, SCHEMA_KEYS, "schema");
  const { name, fieldSeparator = DEFAULT_FIELD_SEPARATOR, levels } = input;
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_SCHEMA_NAME_LENGTH) {
    throw invalid(`"name" must be a non-empty string of at most ${MAX_SCHEMA_NAME_LENGTH} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject control characters.
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid(`"name" contains a control character`);
  if (typeof fieldSeparator !== "string" || !FIELD_SEPARATORS.includes(fieldSeparator)) {
    throw invalid(
      `field separator ${JSON.stringify(fieldSeparator)} is not one of ${FIELD_SEPARATORS.map((s) => `"${s}"`).join(" ")}`,
    );
  }
  if (!Array.isArray(levels) || levels.length === 0) throw invalid(`"levels" must be a non-empty array of levels`);
  const seen = new Set<string>();
  const normalized: IndexField[][] = levels.map((level: unknown, levelIndex) => {
    if (!Array.isArray(level) || level.length === 0) {
      throw invalid(`level ${levelIndex} must be a non-empty array of fields`);
    }
    return level.map((field: unknown): IndexField => {
      if (!isPlainObject(field)) throw invalid(`level ${levelIndex} holds a field that is not an object`);
      rejectUnknownProperties(field, FIELD_KEYS, `a field of level ${levelIndex}`);
      const { name: fieldName, type } = field;
      if (typeof fieldName !== "string" || !FIELD_NAME.test(fieldName)) {
        throw invalid(
          `field name ${JSON.stringify(fieldName)} in level ${levelIndex} must match /^[A-Za-z_][A-Za-z0-9_]{0,63}$/`,
        );
      }
      // A key is a plain object indexed by field name: "__proto__" would reach the prototype on assignment.
      if (fieldName === "__proto__") throw invalid(`field name "__proto__" is reserved`);
      if (seen.has(fieldName)) throw invalid(`field name "${fieldName}" is used more than once`);
      seen.add(fieldName);
      if (type !== "string" && type !== "int") {
        throw invalid(`field "${fieldName}" has type ${JSON.stringify(type)}, expected "string" or "int"`);
      }
      return { name: fieldName, type };
    });
  });
  return { name, fieldSeparator, levels: normalized };
}

/**
 * Parses the CLI form of an index schema: fields separated by `,`, levels by `/`, each field an optional
 * `:int` or `:string` type suffix (default string). Example: `"symbol,year:int/month:int"`.
 * Whitespace around a field is ignored; empty fields or levels are errors.
 * @throws OupsError `INVALID_ARGUMENT` naming the problem.
 */
export function parseIndexSpec(
  spec: string,
  name = "index",
  fieldSeparator: string = DEFAULT_FIELD_SEPARATOR,
): IndexSchema {
  const levels = spec.split("/").map((level, levelIndex) =>
    level.split(",").map((token) => {
      const text = token.trim();
      if (text.length === 0) {
        throw new OupsError(
          "INVALID_ARGUMENT",
          `invalid index spec ${JSON.stringify(spec)}: empty field in level ${levelIndex}`,
        );
      }
      const colon = text.indexOf(":");
      if (colon === -1) return { name: text, type: "string" };
      const type = text.slice(colon + 1).trim();
      if (type !== "int" && type !== "string") {
        throw new OupsError(
          "INVALID_ARGUMENT",
          `invalid index spec ${JSON.stringify(spec)}: field "${text}" has type "${type}", expected "int" or "string"`,
        );
      }
      return { name: text.slice(0, colon).trim(), type };
    }),
  );
  return validateIndexSchema({ name, fieldSeparator, levels });
}

/** True when both schemas have the same name, separator, levels, field names and field types, in the same order. */
export function indexSchemasEqual(a: IndexSchema, b: IndexSchema): boolean {
  if (a.name !== b.name || a.fieldSeparator !== b.fieldSeparator || a.levels.length !== b.levels.length) return false;
  return a.levels.every((level, i) => {
    const other = b.levels[i];
    return (
      other !== undefined &&
      level.length === other.length &&
      level.every((field, j) => field.name === other[j]?.name && field.type === other[j]?.type)
    );
  });
}

/** Names of all fields, top level first, in declaration order. */
export function indexFieldNames(schema: IndexSchema): string[] {
  return schema.levels.flatMap((level) => level.map((field) => field.name));
}
