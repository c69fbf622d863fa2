import test from "ava";
import { KeyQueue } from "../../../server/src/store/queue/key-queue.js";

/** A promise with its resolve function outside, to let one task release another. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks (the queue's cleanup after each task) run. */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test("tasks on one key run one at a time in arrival order", async (t) => {
  const queue = new KeyQueue();
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const runs = Array.from({ length: 16 }, (_, i) =>
    queue.run("k", async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${i}`);
      // Yield a few times so that an overlapping task would get a chance to start.
      for (let j = 0; j < 3; j++) await Promise.resolve();
      events.push(`end ${i}`);
      running--;
      return i;
    }),
  );
  t.deepEqual(
    await Promise.all(runs),
    Array.from({ length: 16 }, (_, i) => i),
  );
  t.is(maxRunning, 1);
  t.deepEqual(
    events,
    Array.from({ length: 16 }, (_, i) => [`start ${i}`, `end ${i}`]).flat(),
  );
});

test("tasks on different keys run concurrently", async (t) => {
  const queue = new KeyQueue();
  const released = deferred();
  // A can only finish once B has run: with A and B serialised this would never settle.
  const a = queue.run("a", async () => {
    await released.promise;
    return "a";
  });
  const b = queue.run("b", async () => {
    released.resolve();
    return "b";
  });
  t.deepEqual(await Promise.all([a, b]), ["a", "b"]);
});

test("the queue size drops to 0 when idle", async (t) => {
  const queue = new KeyQueue();
  const gate = deferred();
  const first = queue.run("a", () => gate.promise);
  const second = queue.run("a", async () => {});
  const other = queue.run("b", async () => {});
  t.is(queue.size, 2);
  await other;
  await flushPromises();
  t.is(queue.size, 1);
  gate.resolve();
  await Promise.all([first, second]);
  await flushPromises();
  t.is(queue.size, 0);
});

test("a failing task does not block the next one on the same key", async (t) => {
  const queue = new KeyQueue();
  const failing = queue.run("k", async () => {
    throw new Error("boom");
  });
  const throwingSync = queue.run("k", () => {
    throw new Error("sync boom");
  });
  const next = queue.run("k", async () => "next ran");
  await t.throwsAsync(failing, { message: "boom" });
  await t.throwsAsync(throwingSync, { message: "sync boom" });
  t.is(await next, "next ran");
  await flushPromises();
  t.is(queue.size, 0);
});

test("a key queued again after going idle starts a fresh queue", async (t) => {
  const queue = new KeyQueue();
  await queue.run("k", async () => 1);
  await flushPromises();
  t.is(queue.size, 0);
  t.is(await queue.run("k", async () => 2), 2);
});

test("stats count the tasks queued or running, the busy keys and the busiest key's depth", async (t) => {
  const queue = new KeyQueue();
  t.deepEqual(queue.stats, { keys: 0, tasks: 0, maxPerKey: 0 });
  const gate = deferred();
  const tasks = [queue.run("a", () => gate.promise), queue.run("a", async () => {}), queue.run("a", async () => {}), queue.run("b", () => gate.promise)];
  t.deepEqual(queue.stats, { keys: 2, tasks: 4, maxPerKey: 3 });
  gate.resolve();
  await Promise.all(tasks);
  await flushPromises();
  t.deepEqual(queue.stats, { keys: 0, tasks: 0, maxPerKey: 0 });
});
