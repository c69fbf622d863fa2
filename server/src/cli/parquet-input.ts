import { openAsBlob } from "node:fs";
import type { RecordBatch } from "apache-arrow";
import { tableFromIPC } from "apache-arrow";
import { ParquetFile } from "parquet-wasm";

// Importing this module instantiates parquet-wasm (a few MB of wasm): `oups write` loads it only for Parquet input.

/** Rows per batch read from a Parquet row group. */
const BATCH_ROWS = 65_536;

/** Where a batch read from a Parquet file comes from: its row group (0-based) and the row there of its first row. */
export interface ParquetBatchOrigin {
  rowGroup: number;
  firstRow: number;
}

/** The rows of a Parquet file, with their total and where each batch comes from. */
export interface ParquetRows {
  batches: AsyncIterable<RecordBatch>;
  /** Rows in the file, from its footer. */
  totalRows: number;
  origin(batch: RecordBatch): ParquetBatchOrigin | undefined;
}

/**
 * The rows of the Parquet file at `path` as record batches, read one row group at a time (only the file's footer
 * and the row group being read are in memory), with the types of the Arrow schema stored in the file.
 */
export async function parquetBatches(path: string): Promise<ParquetRows> {
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const metadata = file.metadata();
  let rowGroups: number;
  let totalRows: number;
  try {
    rowGroups = metadata.numRowGroups();
    const fileMetadata = metadata.fileMetadata();
    try {
      totalRows = fileMetadata.numRows();
    } finally {
      fileMetadata.free();
    }
  } finally {
    metadata.free();
  }
  const origins = new WeakMap<RecordBatch, ParquetBatchOrigin>();
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      for (let i = 0; i < rowGroups; i++) {
        const table = await file.read({ rowGroups: [i], batchSize: BATCH_ROWS });
        // intoIPCStream consumes (and frees) the wasm table.
        let firstRow = 0;
        for (const batch of tableFromIPC(table.intoIPCStream()).batches) {
          origins.set(batch, { rowGroup: i, firstRow });
          firstRow += batch.numRows;
          yield batch;
        }
      }
    } finally {
      file.free();
    }
  }
  return { batches: batches(), totalRows, origin: (batch) => origins.get(batch) };
}
