import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * Where a command writes its result: stdout or a file, written with backpressure. A reader that goes away (EPIPE,
 * as with `| head`) is not an error: {@link closed} turns true and further writes are dropped, so that the command
 * can stop early and exit cleanly.
 */
export class Output {
  private failure: Error | undefined;
  /** True once the reader has gone away. */
  closed = false;

  private constructor(
    private readonly stream: Writable,
    /** The file written, or undefined for stdout. */
    readonly path: string | undefined,
  ) {
    // A listener at all times: an error emitted between two writes would otherwise crash the process.
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") this.closed = true;
      else this.failure = err;
    });
  }

  /** Standard output. */
  static stdout(): Output {
    return new Output(process.stdout, undefined);
  }

  /** A new (or truncated) file at `path`. */
  static async file(path: string): Promise<Output> {
    const stream = createWriteStream(path);
    await once(stream, "open");
    return new Output(stream, path);
  }

  /** True when this output is an interactive terminal. */
  get isTTY(): boolean {
    return this.path === undefined && process.stdout.isTTY === true;
  }

  /** Writes `chunk`, waiting while the stream's buffer is full. */
  async write(chunk: string | Uint8Array): Promise<void> {
    this.check();
    if (this.closed) return;
    if (!this.stream.write(chunk)) {
      // An error rejects these too; the listener above has recorded it, and check() reports it. The listener of
      // the event that did not happen is removed: left behind, one per wait, they pile up past Node's warning limit.
      const settled = new AbortController();
      const { signal } = settled;
      await Promise.race([once(this.stream, "drain", { signal }), once(this.stream, "close", { signal })])
        .catch(() => undefined)
        .finally(() => settled.abort());
    }
    this.check();
  }

  /** Flushes and closes a file (stdout stays open). */
  async end(): Promise<void> {
    this.check();
    if (this.path !== undefined) {
      this.stream.end();
      await finished(this.stream);
    }
  }

  /** Closes and deletes a partly written file, after a failure. */
  async discard(): Promise<void> {
    if (this.path === undefined) return;
    this.stream.destroy();
    await rm(this.path, { force: true });
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
