import { OupsError } from "../errors.js";

/** Parquet compression codecs a row-group file can be written with. "lz4" writes Parquet's LZ4_RAW codec. */
export type Compression = "zstd" | "snappy" | "lz4" | "gzip" | "brotli" | "none";

/** Every {@link Compression}, in the order error messages list them. */
export const COMPRESSIONS: readonly Compression[] = ["zstd", "snappy", "lz4", "gzip", "brotli", "none"];

/**
 * The codec used when none is given. Measured through the daemon (bench, 10M rows, 2 cores), parquet-wasm's zstd
 * (built for size, "thin" zstd) decodes a 122,880-row row group in ~7 ms, snappy in ~2 ms and lz4 in ~1.6 ms, and
 * encodes it in 25, 15 and 18 ms: snappy doubles the full-scan rate for files 1.34x zstd's size, and unlike
 * LZ4_RAW every Parquet reader (Spark before 3.3, older pyarrow and DuckDB) reads it.
 */
export const DEFAULT_COMPRESSION: Compression = "snappy";

/**
 * Returns `value` as a {@link Compression}, or `fallback` ({@link DEFAULT_COMPRESSION} unless given) when it is
 * `undefined`. Throws `OupsError("INVALID_ARGUMENT")` naming the value and the accepted ones otherwise.
 */
export function parseCompression(value: unknown, fallback: Compression = DEFAULT_COMPRESSION): Compression {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value === "string" && (COMPRESSIONS as readonly string[]).includes(value)) {
    return value as Compression;
  }
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new OupsError("INVALID_ARGUMENT", `unknown compression ${shown}: expected one of ${COMPRESSIONS.join(", ")}`);
}
