import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { RecordBatchReader } from "apache-arrow";
import type { CsvBatchOptions } from "./csv-batches.js";
import { csvBatches, csvLineOf } from "./csv-batches.js";
import type { RowLocator } from "./input-order.js";
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

/** The rows of an input file, where each is in the file, and how far reading it has got. */
export interface InputFile {
  batches: AsyncIterable<RecordBatch>;
  /** Where a row is, as the file's user counts: "CSV line 7", "row group 2, row 10", "record batch 3, row 1". */
  locate: RowLocator;
  /** Share of the file read so far, 0 to 1; undefined when the format does not tell (an Arrow IPC stream). */
  fraction(): number | undefined;
}

/**
 * The rows of the file at `path` as record batches, read as they are consumed. The format follows the
 * extension: Parquet (one row group at a time), Arrow IPC file or stream (one batch at a time), or CSV (see
 * {@link csvBatches}). Throws a {@link UsageError} for another extension, an Error when the file is missing.
 * Rows are located 1-based: CSV lines count the header as line 1, batches, row groups and rows count from 1.
 */
export async function inputBatches(path: string, csv: CsvBatchOptions = {}): Promise<InputFile> {
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
      const rows = await parquetBatches(path);
      let read = 0;
      return {
        batches: counted(rows.batches, (batch) => (read += batch.numRows)),
        locate: (_, batch, row) => {
          const origin = rows.origin(batch);
          return origin === undefined ? `row ${row + 1}` : `row group ${origin.rowGroup + 1}, row ${origin.firstRow + row + 1}`;
        },
        fraction: () => (rows.totalRows > 0 ? read / rows.totalRows : undefined),
      };
    }
    case "arrow": {
      const file = await arrowBatches(path);
      let read = 0;
      return {
        batches: counted(file.batches, () => read++),
        locate: (index, _, row) => `record batch ${index + 1}, row ${row + 1}`,
        fraction: () => (file.numBatches === undefined || file.numBatches === 0 ? undefined : read / file.numBatches),
      };
    }
    case "csv": {
      const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
      return {
        batches: csvBatches(stream, csv),
        locate: (_, batch, row) => `CSV line ${csvLineOf(batch, row) ?? "?"}`,
        fraction: () => (info.size > 0 ? Math.min(stream.bytesRead / info.size, 1) : undefined),
      };
    }
  }
}

async function* counted(batches: AsyncIterable<RecordBatch>, onBatch: (batch: RecordBatch) => void): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    onBatch(batch);
    yield batch;
  }
}

/** The batches of an Arrow IPC file or stream, and how many there are (known for the file format only). */
async function arrowBatches(path: string): Promise<{ batches: AsyncIterable<RecordBatch>; numBatches: number | undefined }> {
  // A file handle lets the reader seek in the IPC file format (footer first) and stream the IPC stream format.
  const handle = await open(path);
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    const numBatches = reader.isFile() ? reader.numRecordBatches : undefined;
    async function* batches(): AsyncGenerator<RecordBatch> {
      try {
        yield* reader;
      } finally {
        await handle.close();
      }
    }
    return { batches: batches(), numBatches };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
