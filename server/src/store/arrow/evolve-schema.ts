import { Field, Schema, Type } from "apache-arrow";
import { OupsError } from "../errors.js";
import { isWidening, withType } from "./conform-batch.js";
import { columnConversion } from "./column-conversion.js";
import { storedTypeOf } from "./logical-type.js";
import { sameType } from "./same-type.js";
import { withCanonicalDictionaryIds } from "./canonical-dictionary-ids.js";

/** How a write may change its dataset's schema: not at all, or by adding nullable columns and widening types. */
export type SchemaEvolution = "none" | "add-columns";

/** What a write's schema makes of its dataset's. */
export interface EvolvedSchema {
  /** The dataset's schema after the write: `current` itself when it does not change. */
  readonly schema: Schema;
  /** Columns the write adds (appended to the schema, in the write's order). */
  readonly added: readonly string[];
  /** Columns whose type the write widens (int32 to int64, float32 to float64). */
  readonly widened: readonly string[];
}

/** The hint a refusal gives when the option would have made the write acceptable. */
export const SCHEMA_EVOLUTION_HINT =
  "to add nullable columns or widen int32/float32 columns, write with schema_evolution ADD_COLUMNS " +
  '(Node SDK: { schemaEvolution: "add-columns" }, CLI: --schema-evolution add-columns, Python: schema_evolution="add_columns")';

/**
 * Checks the schema of a write (`incoming`) against its dataset's (`current`) and says what the dataset's schema
 * becomes. Always accepted: the columns of `current` in its order, each of the same type (nullability and dictionary
 * ids aside), with nullable columns left out (they are filled with nulls). With `add-columns`, also: columns
 * `current` lacks, each nullable (appended at the end), and int32/float32 columns written as int64/float64 (the
 * dataset's type becomes the wider one; rows stored before are widened as they are read). The ordered column must
 * be there and keep its type (row-group bounds are kept in its type).
 * @throws OupsError `SCHEMA_MISMATCH` listing every difference otherwise, with a hint at the option when it alone
 * would have made the write acceptable.
 */
export function evolveSchema(current: Schema, incoming: Schema, orderedOn: string, evolution: SchemaEvolution): EvolvedSchema {
  const allowed = evolution === "add-columns";
  const refused: string[] = [];
  // Differences the option would accept: reported (with the hint) when it is off.
  const optional: string[] = [];
  const byName = new Map(incoming.fields.map((field) => [field.name, field]));
  const widened: string[] = [];
  const fields: Field[] = [];
  for (const field of current.fields) {
    const other = byName.get(field.name);
    if (other === undefined) {
      if (field.name === orderedOn) refused.push(`missing column "${field.name}" (the ordered column)`);
      else if (!isNullable(field)) refused.push(`missing column "${field.name}" (not nullable, so it cannot be filled with nulls)`);
      fields.push(field);
    } else if (sameType(field.type, other.type) || convertible(field, other)) {
      fields.push(field);
    } else if (isWidening(field.type, other.type) && field.name !== orderedOn) {
      if (allowed) widened.push(field.name);
      else optional.push(`column "${field.name}": expected ${String(field.type)}, got ${String(other.type)} (a widening)`);
      fields.push(withType(field, other.type));
    } else {
      const why = isWidening(field.type, other.type) ? " (the ordered column keeps its type)" : isWidening(other.type, field.type) ? " (a narrowing)" : "";
      const conversion = columnConversion(field.name, other.type, field.type);
      // The conversion's own reason says how to fix the write where it knows (a time zone, say).
      refused.push(why === "" && conversion.kind === "refused" ? conversion.reason : `column "${field.name}": expected ${String(field.type)}, got ${String(other.type)}${why}`);
      fields.push(field);
    }
  }
  const currentNames = new Set(current.fields.map((field) => field.name));
  const added: string[] = [];
  for (const field of incoming.fields) {
    if (currentNames.has(field.name)) continue;
    if (!isNullable(field)) refused.push(`${allowed ? "new" : "extra"} column "${field.name}" is not nullable: a column added to a dataset must be (its rows stored before read as nulls)`);
    else if (allowed) added.push(field.name);
    else optional.push(`extra column "${field.name}"`);
    fields.push(storedFieldOf(field));
  }
  const currentOrder = current.fields.map((field) => field.name).filter((name) => byName.has(name));
  const incomingOrder = incoming.fields.map((field) => field.name).filter((name) => currentNames.has(name));
  if (currentOrder.some((name, i) => name !== incomingOrder[i])) {
    const list = (names: string[]) => names.map((name) => `"${name}"`).join(", ");
    refused.push(`columns in another order: expected ${list(currentOrder)}, got ${list(incomingOrder)}`);
  }
  const differences = [...refused, ...optional];
  if (differences.length > 0) {
    const hint = refused.length === 0 ? `; ${SCHEMA_EVOLUTION_HINT}` : "";
    throw new OupsError("SCHEMA_MISMATCH", `rows do not match the dataset's schema: ${differences.join("; ")}${hint}`);
  }
  if (added.length === 0 && widened.length === 0) return { schema: current, added, widened };
  return { schema: withCanonicalDictionaryIds(new Schema(fields, current.metadata)), added, widened };
}

/** A column that may hold nulls: declared nullable, or of the Null type (which Arrow declares non-nullable). */
function isNullable(field: Field): boolean {
  return field.nullable || field.typeId === Type.Null;
}

/**
 * Whether rows of `incoming` can be written to the column `stored` by conversion (another encoding of the same
 * logical type, a lossless timestamp unit), or are refused for their values alone (a lossy unit): either way the
 * schema does not change, and the write's conversion (see writeConversion) converts or refuses them.
 */
function convertible(stored: Field, incoming: Field): boolean {
  const conversion = columnConversion(stored.name, incoming.type, stored.type);
  return conversion.kind !== "refused" || conversion.code === "INVALID_ARGUMENT";
}

/** A column added by a write, in the type the store keeps (see storedTypeOf). */
function storedFieldOf(field: Field): Field {
  const type = storedTypeOf(field.type);
  return type === field.type ? field : new Field(field.name, type, field.nullable, field.metadata);
}
