import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecutionContext } from "ava";
import test from "ava";
import { OupsError } from "../../server/src/store/errors.js";
import { LOCK_DIR, LOCK_OWNER_FILE } from "../../server/src/store/keys/layout.js";
import type { LockOwner } from "../../server/src/store/lock/lock-owner.js";
import { lockDirId } from "../../server/src/store/lock/lock-owner.js";
import { currentProcessIdentity } from "../../server/src/store/lock/process-identity.js";
import { StoreLock } from "../../server/src/store/store-lock.js";
import { exited, waitForLine } from "../helpers/child-process.js";

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
  t.true(err?.message.includes(`held by pid ${process.pid} on host ${hostname()} since `), err?.message);
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

const lockHolderScript = fileURLToPath(new URL("../helpers/lock-holder.js", import.meta.url));

/** A separate process taking the lock of `dir` (see lock-holder.ts); killed when the test ends. */
async function startHolder(t: ExecutionContext, dir: string): Promise<{ child: ChildProcess; result: { locked: boolean; message?: string } }> {
  const child = spawn(process.execPath, [lockHolderScript, dir], { stdio: ["pipe", "pipe", "inherit"] });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  const line = await waitForLine(child.stdout!, /^\{/);
  return { child, result: JSON.parse(line) as { locked: boolean; message?: string } };
}

async function writeRecord(dir: string, fields: Partial<LockOwner>): Promise<void> {
  const owner: LockOwner = {
    pid: process.pid,
    startTime: null,
    bootId: null,
    hostname: hostname(),
    since: new Date().toISOString(),
    lockDirId: (await lockDirId(dir))!,
    ...fields,
  };
  await writeFile(join(dir, LOCK_OWNER_FILE), JSON.stringify(owner));
}

test("a live holder is named in the error: pid, host and since when", async (t) => {
  const dir = await tempStore(t);
  const { child, result } = await startHolder(t, dir);
  t.true(result.locked);
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.regex(err!.message, new RegExp(`held by pid ${child.pid} on host ${hostname().replace(/\W/g, "\\$&")} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
  child.stdin!.end();
  await exited(child);
  t.false(await exists(join(dir, LOCK_DIR)), "the holder released the lock");
  t.false(await exists(join(dir, LOCK_OWNER_FILE)), "and removed its owner record");
});

test("the lock of a holder killed by SIGKILL is taken over at once", async (t) => {
  const dir = await tempStore(t);
  const { child, result } = await startHolder(t, dir);
  t.true(result.locked);
  child.kill("SIGKILL");
  await exited(child);
  t.true(await exists(join(dir, LOCK_DIR)), "a crashed holder leaves its lock");
  // The lock is fresh (proper-lockfile would wait 10 s): only the owner record can show its holder is gone.
  const lock = await StoreLock.acquire(dir);
  t.false(lock.compromised);
  const record = JSON.parse(await readFile(join(dir, LOCK_OWNER_FILE), "utf8")) as LockOwner;
  t.is(record.pid, process.pid);
  await lock.release();
  t.deepEqual((await readdir(dir)).sort(), [], "no leftover of the takeover");
});

test("a recorded owner whose pid is alive but started at another time is taken over", async (t) => {
  const dir = await tempStore(t);
  await mkdir(join(dir, LOCK_DIR));
  // This very pid, but not this process: a pid reused since the owner died.
  await writeRecord(dir, { startTime: "1" });
  const lock = await StoreLock.acquire(dir);
  t.false(lock.compromised);
  await lock.release();
});

test("a recorded owner that is this very process is not taken over", async (t) => {
  const dir = await tempStore(t);
  await mkdir(join(dir, LOCK_DIR));
  await writeRecord(dir, currentProcessIdentity());
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.regex(err!.message, new RegExp(`held by pid ${process.pid} `));
});

test("an owner recorded on another host is left to proper-lockfile's staleness", async (t) => {
  const dir = await tempStore(t);
  const lockDir = join(dir, LOCK_DIR);
  await mkdir(lockDir);
  await writeRecord(dir, { hostname: "elsewhere.example", pid: 999_999_999 });
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.regex(err!.message, /held by pid 999999999 on host elsewhere\.example since /);
  const old = new Date(Date.now() - 60_000);
  await utimes(lockDir, old, old);
  const lock = await StoreLock.acquire(dir);
  await lock.release();
});

test("an unreadable owner record is left to proper-lockfile's staleness", async (t) => {
  const dir = await tempStore(t);
  const lockDir = join(dir, LOCK_DIR);
  await mkdir(lockDir);
  await writeFile(join(dir, LOCK_OWNER_FILE), "{not json");
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.regex(err!.message, /owner not recorded/);
  const old = new Date(Date.now() - 60_000);
  await utimes(lockDir, old, old);
  const lock = await StoreLock.acquire(dir);
  await lock.release();
});

test("a record left from an earlier lock directory does not make a newer lock look abandoned", async (t) => {
  const dir = await tempStore(t);
  await mkdir(join(dir, LOCK_DIR));
  // Names a dead owner, but of another lock directory than the one there now.
  await writeRecord(dir, { pid: 999_999_999, lockDirId: "1:0" });
  const err = await t.throwsAsync(StoreLock.acquire(dir), { instanceOf: OupsError });
  t.is(err?.code, "STORE_LOCKED");
  t.true(await exists(join(dir, LOCK_DIR)));
});

test("processes taking over a crashed holder's lock at once: exactly one gets it, the others name it", async (t) => {
  const dir = await tempStore(t);
  for (let round = 0; round < 3; round++) {
    const crashed = await startHolder(t, dir);
    t.true(crashed.result.locked);
    crashed.child.kill("SIGKILL");
    await exited(crashed.child);
    const contenders = await Promise.all([0, 1, 2, 3].map(() => startHolder(t, dir)));
    const winners = contenders.filter((c) => c.result.locked);
    t.is(winners.length, 1, JSON.stringify(contenders.map((c) => c.result)));
    for (const loser of contenders.filter((c) => !c.result.locked)) {
      t.regex(loser.result.message ?? "", /is locked/);
    }
    // The winner's lock is the one on disk, with its record; then it crashes too, for the next round.
    const record = JSON.parse(await readFile(join(dir, LOCK_OWNER_FILE), "utf8")) as LockOwner;
    t.is(record.pid, winners[0]!.child.pid ?? -1);
    for (const c of contenders) c.child.kill("SIGKILL");
    await Promise.all(contenders.map((c) => exited(c.child)));
  }
});
