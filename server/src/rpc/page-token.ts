import { OupsError } from "../store/errors.js";
import type { IndexSchema } from "../store/keys/index-schema.js";
import type { Key } from "../store/keys/key.js";
import { keyToPath, pathToKey } from "../store/keys/key.js";

// A token is the path of the page's last key, behind a format letter: opaque to clients, and checkable.
const FORMAT = "k";

/** The next_page_token resuming after `key`. */
export function encodePageToken(schema: IndexSchema, key: Key): string {
  return FORMAT + Buffer.from(keyToPath(schema, key), "utf8").toString("base64url");
}

/**
 * The key a page_token resumes after.
 * @throws OupsError `INVALID_ARGUMENT` when the token is not one {@link encodePageToken} makes for this schema.
 */
export function decodePageToken(schema: IndexSchema, token: string): Key {
  const encoded = token.slice(FORMAT.length);
  const path = token.startsWith(FORMAT) ? Buffer.from(encoded, "base64url").toString("utf8") : undefined;
  // Base64 decoding skips what it cannot read: only a token that encodes back the same is one this daemon made.
  const key = path === undefined || Buffer.from(path, "utf8").toString("base64url") !== encoded ? undefined : pathToKey(schema, path);
  if (key === undefined) {
    throw new OupsError("INVALID_ARGUMENT", `page_token ${JSON.stringify(token.slice(0, 64))} is not a token of this store's ListKeys: pass the next_page_token of the previous page`);
  }
  return key;
}
