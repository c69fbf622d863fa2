import test from "ava";
import { createConcurrencyLimit } from "../../../server/src/store/queue/concurrency-limit.js";

test("at most max tasks run at once and all of them complete in arrival order", async (t) => {
  const limit = createConcurrencyLimit(3);
  let running = 0;
  let maxRunning = 0;
  const started: number[] = [];
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      limit(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        started.push(i);
        await Promise.resolve();
        running--;
        return i * 2;
      }),
    ),
  );
  t.is(maxRunning, 3);
  t.deepEqual(started, Array.from({ length: 50 }, (_, i) => i));
  t.deepEqual(results, Array.from({ length: 50 }, (_, i) => i * 2));
});

test("a failing task frees its slot", async (t) => {
  const limit = createConcurrencyLimit(1);
  await t.throwsAsync(
    limit(async () => {
      throw new Error("boom");
    }),
    { message: "boom" },
  );
  t.is(await limit(async () => "after"), "after");
});

test("a non-positive limit is rejected", (t) => {
  t.throws(() => createConcurrencyLimit(0), { instanceOf: RangeError });
});
