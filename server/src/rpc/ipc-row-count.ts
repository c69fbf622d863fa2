import { IpcStreamFraming } from "../store/io/ipc-stream-framing.js";

/**
 * Counts the rows of an Arrow IPC stream as its chunks go by, from the record batch headers alone (nothing is
 * decoded): how a RangeQuery, whose row groups are forwarded as the Parquet workers encoded them, knows the rows
 * it sent.
 */
export class IpcRowCount {
  #rows = 0;
  readonly #framing = new IpcStreamFraming((message) => {
    if (message.isRecordBatch()) this.#rows += message.header().length;
  });

  /** Takes the next chunk of the stream; returns the rows of the batches whose header it completes. */
  push(chunk: Uint8Array): number {
    const before = this.#rows;
    this.#framing.push(chunk);
    return this.#rows - before;
  }

  get rows(): number {
    return this.#rows;
  }
}
