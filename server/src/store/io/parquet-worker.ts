/**
 * Entry point of `ParquetPool`'s worker threads: runs one {@link ParquetWorkerRequest} at a time with
 * parquet-wasm and answers each with a {@link ParquetWorkerReply}. Not meant to be imported.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { OupsError } from "../errors.js";
import type { ParquetWorkerReply, ParquetWorkerRequest, SerializedError } from "./parquet-worker-protocol.js";
import { decodeRowGroupFile, encodeRowGroupFile, wasmMemoryBytes } from "./row-group-file-codec.js";
import { prepareTransfer } from "./transferable.js";

if (parentPort === null) {
  throw new Error("parquet-worker.js must run in a worker thread started by ParquetPool");
}
const port = parentPort;

port.on("message", (request: ParquetWorkerRequest) => {
  void handle(request);
});

async function handle(request: ParquetWorkerRequest): Promise<void> {
  try {
    if (request.op === "ping") {
      // The codec module, and parquet-wasm with it, loaded before this module's first message handler ran.
      reply({ id: request.id, ok: true, op: "ping", wasmMemoryBytes: wasmMemoryBytes() });
    } else if (request.op === "write") {
      const bytes = await encodeRowGroupFile(request.path, request.ipc, request.compression, request.dictionaryColumns, request.name);
      reply({ id: request.id, ok: true, op: "write", bytes, wasmMemoryBytes: wasmMemoryBytes() });
    } else {
      const ipc = await decodeRowGroupFile(request.path, request);
      // parquet-wasm copies the stream out of wasm memory into a buffer of its own, so this moves, never copies.
      const { bytes, transfer } = ipc === null ? { bytes: null, transfer: [] } : prepareTransfer(ipc);
      reply({ id: request.id, ok: true, op: "read", ipc: bytes, wasmMemoryBytes: wasmMemoryBytes() }, transfer);
    }
  } catch (err) {
    const failure = err instanceof OupsError ? err : new OupsError("INTERNAL", messageOf(err), { cause: err });
    const cause = failure.cause ?? failure;
    reply({
      id: request.id,
      ok: false,
      code: failure.code,
      message: failure.message,
      cause: serializeError(cause),
      fatal: isWasmTrap(cause),
      wasmMemoryBytes: wasmMemoryBytes(),
    });
  }
}

// A trap (a Rust panic, a failed allocation) unwinds no Rust state, so the instance may be left inconsistent.
function isWasmTrap(err: unknown): boolean {
  // By name: this project's lib typings lack the WebAssembly namespace, and no other built-in error is so named.
  return err instanceof Error && err.name === "RuntimeError";
}

function reply(message: ParquetWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const errno = typeof code === "string" ? code : undefined;
    return { name: err.name, message: err.message, stack: err.stack, code: errno };
  }
  return { name: "Error", message: String(err), stack: undefined, code: undefined };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
