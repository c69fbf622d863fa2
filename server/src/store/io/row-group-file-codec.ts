import { tableFromIPC } from "apache-arrow";
import { constants, readFileSync } from "node:fs";
import type { ReaderOptions, WriterProperties } from "parquet-wasm";
import {
  Compression as WasmCompression,
  EnabledStatistics,
  ParquetFile,
  Table,
  WriterPropertiesBuilder,
  WriterVersion,
  readParquet,
  wasmMemory,
  writeParquet,
} from "parquet-wasm";
import { orderedColumn } from "../arrow/ordered-column.js";
import type { SortedBounds } from "../arrow/search-sorted.js";
import { spanWithin } from "../arrow/search-sorted.js";
import { OupsError } from "../errors.js";
import type { Compression } from "./compression.js";
import { writeFileDurable } from "./durable-fs.js";
import { errnoOf, fsError } from "./fs-error.js";

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

// Target size of a data page before compression: a range read decompresses whole pages only.
const DATA_PAGE_BYTES = 64 * 1024;

// Batch size asking for one batch of every row (parquet-wasm takes a 32-bit size).
const MAX_BATCH_ROWS = 0x7fff_ffff;

/**
 * Encodes the Arrow IPC stream `ipc` as a Parquet file of one row group compressed with `compression`, and
 * writes it durably (created, never overwritten, fsynced; the directory is not fsynced) at `path`; messages name
 * the file `name` (its path relative to the store). Resolves to the file's size in bytes. Rejects with
 * `OupsError`: `ALREADY_EXISTS` when `path` exists, a file-system code (`DISK_FULL`, …, see fs-error.ts) when
 * writing fails (the partial file removed), `INTERNAL` (with the parquet-wasm error as `cause`) otherwise.
 */
export async function encodeRowGroupFile(
  path: string,
  ipc: Uint8Array,
  compression: Compression,
  dictionaryColumns: readonly string[] = [],
  name = path,
): Promise<number> {
  let parquet: Uint8Array;
  try {
    parquet = encodeParquet(ipc, compression, dictionaryColumns);
  } catch (err) {
    throw new OupsError("INTERNAL", `cannot encode row group file ${name}: ${messageOf(err)}`, { cause: err });
  }
  try {
    await writeFileDurable(path, parquet);
  } catch (err) {
    if (errnoOf(err) === "EEXIST") {
      throw new OupsError("ALREADY_EXISTS", `row group file ${name} already exists`, { cause: err });
    }
    throw fsError(err, `write row group file ${name}`);
  }
  return parquet.byteLength;
}

/** The rows of a row group to return: those of the ordered column `orderedOn` within `[start, end)` (`]` with `endInclusive`). */
export interface RowCut extends SortedBounds {
  readonly orderedOn: string;
}

/** A part of the rows a read returns: skip the first `skip`, then `take` at most. */
export interface RowSpan {
  readonly skip: number;
  readonly take: number;
}

/** What {@link decodeRowGroupFile} reads of a file. */
export interface DecodeOptions {
  /** Columns to read, in the file's column order whatever the order given; all when null. */
  readonly columns: readonly string[] | null;
  /** Rows per record batch at most; one batch for the whole result when null. */
  readonly batchRows: number | null;
  /** Only the rows within these bounds of the ordered column; all rows when null. */
  readonly cut: RowCut | null;
  /**
   * Of the rows the cut keeps (all rows without one), only this part, or `null` when it holds none: a reader
   * decodes the first rows alone, to send them before the rest of the row group is decoded.
   */
  readonly rows?: RowSpan | null | undefined;
  /** The file as messages name it (its path relative to the store); the path itself when absent. */
  readonly name?: string | undefined;
}

/**
 * Reads the Parquet file at `path` and returns its rows as Arrow IPC stream bytes, or `null` when a `cut`
 * leaves no row. With `columns`, only those columns are decoded, in the file's column order, not the order of
 * `columns`. With a `cut`, the ordered column is decoded first to find the rows within the bounds, then only
 * the pages holding those rows are decompressed. Types round-trip through the Arrow schema stored in the file.
 * Rejects with `OupsError`: `NOT_FOUND` when the file does not exist, `CORRUPT_DATASET` when it is a symbolic
 * link, `INVALID_ARGUMENT` naming the first requested column the file lacks, `INTERNAL` (with the parquet-wasm or file-system error as `cause`) otherwise.
 */
export async function decodeRowGroupFile(path: string, options: DecodeOptions): Promise<Uint8Array | null> {
  const name = options.name ?? path;
  let bytes: Uint8Array;
  try {
    // Row-group files are small (a few MB at most): one read beats parquet-wasm's many async range reads. It blocks
    // only this worker, which has nothing else to do meanwhile, and saves the libuv thread pool's round trips (open,
    // stat, read, close) that made up most of a small read's wait on a loaded machine.
    // O_NOFOLLOW: a row-group file replaced by a link is refused by the open itself, whenever the swap happened.
    // The typings take only a string flag; Node takes the numeric open flags too.
    bytes = readFileSync(path, { flag: (constants.O_RDONLY | constants.O_NOFOLLOW) as unknown as string });
  } catch (err) {
    if (errnoOf(err) === "ENOENT") {
      throw new OupsError("NOT_FOUND", `row group file ${name} does not exist`, { cause: err });
    }
    if (errnoOf(err) === "ELOOP") {
      throw new OupsError("CORRUPT_DATASET", `row group file ${name} is a symbolic link; refusing to follow it out of the store`, { cause: err });
    }
    throw fsError(err, `read row group file ${name}`);
  }
  const { columns, batchRows, cut } = options;
  const span = options.rows ?? null;
  let file: ParquetFile | undefined;
  try {
    let rows: { offset: number; limit: number } | undefined;
    if (columns !== null || cut !== null || span !== null) {
      file = await ParquetFile.fromFile(new Blob([bytes]));
      if (columns !== null) assertColumnsExist(file, columns, name);
      rows = cut !== null ? await rowsWithin(file, cut, name) : { offset: 0, limit: rowCount(file) };
      if (span !== null) {
        const skip = Math.min(span.skip, rows.limit);
        rows = { offset: rows.offset + skip, limit: Math.min(span.take, rows.limit - skip) };
      }
      if (rows.limit === 0) return null;
    }
    // One batch for all the rows unless told otherwise (the default of 1024 would cut many small batches); the
    // reader caps the batch size at the file's row count.
    const read: ReaderOptions = { ...rows, batchSize: Math.max(1, batchRows ?? rows?.limit ?? MAX_BATCH_ROWS) };
    // readParquet decodes faster than ParquetFile.read, but ignores `columns`.
    if (file === undefined || columns === null) return readParquet(bytes, read).intoIPCStream();
    return (await file.read({ ...read, columns: [...columns] })).intoIPCStream();
  } catch (err) {
    if (err instanceof OupsError) {
      throw err;
    }
    throw new OupsError("INTERNAL", `cannot read row group file ${name}: ${messageOf(err)}`, { cause: err });
  } finally {
    file?.free();
  }
}

/** The rows of `file` (one row group) whose ordered column lies within the cut, as an offset and a count. */
async function rowsWithin(file: ParquetFile, cut: RowCut, name: string): Promise<{ offset: number; limit: number }> {
  assertColumnsExist(file, [cut.orderedOn], name);
  const n = rowCount(file);
  const ordered = tableFromIPC((await file.read({ columns: [cut.orderedOn], batchSize: Math.max(1, n) })).intoIPCStream());
  const { lo, hi } = spanWithin(orderedColumn(ordered, cut.orderedOn).values, cut);
  return { offset: lo, limit: hi - lo };
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
  return writerPropertiesBuilder(compression, dictionaryColumns).setMaxRowGroupSize(MAX_ROW_GROUP_ROWS).build();
}

/**
 * The settings every row-group file is written with, but the row-group size (exported so that the benchmarks'
 * bare parquet-wasm anchor writes the same bytes). Each builder call consumes its receiver and returns a new
 * builder; build() consumes the last one.
 */
export function writerPropertiesBuilder(compression: Compression, dictionaryColumns: readonly string[]): WriterPropertiesBuilder {
  // Dictionary encoding only where values repeat (text): on timestamps and prices the writer builds a dictionary
  // and then abandons it, which costs more than the encoding saves. Row-group (chunk) statistics are kept for
  // other readers' pruning; page statistics are skipped, since the manifest holds what oups needs.
  let builder = new WriterPropertiesBuilder()
    .setCompression(wasmCodecs[compression])
    // Version 2 data pages delta-encode integer columns (timestamps above all): zstd then has 2–3× fewer bytes to
    // decompress, which is what reading costs in wasm. Small pages let a read of part of a row group skip the rest.
    .setWriterVersion(WriterVersion.V2)
    .setDataPageSizeLimit(DATA_PAGE_BYTES)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(EnabledStatistics.Chunk);
  for (const column of dictionaryColumns) builder = builder.setColumnDictionaryEnabled(column, true);
  return builder;
}

function assertColumnsExist(file: ParquetFile, columns: readonly string[], name: string): void {
  const schema = file.schema();
  try {
    for (const column of columns) {
      try {
        // indexOf throws (rather than returning -1) for a name the schema lacks.
        schema.indexOf(column);
      } catch (err) {
        throw new OupsError("INVALID_ARGUMENT", `column ${JSON.stringify(column)} is not in row group file ${name}`, {
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
