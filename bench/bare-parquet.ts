/**
 * The anchor the engine's Parquet I/O is measured against: parquet-wasm called directly in the calling thread, the
 * way an application without oups writes and reads one Parquet file.
 * @module
 */
import type { Table } from "apache-arrow";
import { DataType, tableFromIPC, tableToIPC } from "apache-arrow";
import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { WriterProperties } from "parquet-wasm";
import { Table as WasmTable, readParquet, writeParquet } from "parquet-wasm";
import type { Compression } from "../server/src/store/io/compression.js";
import { writerPropertiesBuilder } from "../server/src/store/io/row-group-file-codec.js";

/**
 * Encodes `table` as one Parquet file compressed with `compression` with row groups of at most `rowGroupRows` rows, writes it at `path`
 * (replacing any file there) and fsyncs it. Resolves to the file's size in bytes. The writer settings are the
 * daemon's (see {@link writerProperties}), so that both write the same bytes.
 */
export async function writeParquetFile(path: string, table: Table, rowGroupRows: number, compression: Compression): Promise<number> {
  // writeParquet takes ownership of the wasm table and properties and frees them itself.
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, "stream"));
  const bytes = writeParquet(wasmTable, writerProperties(table, rowGroupRows, compression));
  const handle = await open(path, "w");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes.byteLength;
}

/**
 * Like {@link writeParquetFile}, but atomically: the file is written and fsynced under a temporary name, renamed
 * over `path`, and the directory fsynced, as a careful rewrite-in-place must be.
 */
export async function replaceParquetFile(path: string, table: Table, rowGroupRows: number, compression: Compression): Promise<number> {
  const tmp = `${path}.tmp`;
  const bytes = await writeParquetFile(tmp, table, rowGroupRows, compression);
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return bytes;
}

/** Reads the whole Parquet file at `path` into an apache-arrow table of record batches of `batchRows` rows. */
export async function readParquetFile(path: string, batchRows: number): Promise<Table> {
  const bytes = await readFile(path);
  // The default batch size (1024 rows) would cut the table into thousands of tiny batches.
  const wasmTable = readParquet(bytes, { batchSize: batchRows });
  return tableFromIPC(wasmTable.intoIPCStream());
}

/**
 * The daemon's writer settings (server/src/store/io/row-group-file-codec.ts), which any careful parquet-wasm user
 * would pick for time series too: the same codec, version 2 data pages of 64 KiB (delta-encoded integers), dictionary
 * encoding on text columns only, row-group statistics but no page statistics.
 */
function writerProperties(table: Table, rowGroupRows: number, compression: Compression): WriterProperties {
  const textColumns = table.schema.fields
    .filter((field) => DataType.isDictionary(field.type) || DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type))
    .map((field) => field.name);
  return writerPropertiesBuilder(compression, textColumns).setMaxRowGroupSize(rowGroupRows).build();
}
