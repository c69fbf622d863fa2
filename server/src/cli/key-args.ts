import type { IndexSchemaDescription, KeyFields } from "../../../client/src/index.js";
import { parsePairs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help lines of the key flags, shared by the commands that take a key. */
export const keyFlagsHelp = `  --key, -k FIELDS      dataset key as field=value pairs, comma-separated (symbol=AAPL,year=2023,month=1);
                        repeatable (-k symbol=AAPL -k year=2023)`;

/**
 * The key given by the `--key`/`-k` flags: each occurrence holds `field=value` pairs separated by commas, and all
 * occurrences are merged. Throws a {@link UsageError} when there is none (and `required`) or a pair is malformed.
 */
export function parseKeyFlags(values: readonly string[] | undefined, flag = "--key", required = true): KeyFields {
  const items = (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0 && required) throw new UsageError(`missing ${flag} (e.g. ${flag} symbol=AAPL,year=2023)`);
  return parsePairs(items, flag);
}

/**
 * A key as one line of `field=value` words, its fields in the order of the index schema when one is given
 * (fields the schema does not know come last).
 */
export function formatKey(key: KeyFields, schema?: IndexSchemaDescription): string {
  return orderKeyFields(key, schema)
    .map(([field, value]) => `${field}=${value}`)
    .join(" ");
}

/** The fields of a key as entries, in the order of the index schema when one is given. */
export function orderKeyFields(key: KeyFields, schema?: IndexSchemaDescription): [string, string][] {
  const order = schema?.levels.flat().map((f) => f.name) ?? [];
  const rank = (field: string) => {
    const i = order.indexOf(field);
    return i < 0 ? order.length : i;
  };
  return Object.entries(key).sort(([a], [b]) => rank(a) - rank(b));
}
