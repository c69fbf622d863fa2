/** Runs `task` once a slot is free; see {@link createConcurrencyLimit}. */
export type ConcurrencyLimit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Returns a function that runs at most `max` tasks at a time, starting waiting tasks in arrival order.
 * Meant to wrap leaf operations (one `readdir`, one `access`): a task that itself waits on the same limit can
 * deadlock.
 */
export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${max}`);
  let active = 0;
  // A head index instead of Array#shift keeps dequeuing O(1) when thousands of tasks wait.
  let waiting: ((() => void) | undefined)[] = [];
  let head = 0;
  const release = (): void => {
    const next = waiting[head];
    if (next === undefined) {
      active--;
      return;
    }
    // Drop the reference so the resolved promise can be collected while the queue drains.
    waiting[head++] = undefined;
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
    // The slot passes straight to the next task, so `active` is unchanged.
    next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
