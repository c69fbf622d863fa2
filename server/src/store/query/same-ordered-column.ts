import type { Field } from "apache-arrow";
import { DataType } from "apache-arrow";
import { logicalTypeOf } from "../arrow/logical-type.js";
import { sameType } from "../arrow/same-type.js";
import type { Manifest } from "../dataset/manifest.js";
import { OupsError } from "../errors.js";
import type { Key } from "../keys/key.js";

/**
 * The ordered column shared by datasets walked together, or `undefined` when none of them has a schema yet.
 * Every dataset must be ordered on a column of the same name; every dataset with a schema, on a column of the same
 * type (timestamp unit and time zone included; text of any encoding alike): values of different types (ms and us instants, integers and text)
 * cannot be aligned on their raw values. A dataset without a schema (created by a metadata-only write) holds no
 * row, so only its column name is checked; it takes no part in the walk. Throws `ORDERED_ON_MISMATCH` naming both
 * keys and both names or types.
 */
export function sameOrderedColumn(datasets: readonly { key: Key; manifest: Manifest }[]): Field | undefined {
  const first = datasets[0]!;
  let typed: { key: Key; field: Field } | undefined;
  for (const { key, manifest } of datasets) {
    if (manifest.orderedOn !== first.manifest.orderedOn) {
      throw new OupsError(
        "ORDERED_ON_MISMATCH",
        `inconsistent ordered_on columns: ${JSON.stringify(first.key)} has "${first.manifest.orderedOn}", but ${JSON.stringify(key)} has "${manifest.orderedOn}"`,
      );
    }
    const field = manifest.schema?.fields.find((f) => f.name === manifest.orderedOn);
    if (field === undefined) continue;
    if (typed === undefined) {
      typed = { key, field };
    } else if (!sameOrderedType(typed.field.type, field.type)) {
      throw new OupsError(
        "ORDERED_ON_MISMATCH",
        `inconsistent types of ordered column "${field.name}": ${JSON.stringify(typed.key)} has ${String(typed.field.type)}, but ${JSON.stringify(key)} has ${String(field.type)}`,
      );
    }
  }
  return typed?.field;
}

/** Same type; text of any encoding (Utf8, LargeUtf8, dictionaries of them: storage details) is one type. */
function sameOrderedType(a: DataType, b: DataType): boolean {
  if (logicalTypeOf(a) === "string" && logicalTypeOf(b) === "string") return true;
  if (DataType.isDictionary(a) && DataType.isDictionary(b)) return sameType(a.dictionary, b.dictionary);
  return sameType(a, b);
}
