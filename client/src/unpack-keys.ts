import { OupsClientError } from "./errors.js";
import type { KeyFields } from "./index-schema.js";

/**
 * Appends to `out` the keys of a packed ListKeys page: `values` holds every key's values in `fields` order, each
 * followed by a newline. One split of the page's string, then one object per key: no message per key.
 */
export function unpackKeys(fields: readonly string[], values: string, out: KeyFields[]): void {
  const pieces = values.split("\n");
  // The empty string after the last newline (the whole of an empty page).
  const count = pieces.length - 1;
  if (pieces[count] !== "" || count % fields.length !== 0) {
    throw new OupsClientError("INTERNAL", 13, `ListKeys answered ${count} packed values for ${fields.length} fields per key, or values not ending in a newline`);
  }
  for (let i = 0; i < count; i += fields.length) {
    const key: Record<string, string> = {};
    for (let f = 0; f < fields.length; f++) key[fields[f]!] = pieces[i + f]!;
    out.push(key);
  }
}
