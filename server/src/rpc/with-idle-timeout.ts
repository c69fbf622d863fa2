/**
 * Iterates `requests`, failing with `onIdle()` when one wait for the next request lasts `timeoutMs` (0: never).
 * Only time spent waiting for the client counts: while the caller works between two `next()` calls (merging rows,
 * waiting for its key's turn or for a write slot), no timer runs, so backpressure from the daemon itself never
 * times out its client.
 */
export async function* withIdleTimeout<T>(requests: AsyncIterable<T>, timeoutMs: number, onIdle: () => Error): AsyncGenerator<T> {
  if (timeoutMs <= 0) {
    yield* requests;
    return;
  }
  const iterator = requests[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onIdle()), timeoutMs);
      });
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([iterator.next(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // After a timeout the pending next() settles only when the call ends: close the source without waiting for it.
    if (!finished) Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
