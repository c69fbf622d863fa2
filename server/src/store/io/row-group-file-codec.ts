import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import type { ReaderOptions, WriterProperties } from "parquet-wasm";
import {
  Compression as WasmCompression,
  EnabledStatistics,
  ParquetFile,
  Table,
  WriterPropertiesBuilder,
  wasmMemory,
  writeParquet,
} from "parquet-wasm";
import { OupsError } from "../errors.js";
import type { Compression } from "./compression.js";
import { writeFileDurable } from "./durable-fs.js";

// Everything here runs parquet-wasm in the calling thread and is meant for the pool's workers (parquet-worker.ts):
// importing this module instantiates a ~5 MB wasm module whose memory grows up to 4 GiB and never shrinks.
// Every wasm object is either consumed by a parquet-wasm call that takes ownership or freed in a `finally`.

const wasmCodecs: Record<Compression, WasmCompression> = {
  zstd: WasmCompression.ZSTD,
  snappy: WasmCompression.SNAPPY,
  // LZ4 (the Hadoop-framed codec) is deprecated in the Parquet format; LZ4_RAW is what current readers expect.
  lz4: WasmCompression.LZ4_RAW,
  gzip: WasmCompression.GZIP,
  brotli: WasmCompression.BROTLI,
  none: WasmCompression.UNCOMPRESSED,
};

// The writer splits row groups at this many rows. The setter takes a 32-bit usize, and a table held in 32-bit
// wasm memory cannot have more rows than this, so any input stays one row group.
const MAX_ROW_GROUP_ROWS = 0xffff_ffff;

/**
 * Encodes the Arrow IPC stream `ipc` as a Parquet file of one row group compressed with `compression`, and
 * writes it durably (created, never overwritten, fsynced; the directory is not fsynced) at `path`.
 * Resolves to the file's size in bytes. Rejects with `OupsError`: `ALREADY_EXISTS` when `path` exists,
 * `INTERNAL` (with the parquet-wasm or file-system error as `cause`) otherwise.
 */
export async function encodeRowGroupFile(
  path: string,
  ipc: Uint8Array,
  compression: Compression,
  dictionaryColumns: readonly string[] = [],
): Promise<number> {
  let parquet: Uint8Array;
  try {
    parquet = encodeParquet(ipc, compression, dictionaryColumns);
  } catch (err) {
    throw new OupsError("INTERNAL", `cannot encode row group file ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    await writeFileDurable(path, parquet);
  } catch (err) {
    if (errnoOf(err) === "EEXIST") {
      throw new OupsError("ALREADY_EXISTS", `row group file ${path} already exists`, { cause: err });
    }
    throw new OupsError("INTERNAL", `cannot write row group file ${path}: ${messageOf(err)}`, { cause: err });
  }
  return parquet.byteLength;
}

/**
 * Reads the Parquet file at `path` and returns its rows as Arrow IPC stream bytes, one record batch per row
 * group. With `columns`, only those columns are read (from disk too), in the file's column order, not the
 * order of `columns`; without, all columns are. Types round-trip through the Arrow schema stored in the file.
 * Rejects with `OupsError`: `NOT_FOUND` when the file does not exist, `INVALID_ARGUMENT` naming the first
 * requested column the file lacks, `INTERNAL` (with the parquet-wasm or file-system error as `cause`) otherwise.
 */
export async function decodeRowGroupFile(
  path: string,
  columns: readonly string[] | null,
  batchRows: number | null = null,
): Promise<Uint8Array> {
  let blob: Blob;
  try {
    // openAsBlob reports a missing file as a generic ERR_INVALID_ARG_VALUE; stat says ENOENT.
    await stat(path);
    blob = await openAsBlob(path);
  } catch (err) {
    if (errnoOf(err) === "ENOENT") {
      throw new OupsError("NOT_FOUND", `row group file ${path} does not exist`, { cause: err });
    }
    throw new OupsError("INTERNAL", `cannot open row group file ${path}: ${messageOf(err)}`, { cause: err });
  }
  let file: ParquetFile;
  try {
    // A file-backed Blob: parquet-wasm reads the footer, then only the byte ranges of the selected columns.
    file = await ParquetFile.fromFile(blob);
  } catch (err) {
    throw new OupsError("INTERNAL", `cannot read row group file ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    if (columns !== null) {
      assertColumnsExist(file, columns, path);
    }
    // One batch per row group: the default of 1024 rows would cut the IPC stream into many small batches.
    const options: ReaderOptions = { batchSize: batchRows ?? Math.max(1, rowCount(file)) };
    if (columns !== null) {
      options.columns = [...columns];
    }
    const table = await file.read(options);
    return table.intoIPCStream();
  } catch (err) {
    if (err instanceof OupsError) {
      throw err;
    }
    throw new OupsError("INTERNAL", `cannot read row group file ${path}: ${messageOf(err)}`, { cause: err });
  } finally {
    file.free();
  }
}

/** Current size in bytes of this thread's parquet-wasm linear memory. */
export function wasmMemoryBytes(): number {
  // Typed here because the WebAssembly.Memory that parquet-wasm declares is not in this project's lib typings.
  const memory: { readonly buffer: ArrayBufferLike } = wasmMemory();
  return memory.buffer.byteLength;
}

function encodeParquet(ipc: Uint8Array, compression: Compression, dictionaryColumns: readonly string[]): Uint8Array {
  let table: Table | undefined = Table.fromIPCStream(ipc);
  try {
    const properties = writerProperties(compression, dictionaryColumns);
    const owned = table;
    // writeParquet takes ownership of both wasm objects and drops them itself, even when it fails.
    table = undefined;
    return writeParquet(owned, properties);
  } finally {
    table?.free();
  }
}

function writerProperties(compression: Compression, dictionaryColumns: readonly string[]): WriterProperties {
  // Each builder call consumes its receiver and returns a new builder; build() consumes the last one.
  // Dictionary encoding only where values repeat (text): on timestamps and prices the writer builds a dictionary
  // and then abandons it, which costs more than the encoding saves. Row-group (chunk) statistics are kept for
  // other readers' pruning; page statistics are skipped, since the manifest holds what oups needs.
  let builder = new WriterPropertiesBuilder()
    .setCompression(wasmCodecs[compression])
    .setMaxRowGroupSize(MAX_ROW_GROUP_ROWS)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(EnabledStatistics.Chunk);
  for (const column of dictionaryColumns) builder = builder.setColumnDictionaryEnabled(column, true);
  return builder.build();
}

function assertColumnsExist(file: ParquetFile, columns: readonly string[], path: string): void {
  const schema = file.schema();
  try {
    for (const column of columns) {
      try {
        // indexOf throws (rather than returning -1) for a name the schema lacks.
        schema.indexOf(column);
      } catch (err) {
        throw new OupsError("INVALID_ARGUMENT", `column ${JSON.stringify(column)} is not in row group file ${path}`, {
          cause: err,
        });
      }
    }
  } finally {
    schema.free();
  }
}

function rowCount(file: ParquetFile): number {
  const metadata = file.metadata();
  try {
    const fileMetadata = metadata.fileMetadata();
    try {
      return fileMetadata.numRows();
    } finally {
      fileMetadata.free();
    }
  } finally {
    metadata.free();
  }
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
