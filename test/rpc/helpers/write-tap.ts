import type { RecordBatch } from "apache-arrow";
import type { WriteInput, WriteResult } from "../../../server/src/store/dataset/write-dataset.js";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { Store } from "../../../server/src/store/store.js";

/** One write as the daemon's engine runs it. */
export interface TappedWrite {
  /** The key and options, as the RPC layer passed them. */
  readonly key: Readonly<Record<string, string>>;
  readonly options: WriteOptions;
  /** Resolves once the engine has pulled `count` record batches of the write's input. */
  pulled(count: number): Promise<void>;
  /** Settles when the engine's write settles (its files written and committed, or discarded): never rejects. */
  readonly settled: Promise<{ result?: WriteResult; error?: unknown }>;
}

/** Watches the writes a daemon's store runs, without changing them. */
export interface WriteTap {
  /** The next write the engine is asked to run (writes already started are handed out first, in order). */
  next(): Promise<TappedWrite>;
  /** Puts the store's own `write` back. */
  restore(): void;
}

/**
 * Wraps `store.write` so that a test knows, without timing, when the engine has a write in hand, how far it has
 * read its input, and when it is done with it (commit or cleanup included).
 */
export function tapWrites(store: Store): WriteTap {
  const original = store.write;
  const started: TappedWrite[] = [];
  const waiting: ((write: TappedWrite) => void)[] = [];
  store.write = (key, input, options) => {
    let count = 0;
    const listeners: { count: number; resolve: () => void }[] = [];
    async function* counted(batches: WriteInput["batches"]): AsyncGenerator<RecordBatch> {
      for await (const batch of batches) {
        count++;
        for (const l of listeners.filter((l) => l.count <= count)) l.resolve();
        yield batch;
      }
    }
    const running = original.call(store, key, { schema: input.schema, batches: counted(input.batches) }, options);
    const write: TappedWrite = {
      key,
      options,
      pulled: (n) => (n <= count ? Promise.resolve() : new Promise((resolve) => listeners.push({ count: n, resolve }))),
      settled: running.then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      ),
    };
    const taker = waiting.shift();
    if (taker) taker(write);
    else started.push(write);
    return running;
  };
  return {
    next: () => {
      const write = started.shift();
      return write ? Promise.resolve(write) : new Promise((resolve) => waiting.push(resolve));
    },
    restore: () => {
      store.write = original;
    },
  };
}

/** Watches the range reads a daemon's store opens. */
export interface RangeReadTap {
  /** The signal of the next range read the engine opens: aborted when its call is cancelled or times out. */
  next(): Promise<AbortSignal>;
  restore(): void;
}

/** Wraps `store.openRange` to hand out the signal of each read (see {@link RangeReadTap}). */
export function tapRangeReads(store: Store): RangeReadTap {
  const original = store.openRange;
  const opened: AbortSignal[] = [];
  const waiting: ((signal: AbortSignal) => void)[] = [];
  store.openRange = (key, query) => {
    const signal = query.signal ?? new AbortController().signal;
    const taker = waiting.shift();
    if (taker) taker(signal);
    else opened.push(signal);
    return original.call(store, key, query);
  };
  return {
    next: () => {
      const signal = opened.shift();
      return signal ? Promise.resolve(signal) : new Promise((resolve) => waiting.push(resolve));
    },
    restore: () => {
      store.openRange = original;
    },
  };
}
