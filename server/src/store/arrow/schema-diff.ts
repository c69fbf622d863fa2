import type { Field, Schema } from "apache-arrow";
import { sameType } from "./same-type.js";

/** How the column `actual` differs in type from `expected`, or `undefined` when it fits. */
export type TypeDifference = (expected: Field, actual: Field) => string | undefined;

const exactType: TypeDifference = (field, other) =>
  sameType(field.type, other.type) ? undefined : `column "${field.name}": expected ${String(field.type)}, got ${String(other.type)}`;

/**
 * How `actual` differs from `expected`, one message per difference, empty when they match: missing columns,
 * extra columns, columns of another type (`column "px": expected Float64, got Int32`) and a different
 * column order (Parquet files store columns in order). Types must be equal except for nullability and
 * dictionary ids (or as `typeDifference` judges them); schema and field metadata are ignored.
 */
export function schemaDifferences(expected: Schema, actual: Schema, typeDifference: TypeDifference = exactType): string[] {
  const differences: string[] = [];
  const actualFields = new Map(actual.fields.map((field) => [field.name, field]));
  const expectedNames = new Set(expected.fields.map((field) => field.name));
  for (const field of expected.fields) {
    const other = actualFields.get(field.name);
    if (other === undefined) differences.push(`missing column "${field.name}"`);
    else {
      const difference = typeDifference(field, other);
      if (difference !== undefined) differences.push(difference);
    }
  }
  for (const field of actual.fields) {
    if (!expectedNames.has(field.name)) differences.push(`extra column "${field.name}"`);
  }
  const expectedOrder = expected.fields.map((field) => field.name).filter((name) => actualFields.has(name));
  const actualOrder = actual.fields.map((field) => field.name).filter((name) => expectedNames.has(name));
  if (expectedOrder.some((name, i) => name !== actualOrder[i])) {
    const list = (names: string[]) => names.map((name) => `"${name}"`).join(", ");
    differences.push(`columns in another order: expected ${list(expectedOrder)}, got ${list(actualOrder)}`);
  }
  return differences;
}

/** Whether `a` and `b` have the same columns, in the same order, of the same types (see {@link schemaDifferences}). */
export function sameSchema(a: Schema, b: Schema): boolean {
  return schemaDifferences(a, b).length === 0;
}
