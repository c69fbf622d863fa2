import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { RecordBatchReader } from "apache-arrow";
import type { CsvBatchOptions } from "./csv-batches.js";
import { csvBatches } from "./csv-batches.js";
import { UsageError } from "./usage-error.js";

/** The input formats `oups write` reads, by file extension. */
export const INPUT_EXTENSIONS = {
  ".parquet": "parquet",
  ".arrow": "arrow",
  ".arrows": "arrow",
  ".ipc": "arrow",
  ".feather": "arrow",
  ".csv": "csv",
} as const;

/**
 * The rows of the file at `path` as record batches, read as they are consumed. The format follows the
 * extension: Parquet (one row group at a time), Arrow IPC file or stream (one batch at a time), or CSV (see
 * {@link csvBatches}). Throws a {@link UsageError} for another extension, an Error when the file is missing.
 */
export async function inputBatches(path: string, csv: CsvBatchOptions = {}): Promise<AsyncIterable<RecordBatch>> {
  const extension = extname(path).toLowerCase();
  const format = (INPUT_EXTENSIONS as Record<string, (typeof INPUT_EXTENSIONS)[keyof typeof INPUT_EXTENSIONS]>)[extension];
  if (format === undefined) {
    throw new UsageError(`cannot tell the format of '${path}': expected ${Object.keys(INPUT_EXTENSIONS).join(", ")}`);
  }
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === "ENOENT" ? `no such file: ${path}` : `cannot read ${path}: ${err.message}`, { cause: err });
  });
  if (!info.isFile()) throw new Error(`not a file: ${path}`);
  switch (format) {
    case "parquet": {
      // Loaded here only: instantiating parquet-wasm costs every other command time for nothing.
      const { parquetBatches } = await import("./parquet-input.js");
      return parquetBatches(path);
    }
    case "arrow":
      return arrowBatches(path);
    case "csv":
      return csvBatches(createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 }), csv);
  }
}

async function* arrowBatches(path: string): AsyncGenerator<RecordBatch> {
  // A file handle lets the reader seek in the IPC file format (footer first) and stream the IPC stream format.
  const handle = await open(path);
  try {
    const reader = await RecordBatchReader.from(handle);
    yield* reader;
  } finally {
    await handle.close();
  }
}
