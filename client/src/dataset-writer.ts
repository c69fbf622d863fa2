import type { RecordBatch } from "apache-arrow";
import { Table } from "apache-arrow";
import { OupsClientError } from "./errors.js";
import type { KeyFields } from "./index-schema.js";
import type { OupsClient, WriteOptions, WriteResult } from "./oups-client.js";

/** Options of a buffered writer: write options plus when to flush. */
export interface DatasetWriterOptions extends Omit<WriteOptions, "signal"> {
  /** Flush once this many rows are buffered (default 100 000). */
  flushRows?: number;
  /** Flush rows buffered for this long, in milliseconds (default: no timer). */
  flushMs?: number;
}

/**
 * A collector: buffers appended rows and writes them in one commit per flush (by row count, by timer, or on
 * demand), so that a source producing small batches still makes few, well-sized commits. Flushes run one at a
 * time, in order. A failed flush keeps its rows out of the store and reports the error on the next call.
 */
export class DatasetWriter {
  private buffer: RecordBatch[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private readonly flushRows: number;
  private readonly writeOptions: WriteOptions;
  /** Results of the commits made so far, in order. */
  readonly results: WriteResult[] = [];

  constructor(
    private readonly client: OupsClient,
    private readonly key: KeyFields,
    private readonly options: DatasetWriterOptions = {},
  ) {
    this.flushRows = options.flushRows ?? 100_000;
    const { flushRows: _rows, flushMs: _ms, ...writeOptions } = options;
    this.writeOptions = writeOptions;
  }

  /** Rows waiting for the next flush. */
  get pendingRows(): number {
    return this.buffered;
  }

  /** Buffers rows; flushes (without waiting for it) once `flushRows` are buffered. */
  append(rows: Table | RecordBatch): void {
    this.throwIfFailed();
    if (this.closed) throw new OupsClientError("FAILED_PRECONDITION", 9, "writer is closed");
    const batches = rows instanceof Table ? rows.batches : [rows];
    for (const batch of batches) {
      if (batch.numRows === 0) continue;
      this.buffer.push(batch);
      this.buffered += batch.numRows;
    }
    if (this.buffered >= this.flushRows) void this.flush().catch(() => undefined);
    else if (this.buffered > 0 && this.options.flushMs !== undefined && !this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.options.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is buffered as one commit and waits for every flush so far. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.buffer;
    this.buffer = [];
    this.buffered = 0;
    if (batches.length > 0) {
      this.flushing = this.flushing.then(async () => {
        if (this.failure) return;
        try {
          this.results.push(await this.client.write(this.key, batches, this.writeOptions));
        } catch (err) {
          this.failure = err;
        }
      });
    }
    await this.flushing;
    this.throwIfFailed();
  }

  /** Flushes what is left and refuses further rows. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }

  private throwIfFailed(): void {
    if (this.failure) throw OupsClientError.from(this.failure);
  }
}
