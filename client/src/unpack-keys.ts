import { OupsClientError } from "./errors.js";
import type { KeyFields } from "./index-schema.js";

/**
 * Appends to `out` the keys of a packed ListKeys page: `values` holds every key's values in `fields` order, each
 * followed by a newline. One object per key and nothing else in between (no split array, no message per key). A
 * value equal to the previous key's value of the same field is that same string: in key order, leading fields
 * repeat from key to key, and over a million keys the strings kept alive were most of the garbage collector's work.
 */
export function unpackKeys(fields: readonly string[], values: string, out: KeyFields[]): void {
  const width = fields.length;
  const previous: string[] = new Array<string>(width).fill("\n");
  const end = values.length;
  let at = 0;
  while (at < end) {
    const key: Record<string, string> = {};
    for (let f = 0; f < width; f++) {
      const stop = values.indexOf("\n", at);
      if (stop === -1) throw malformed(fields);
      const last = previous[f]!;
      let value: string;
      if (stop - at === last.length && values.startsWith(last, at)) value = last;
      else previous[f] = value = values.slice(at, stop);
      key[fields[f]!] = value;
      at = stop + 1;
    }
    out.push(key);
  }
}

function malformed(fields: readonly string[]): OupsClientError {
  return new OupsClientError("INTERNAL", 13, `ListKeys answered packed values that are not ${fields.length} newline-terminated values per key`);
}
