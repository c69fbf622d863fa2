import { createHash } from "node:crypto";
import { OupsError } from "../../store/errors.js";
import { readConfigFile } from "./read-config-file.js";

/** What a bearer token may do: `read` calls only, or `write` (which includes read). */
export type TokenRole = "read" | "write";

/** One token of a token file, kept as its SHA-256 digest: the token itself is not held after parsing. */
export interface TokenEntry {
  digest: Buffer;
  role: TokenRole;
}

/** SHA-256 of a token: fixed-length digests can be compared in constant time whatever the tokens' lengths. */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * Reads a token file: one `TOKEN ROLE` per line (ROLE `read` or `write`), `#` comments and blank lines ignored.
 * Failures name the file and line, never a token.
 */
export async function readTokenFile(file: string): Promise<TokenEntry[]> {
  return parseTokenFile((await readConfigFile("the token file", file)).toString("utf8"), file);
}

/** Parses the text of a token file (see {@link readTokenFile}); `file` names it in messages. */
export function parseTokenFile(text: string, file: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  const lineOf = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const [token, role] = fields;
    // The message describes the line's shape only: a malformed line may well be a token.
    if (fields.length !== 2 || (role !== "read" && role !== "write")) {
      throw new OupsError("INVALID_ARGUMENT", `token file ${file} line ${i + 1}: expected "TOKEN read" or "TOKEN write"`);
    }
    // gRPC metadata values are printable ASCII: any other token could never be sent.
    if (!/^[\x21-\x7e]+$/.test(token!)) {
      throw new OupsError("INVALID_ARGUMENT", `token file ${file} line ${i + 1}: a token must be printable ASCII`);
    }
    const digest = tokenDigest(token!);
    const key = digest.toString("hex");
    const earlier = lineOf.get(key);
    if (earlier !== undefined) {
      throw new OupsError("INVALID_ARGUMENT", `token file ${file} line ${i + 1}: same token as line ${earlier}`);
    }
    lineOf.set(key, i + 1);
    entries.push({ digest, role });
  });
  if (entries.length === 0) throw new OupsError("INVALID_ARGUMENT", `token file ${file} holds no token: no client could call`);
  return entries;
}
