import { timingSafeEqual } from "node:crypto";
import type { TokenEntry, TokenRole } from "./token-file.js";
import { readTokenFile, tokenDigest } from "./token-file.js";

/** The bearer tokens the daemon accepts, loaded from a token file and reloadable (SIGHUP). */
export class TokenRegistry {
  private constructor(
    readonly file: string,
    private entries: readonly TokenEntry[],
  ) {}

  /** Loads `file` (see readTokenFile); rejects naming the file and line of the first problem. */
  static async load(file: string): Promise<TokenRegistry> {
    return new TokenRegistry(file, await readTokenFile(file));
  }

  /** Number of tokens of each role. */
  get counts(): Record<TokenRole, number> {
    return {
      read: this.entries.filter((e) => e.role === "read").length,
      write: this.entries.filter((e) => e.role === "write").length,
    };
  }

  /** Reads the file again; on failure the tokens loaded before stay in force and the error is thrown. */
  async reload(): Promise<void> {
    this.entries = await readTokenFile(this.file);
  }

  /**
   * The role of `token`, or undefined when it is not one of the file's. Every entry is compared, each in constant
   * time over equal-length digests, so that the time taken says nothing about which token came close.
   */
  roleOf(token: string): TokenRole | undefined {
    const digest = tokenDigest(token);
    let found: TokenRole | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.role;
    }
    return found;
  }
}
