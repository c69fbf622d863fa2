import { mkdir, mkdtemp, rm, rmdir, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutionContext } from "ava";
import test from "ava";
import { OupsError } from "../../server/src/store/errors.js";
import { LOCK_DIR } from "../../server/src/store/keys/layout.js";
import { StoreLock } from "../../server/src/store/store-lock.js";

async function tempStore(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oups-store-lock-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

test("a second acquire of the same directory fails with STORE_LOCKED", async (t) => {
  const dir = await tempStore(t);
  const lock = await StoreLock.acquire(dir);
  t.teardown(() => lock.release());
  t.true(await exists(join(dir, LOCK_DIR)));
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.true(err?.message.includes(dir), err?.message);
  t.true(err?.message.includes("another oups daemon"), err?.message);
});

test("a stale lock is taken over", async (t) => {
  const dir = await tempStore(t);
  // proper-lockfile's layout: an empty directory whose mtime is the last refresh.
  const lockDir = join(dir, LOCK_DIR);
  await mkdir(lockDir);
  const old = new Date(Date.now() - 60_000);
  await utimes(lockDir, old, old);
  const lock = await StoreLock.acquire(dir);
  t.false(lock.compromised);
  t.true((await stat(lockDir)).mtimeMs > old.getTime() + 30_000);
  await lock.release();
  t.false(await exists(lockDir));
});

test("a fresh lock left by someone else is not taken over", async (t) => {
  const dir = await tempStore(t);
  await mkdir(join(dir, LOCK_DIR));
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.true(await exists(join(dir, LOCK_DIR)));
});

test("release then re-acquire works, and release is idempotent", async (t) => {
  const dir = await tempStore(t);
  const first = await StoreLock.acquire(dir);
  await first.release();
  await first.release();
  t.false(await exists(join(dir, LOCK_DIR)));
  const second = await StoreLock.acquire(dir);
  t.true(await exists(join(dir, LOCK_DIR)));
  await second.release();
  t.false(await exists(join(dir, LOCK_DIR)));
});

test("acquiring a missing directory fails with NOT_FOUND", async (t) => {
  const dir = await tempStore(t);
  const err = await t.throwsAsync(StoreLock.acquire(join(dir, "absent")), { instanceOf: OupsError });
  t.is(err?.code, "NOT_FOUND");
});

test("a lost lock is reported, not thrown, and refuses writes", async (t) => {
  const dir = await tempStore(t);
  let reported: (err: Error) => void = () => {};
  const compromised = new Promise<Error>((resolve) => {
    reported = resolve;
  });
  // The shortest refresh proper-lockfile allows is 1 s: the test waits for that refresh to notice the loss.
  const lock = await StoreLock.acquire(dir, { staleMs: 2000, updateMs: 1000, onCompromised: (err) => reported(err) });
  t.false(lock.compromised);
  t.notThrows(() => lock.assertNotCompromised());
  await rmdir(join(dir, LOCK_DIR));
  // proper-lockfile unrefs its refresh timer; keep the process alive until it fires.
  const keepAlive = setInterval(() => {}, 60_000);
  const err = await compromised.finally(() => clearInterval(keepAlive));
  t.is((err as NodeJS.ErrnoException).code, "ECOMPROMISED");
  t.true(lock.compromised);
  const refused = t.throws(() => lock.assertNotCompromised(), { instanceOf: OupsError });
  t.is(refused?.code, "LOCK_COMPROMISED");
  // Someone else may own the directory now: release must leave it alone.
  await mkdir(join(dir, LOCK_DIR));
  await lock.release();
  t.true(await exists(join(dir, LOCK_DIR)));
});
