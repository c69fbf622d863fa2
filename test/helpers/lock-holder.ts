/**
 * A separate process holding a store's lock, for lock tests: `node lock-holder.js DIR` takes the lock of DIR and
 * prints one JSON line, `{"locked":true}` or `{"locked":false,"message":…}`; it releases the lock and exits when its
 * standard input ends (or dies of SIGKILL, as a crashed daemon would).
 */
import { StoreLock } from "../../server/src/store/store-lock.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: lock-holder DIR");
const result = await StoreLock.tryAcquire(dir);
if (result instanceof StoreLock) {
  process.stdout.write(`${JSON.stringify({ locked: true })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void result.release().then(() => process.exit(0));
  });
} else {
  process.stdout.write(`${JSON.stringify({ locked: false, message: result.message })}\n`);
}
