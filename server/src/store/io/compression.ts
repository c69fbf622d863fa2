import { OupsError } from "../errors.js";

/** Parquet compression codecs a row-group file can be written with. "lz4" writes Parquet's LZ4_RAW codec. */
export type Compression = "zstd" | "snappy" | "lz4" | "gzip" | "brotli" | "none";

/** Every {@link Compression}, in the order error messages list them. */
export const COMPRESSIONS: readonly Compression[] = ["zstd", "snappy", "lz4", "gzip", "brotli", "none"];

/** The codec used when none is given. */
export const DEFAULT_COMPRESSION: Compression = "zstd";

/**
 * Returns `value` as a {@link Compression}, or {@link DEFAULT_COMPRESSION} when it is `undefined`.
 * Throws `OupsError("INVALID_ARGUMENT")` naming the value and the accepted ones otherwise.
 */
export function parseCompression(value: unknown): Compression {
  if (value === undefined) {
    return DEFAULT_COMPRESSION;
  }
  if (typeof value === "string" && (COMPRESSIONS as readonly string[]).includes(value)) {
    return value as Compression;
  }
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new OupsError("INVALID_ARGUMENT", `unknown compression ${shown}: expected one of ${COMPRESSIONS.join(", ")}`);
}
