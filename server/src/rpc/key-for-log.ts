import type { Store } from "../store/store.js";
import { keyToPath } from "../store/keys/key.js";

/** Longest key text a log line or label carries: a hostile key must not make lines of megabytes. */
const MAX_KEY_TEXT = 256;

/**
 * A key as people write it, for the call log: its path (`AAPL-2023/1`) when it is a valid key of the store, else
 * the fields given, as JSON (so that control characters in them are escaped), cut at {@link MAX_KEY_TEXT}.
 */
export function keyForLog(store: Store, fields: Readonly<Record<string, string>>): string {
  const schema = store.indexSchema;
  let text: string;
  try {
    text = schema ? keyToPath(schema, fields) : JSON.stringify(fields);
  } catch {
    text = JSON.stringify(fields);
  }
  return text.length > MAX_KEY_TEXT ? `${text.slice(0, MAX_KEY_TEXT)}…` : text;
}

/** Several keys for one log line (QueryIntersections): the first few, then how many more. */
export function keysForLog(store: Store, keys: readonly Readonly<Record<string, string>>[], shown = 4): string {
  const listed = keys.slice(0, shown).map((k) => keyForLog(store, k));
  return keys.length > shown ? `${listed.join(" ")} (+${keys.length - shown} more)` : listed.join(" ");
}
