import { availableParallelism } from "node:os";
import { relative, sep } from "node:path";
import { Worker } from "node:worker_threads";
import { OupsError } from "../errors.js";
import type { Compression } from "./compression.js";
import { parseCompression } from "./compression.js";
import type { ParquetWorkerReply, ParquetWorkerRequest, SerializedError } from "./parquet-worker-protocol.js";
import type { RowCut, RowSpan } from "./row-group-file-codec.js";
import { prepareTransfer } from "./transferable.js";

export type { Compression } from "./compression.js";
export type { RowCut, RowSpan } from "./row-group-file-codec.js";

/** Options of {@link ParquetPool.create}. */
export interface ParquetPoolOptions {
  /** Number of worker threads, at most; they start on demand (or on `warmUp`). Defaults to `os.availableParallelism()`. */
  readonly size?: number;
  /** For tests: the worker script to run instead of parquet-worker.js. It must speak the same protocol. */
  readonly workerUrl?: URL;
  /** The store directory: messages name files relative to it (clients never see the daemon's absolute paths). */
  readonly root?: string;
}

/** Options of {@link ParquetPool.writeRowGroupFile}. */
export interface WriteRowGroupFileOptions {
  /** Codec of every column. Defaults to DEFAULT_COMPRESSION (compression.ts). */
  readonly compression?: Compression;
  /** Columns to dictionary-encode (text, dictionaries); others are written plain. Default: none. */
  readonly dictionaryColumns?: readonly string[];
}

/** Options of {@link ParquetPool.readRowGroupFile}. */
export interface ReadRowGroupFileOptions {
  /**
   * Columns to read, without duplicates; all when absent. They come back in the file's order. An empty list
   * reads no column but keeps the row count.
   */
  readonly columns?: readonly string[];
  /** Rows per record batch at most; one batch for the whole row group when absent. */
  readonly batchRows?: number;
  /**
   * Only this part of the rows (of the cut's rows, with a cut): the first `take` after skipping `skip`. The read
   * then answers `null` when the part holds no row.
   */
  readonly rows?: RowSpan;
}

type SuccessReply = Extract<ParquetWorkerReply, { ok: true }>;
type JobRequest = ParquetWorkerRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;

interface Job {
  readonly id: number;
  readonly request: JobRequest;
  readonly transfer: ArrayBuffer[];
  readonly resolve: (reply: SuccessReply) => void;
  readonly reject: (err: OupsError) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  job: Job | undefined;
  wasmMemoryBytes: number;
}

const defaultWorkerUrl = new URL("./parquet-worker.js", import.meta.url);

/**
 * Encodes and decodes row-group files with parquet-wasm on worker threads, so that the main thread never
 * blocks on compression and no wasm memory lives in it. Jobs wait in one FIFO queue and go to the first idle
 * worker. A worker that crashes, or whose wasm instance trapped, fails its job with `OupsError("INTERNAL")` and is
 * replaced when work is next queued. Idle workers do not keep the process alive; workers with a job do.
 */
export class ParquetPool {
  readonly #size: number;
  readonly #workerUrl: URL;
  readonly #root: string | undefined;
  readonly #workers = new Set<PoolWorker>();
  readonly #idle: PoolWorker[] = [];
  readonly #queue: Job[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  #nextJobId = 1;
  #closed = false;

  private constructor(size: number, workerUrl: URL, root: string | undefined) {
    this.#size = size;
    this.#workerUrl = workerUrl;
    this.#root = root;
  }

  /**
   * Creates a pool of at most `options.size` workers (default `os.availableParallelism()`); none starts before
   * the first job or {@link warmUp}. Throws `OupsError("INVALID_ARGUMENT")` when the size is not a positive integer.
   */
  static create(options: ParquetPoolOptions = {}): ParquetPool {
    const size = options.size ?? availableParallelism();
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new OupsError("INVALID_ARGUMENT", `parquet pool size must be a positive integer, got ${size}`);
    }
    return new ParquetPool(size, options.workerUrl ?? defaultWorkerUrl, options.root);
  }

  /**
   * Writes the rows of the Arrow IPC stream `ipc` as a new Parquet file at `path` holding exactly one row group
   * (however many rows), with the Arrow schema embedded so that types read back unchanged. The file is
   * created (never overwritten) and fsynced before the promise resolves; its directory is not: fsync it before
   * anything durable points at the file. When `ipc` spans its whole `ArrayBuffer`, that buffer is moved to the
   * worker and `ipc` is left detached (empty); otherwise it is copied once.
   * Rejects with `OupsError`: `INVALID_ARGUMENT` for an unknown compression, `ALREADY_EXISTS` when `path`
   * exists, a file-system code (`DISK_FULL`, `STORE_READ_ONLY`, `PERMISSION_DENIED`) when writing fails,
   * `CANCELLED` when the pool is closed, `INTERNAL` (parquet-wasm or file-system error as `cause`, its errno
   * code kept).
   */
  async writeRowGroupFile(
    path: string,
    ipc: Uint8Array,
    options: WriteRowGroupFileOptions = {},
  ): Promise<{ bytes: number }> {
    const compression = parseCompression(options.compression);
    const { bytes, transfer } = prepareTransfer(ipc);
    const name = this.#nameOf(path);
    const reply = await this.#submit({ op: "write", path, name, ipc: bytes, compression, dictionaryColumns: options.dictionaryColumns ?? [] }, transfer);
    if (reply.op !== "write") {
      throw new OupsError("INTERNAL", `parquet worker answered a write of ${name} with a ${reply.op}`);
    }
    return { bytes: reply.bytes };
  }

  /**
   * Reads the Parquet file at `path` and resolves to its rows as Arrow IPC stream bytes (one record batch per
   * row group, in a buffer of their own). With `options.columns`, only those columns are read, and they come
   * back in the file's column order (select on the decoded table to reorder: it costs no copy).
   * Rejects with `OupsError`: `NOT_FOUND` when the file does not exist, `INVALID_ARGUMENT` for a duplicate
   * column or one the file lacks (named), `CANCELLED` when the pool is closed, `INTERNAL` otherwise.
   */
  async readRowGroupFile(path: string, options: ReadRowGroupFileOptions & { rows?: undefined } = {}): Promise<Uint8Array> {
    // Without a cut or a part, the worker always answers with bytes.
    return (await this.#read(path, options, null))!;
  }

  /**
   * Like {@link readRowGroupRows}, for a part of the rows of `cut`, or of the whole row group when `cut` is null;
   * `null` when the part holds no row.
   */
  async readRowGroupPart(path: string, cut: RowCut | null, rows: RowSpan, options: ReadRowGroupFileOptions = {}): Promise<Uint8Array | null> {
    return this.#read(path, { ...options, rows }, cut);
  }

  /**
   * Like {@link readRowGroupFile}, but only the rows whose ordered column `cut.orderedOn` lies within the cut's
   * bounds, or `null` when none does. The worker decodes the ordered column first, then decompresses only the
   * pages that hold those rows, so that reading a small part of a row group costs a small part of reading it.
   */
  async readRowGroupRows(path: string, cut: RowCut, options: ReadRowGroupFileOptions = {}): Promise<Uint8Array | null> {
    return this.#read(path, options, cut);
  }

  async #read(path: string, options: ReadRowGroupFileOptions, cut: RowCut | null): Promise<Uint8Array | null> {
    const columns = options.columns === undefined ? null : uniqueColumns(options.columns);
    const name = this.#nameOf(path);
    const reply = await this.#submit({ op: "read", path, name, columns, batchRows: options.batchRows ?? null, cut, rows: options.rows ?? null }, []);
    if (reply.op !== "read") {
      throw new OupsError("INTERNAL", `parquet worker answered a read of ${name} with a ${reply.op}`);
    }
    return reply.ipc;
  }

  /**
   * Starts every worker not started yet and resolves once each has loaded parquet-wasm, so that the first jobs do
   * not wait for workers to start (loading the wasm module takes a while). Workers stay unref'd while idle, as
   * ever. Rejects with `OupsError`: `CANCELLED` when the pool is closed, `INTERNAL` when a worker fails to start.
   */
  async warmUp(): Promise<void> {
    // Jobs waiting means every worker is started and busy. Otherwise idle workers take the first pings (a round
    // trip of a message) and each further ping starts a worker.
    const pings = this.#queue.length > 0 ? 0 : this.#idle.length + this.#size - this.#workers.size;
    const replies: Promise<SuccessReply>[] = [];
    for (let i = 0; i < pings; i++) replies.push(this.#submit({ op: "ping" }, []));
    await Promise.all(replies);
  }

  /**
   * Size in bytes of each live worker's wasm memory, as reported after its last job (0 before its first).
   * A worker's wasm memory grows up to 4 GiB and never shrinks; this is how to watch it.
   */
  wasmMemoryBytes(): number[] {
    return [...this.#workers].map((worker) => worker.wasmMemoryBytes);
  }

  /**
   * Rejects the jobs still queued with `OupsError("CANCELLED")`, waits for the running ones to finish, then
   * terminates every worker. Later calls reject with `CANCELLED`. Calling it again is harmless.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) {
      job.reject(new OupsError("CANCELLED", "parquet pool closed before the job started"));
    }
    await Promise.allSettled([...this.#pending]);
    const workers = [...this.#workers];
    this.#workers.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  /** `path` as messages name it: relative to the store, with `/` separators. */
  #nameOf(path: string): string {
    return this.#root === undefined ? path : relative(this.#root, path).split(sep).join("/");
  }

  #submit(request: JobRequest, transfer: ArrayBuffer[]): Promise<SuccessReply> {
    if (this.#closed) {
      return Promise.reject(new OupsError("CANCELLED", "parquet pool is closed"));
    }
    const promise = new Promise<SuccessReply>((resolve, reject) => {
      this.#queue.push({ id: this.#nextJobId++, request, transfer, resolve, reject });
    });
    this.#pending.add(promise);
    const forget = () => this.#pending.delete(promise);
    promise.then(forget, forget);
    this.#dispatch();
    return promise;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#workers.size < this.#size ? this.#spawn() : undefined);
      if (worker === undefined) {
        return;
      }
      const job = this.#queue.shift() as Job;
      worker.job = job;
      // A running job must keep the process alive until it settles, even though idle workers must not.
      worker.thread.ref();
      try {
        const message: ParquetWorkerRequest = { ...job.request, id: job.id };
        worker.thread.postMessage(message, job.transfer);
      } catch (err) {
        this.#release(worker);
        job.reject(new OupsError("INTERNAL", `cannot send a job to a parquet worker: ${String(err)}`, { cause: err }));
      }
    }
  }

  #spawn(): PoolWorker {
    const thread = new Worker(this.#workerUrl);
    const worker: PoolWorker = { thread, job: undefined, wasmMemoryBytes: 0 };
    thread.unref();
    thread.on("message", (reply: ParquetWorkerReply) => this.#onReply(worker, reply));
    thread.on("error", (err) => this.#retire(worker, err));
    thread.on("messageerror", (err) => this.#retire(worker, err));
    thread.on("exit", (code) => this.#retire(worker, new Error(`parquet worker exited with code ${code}`)));
    this.#workers.add(worker);
    return worker;
  }

  #onReply(worker: PoolWorker, reply: ParquetWorkerReply): void {
    const job = worker.job;
    if (job === undefined || job.id !== reply.id) {
      this.#retire(worker, new Error(`parquet worker answered job ${reply.id}, expected ${job?.id ?? "none"}`));
      return;
    }
    worker.job = undefined;
    worker.wasmMemoryBytes = reply.wasmMemoryBytes;
    if (reply.ok) {
      this.#release(worker);
      job.resolve(reply);
    } else {
      if (reply.fatal) {
        this.#retire(worker, undefined);
      } else {
        this.#release(worker);
      }
      job.reject(new OupsError(reply.code, reply.message, { cause: deserializeError(reply.cause) }));
    }
    this.#dispatch();
  }

  #release(worker: PoolWorker): void {
    worker.thread.unref();
    this.#idle.push(worker);
  }

  /** Drops `worker` from the pool and terminates it, failing its job (if any) with `reason`. */
  #retire(worker: PoolWorker, reason: unknown): void {
    if (!this.#workers.delete(worker)) {
      return;
    }
    const idleIndex = this.#idle.indexOf(worker);
    if (idleIndex >= 0) {
      this.#idle.splice(idleIndex, 1);
    }
    const job = worker.job;
    worker.job = undefined;
    // The thread may be gone already (exit) or wedged (bad reply): either way it gets no more work.
    void worker.thread.terminate();
    if (job !== undefined) {
      const { request } = job;
      const what = request.op === "ping" ? "starting" : `${request.op === "write" ? "writing" : "reading"} ${request.name}`;
      job.reject(
        new OupsError("INTERNAL", `parquet worker failed while ${what}: ${String(reason)}`, {
          cause: reason,
        }),
      );
    }
    if (!this.#closed) {
      this.#dispatch();
    }
  }
}

function uniqueColumns(columns: readonly string[]): readonly string[] {
  const seen = new Set<string>();
  for (const column of columns) {
    if (typeof column !== "string") {
      throw new OupsError("INVALID_ARGUMENT", `column names must be strings, got ${String(column)}`);
    }
    if (seen.has(column)) {
      throw new OupsError("INVALID_ARGUMENT", `column ${JSON.stringify(column)} is requested twice`);
    }
    seen.add(column);
  }
  return columns;
}

function deserializeError(serialized: SerializedError): Error {
  const err = new Error(serialized.message);
  err.name = serialized.name;
  if (serialized.stack !== undefined) {
    err.stack = serialized.stack;
  }
  if (serialized.code !== undefined) {
    (err as NodeJS.ErrnoException).code = serialized.code;
  }
  return err;
}
