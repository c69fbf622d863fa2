import { openAsBlob } from "node:fs";
import type { RecordBatch } from "apache-arrow";
import { tableFromIPC } from "apache-arrow";
import { ParquetFile } from "parquet-wasm";

// Importing this module instantiates parquet-wasm (a few MB of wasm): `oups write` loads it only for Parquet input.

/** Rows per batch read from a Parquet row group. */
const BATCH_ROWS = 65_536;

/**
 * The rows of the Parquet file at `path` as record batches, read one row group at a time (only the file's footer
 * and the row group being read are in memory), with the types of the Arrow schema stored in the file.
 */
export async function* parquetBatches(path: string): AsyncGenerator<RecordBatch> {
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  try {
    const metadata = file.metadata();
    let rowGroups: number;
    try {
      rowGroups = metadata.numRowGroups();
    } finally {
      metadata.free();
    }
    for (let i = 0; i < rowGroups; i++) {
      const table = await file.read({ rowGroups: [i], batchSize: BATCH_ROWS });
      // intoIPCStream consumes (and frees) the wasm table.
      yield* tableFromIPC(table.intoIPCStream()).batches;
    }
  } finally {
    file.free();
  }
}
