interface KeyChain {
  /** Settles when the last queued task has settled; never rejects. */
  tail: Promise<void>;
  /** Tasks queued or running for this key. */
  pending: number;
}

const ignore = (): void => {};

/**
 * Runs tasks for the same key one at a time, in arrival order, and tasks for different keys in parallel.
 * A failing task fails only its own `run` call; the next task for the key still runs. A key's state is dropped as
 * soon as its last task settles, so idle keys cost nothing.
 *
 * Hand-written rather than `p-queue`/`async-mutex`: each key needs only a promise chain and a counter (a dozen
 * lines), while a library would still need this map and its cleanup around it, plus a dependency to keep updated.
 */
export class KeyQueue {
  readonly #chains = new Map<string, KeyChain>();

  /**
   * Runs `task` after every task queued before it for `key` has settled, and settles like it.
   * `task` never starts synchronously, even on an idle key.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let chain = this.#chains.get(key);
    if (chain === undefined) {
      chain = { tail: Promise.resolve(), pending: 0 };
      this.#chains.set(key, chain);
    }
    const current = chain;
    current.pending++;
    const result = current.tail.then(task);
    current.tail = result.then(ignore, ignore).then(() => {
      // Only the last queued task sees 0: a task queued meanwhile raised `pending` and chained after this one.
      if (--current.pending === 0) this.#chains.delete(key);
    });
    return result;
  }

  /** Number of keys with a task queued or running. */
  get size(): number {
    return this.#chains.size;
  }

  /** Tasks queued or running: in all, and for the key with the most (a walk over the busy keys). */
  get stats(): KeyQueueStats {
    let tasks = 0;
    let maxPerKey = 0;
    for (const { pending } of this.#chains.values()) {
      tasks += pending;
      maxPerKey = Math.max(maxPerKey, pending);
    }
    return { keys: this.#chains.size, tasks, maxPerKey };
  }
}

/** What {@link KeyQueue.stats} reports. */
export interface KeyQueueStats {
  /** Keys with a task queued or running. */
  keys: number;
  /** Tasks queued or running, over all keys. */
  tasks: number;
  /** Tasks queued or running for the busiest key. */
  maxPerKey: number;
}
