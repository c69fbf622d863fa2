import type { OupsErrorCode } from "../errors.js";
import type { Compression } from "./compression.js";
import type { RowCut, RowSpan } from "./row-group-file-codec.js";

/** A job posted by the pool to a parquet worker. `id` is echoed in the reply. */
export type ParquetWorkerRequest =
  | {
      readonly id: number;
      readonly op: "write";
      readonly path: string;
      /** The file as messages name it: its path relative to the store (clients never see absolute paths). */
      readonly name: string;
      readonly ipc: Uint8Array;
      readonly compression: Compression;
      /** Columns worth dictionary encoding; the others are written plain. */
      readonly dictionaryColumns: readonly string[];
    }
  | {
      readonly id: number;
      readonly op: "read";
      readonly path: string;
      /** The file as messages name it: its path relative to the store. */
      readonly name: string;
      readonly columns: readonly string[] | null;
      /** Rows per record batch at most; the whole row group in one batch when null. */
      readonly batchRows: number | null;
      /** Only the rows within these bounds of the ordered column; all when null. */
      readonly cut: RowCut | null;
      /** Of those rows, skip the first `skip` and return `take` at most; all of them when null. */
      readonly rows: RowSpan | null;
    }
  /** Answered as soon as the worker handles messages, which it does once parquet-wasm is loaded. */
  | { readonly id: number; readonly op: "ping" };

/** An error flattened for `postMessage`, which would drop its `code` and `cause`. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Node's errno code (`ENOENT`, …) when there was one. */
  readonly code: string | undefined;
}

/** What a parquet worker answers to one {@link ParquetWorkerRequest}. */
export type ParquetWorkerReply = (
  | { readonly ok: true; readonly op: "write"; readonly bytes: number }
  /** `ipc` is null when the cut left no row. */
  | { readonly ok: true; readonly op: "read"; readonly ipc: Uint8Array | null }
  | { readonly ok: true; readonly op: "ping" }
  | {
      readonly ok: false;
      readonly code: OupsErrorCode;
      readonly message: string;
      readonly cause: SerializedError;
      /** True when the worker's wasm instance may be corrupt (it trapped): the pool must replace the worker. */
      readonly fatal: boolean;
    }
) & {
  readonly id: number;
  /** Size of the worker's wasm linear memory after the job (it grows, never shrinks). */
  readonly wasmMemoryBytes: number;
};
