import { readdir, rename, rmdir, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { lock } from "proper-lockfile";
import { OupsError } from "./errors.js";
import { LOCK_DIR, LOCK_OWNER_FILE } from "./keys/layout.js";
import type { LockOwner, OwnerRecord } from "./lock/lock-owner.js";
import { describeOwner, dirId, lockDirId, ownerFile, privateName, readOwnerRecord, writeOwnerRecord } from "./lock/lock-owner.js";
import { processState } from "./lock/process-identity.js";

/** Options of {@link StoreLock.acquire}. */
export interface StoreLockOptions {
  /**
   * Age after which a lock whose owner cannot be checked (another host, no owner record) counts as abandoned and is
   * taken over. Default 10000; proper-lockfile raises anything below 2000 to 2000.
   */
  staleMs?: number;
  /** How often the lock's mtime is refreshed. Default `staleMs / 2`; proper-lockfile keeps it within [1000, staleMs / 2]. */
  updateMs?: number;
  /** Called once if the lock is lost (its directory removed, or taken over after the refresh fell behind). */
  onCompromised?: (err: Error) => void;
}

/** Who holds a store's lock when {@link StoreLock.tryAcquire} could not take it. */
export interface LockHolder {
  /** The holder's owner record; undefined when none describes the lock directory (the holder is unknown). */
  owner: LockOwner | undefined;
  /** The reason, naming the holder when known ("held by pid N on host H since T"). */
  message: string;
}

/** Looks at a lock without a (matching) owner record this many times, a moment apart: its holder may be writing it. */
const ATTEMPTS = 5;
const RETRY_DELAY_MS = 20;

/** Leftovers of an interrupted record write or takeover: `<lock name>.<pid>.<random>.<tmp|claim|stale>`. */
const LEFTOVER_NAME = /^\.oups\.lock(?:\.owner)?\.(\d+)\.[0-9a-f]+\.(tmp|claim|stale)$/;

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Exclusive lock of a store directory across processes: the directory `<storeDir>/.oups.lock`, created
 * atomically by proper-lockfile and kept fresh by touching its mtime, and beside it the owner record
 * `.oups.lock.owner` (pid, host, process start time, see {@link LockOwner}).
 *
 * A lock whose recorded owner ran on this host and is provably gone (no such process, or the pid now belongs to a
 * process started at another time) is taken over at once. One whose owner cannot be checked (another host, no
 * record) is taken over once not refreshed for `staleMs`, as proper-lockfile does.
 */
export class StoreLock {
  #release: (() => Promise<void>) | undefined;
  #compromised: Error | undefined;
  #ownerText = "";

  private constructor(
    /** The locked store directory, as given to {@link StoreLock.acquire}. */
    readonly storeDir: string,
  ) {}

  /**
   * Locks `storeDir`, which must exist.
   * @throws OupsError `STORE_LOCKED` when another live lock holds it (another daemon, or this process), naming
   * the holder when its record says; `NOT_FOUND` when the directory does not exist; `INTERNAL` on other
   * file-system failures.
   */
  static async acquire(storeDir: string, options: StoreLockOptions = {}): Promise<StoreLock> {
    const result = await StoreLock.tryAcquire(storeDir, options);
    if (result instanceof StoreLock) return result;
    throw new OupsError("STORE_LOCKED", result.message);
  }

  /** As {@link acquire}, but answers who holds the lock rather than throwing STORE_LOCKED. */
  static async tryAcquire(storeDir: string, options: StoreLockOptions = {}): Promise<StoreLock | LockHolder> {
    const staleMs = options.staleMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      const storeLock = await StoreLock.lockOnce(storeDir, staleMs, options);
      if (storeLock) return storeLock;
      const record = await readOwnerRecord(ownerFile(storeDir));
      const dirId = await lockDirId(storeDir);
      // Released in between: try again at once.
      if (dirId === undefined && attempt < ATTEMPTS) continue;
      if (record && record.owner.lockDirId === dirId) {
        const { owner } = record;
        if (owner.hostname === hostname() && processState(owner) === "gone" && attempt < ATTEMPTS) {
          await takeOver(storeDir, record);
          continue;
        }
        return { owner, message: `store directory ${storeDir} is locked by another oups daemon: held by ${describeOwner(owner)}` };
      }
      if (attempt >= ATTEMPTS) {
        return {
          owner: undefined,
          message:
            `store directory ${storeDir} is locked: another oups daemon is using it (lock ${join(storeDir, LOCK_DIR)}, ` +
            `owner not recorded; it is taken over once not refreshed for ${Math.round(staleMs / 1000)} s)`,
        };
      }
      await delay(RETRY_DELAY_MS * attempt);
    }
  }

  /** One proper-lockfile attempt; undefined when the lock is held (ELOCKED). */
  private static async lockOnce(storeDir: string, staleMs: number, options: StoreLockOptions): Promise<StoreLock | undefined> {
    const storeLock = new StoreLock(storeDir);
    try {
      storeLock.#release = await lock(storeDir, {
        lockfilePath: join(storeDir, LOCK_DIR),
        stale: staleMs,
        ...(options.updateMs === undefined ? {} : { update: options.updateMs }),
        retries: 0,
        // proper-lockfile's default throws from a timer callback, which would crash the daemon. Record the loss
        // instead: writes check `compromised` and refuse with LOCK_COMPROMISED.
        onCompromised: (err) => {
          storeLock.#compromised = err;
          storeLock.#release = undefined;
          options.onCompromised?.(err);
        },
      });
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ELOCKED") return undefined;
      if (code === "ENOENT") {
        throw new OupsError("NOT_FOUND", `store directory ${storeDir} does not exist`, { cause: err });
      }
      throw new OupsError("INTERNAL", `cannot lock store directory ${storeDir}`, { cause: err });
    }
    try {
      const dirId = await lockDirId(storeDir);
      if (dirId === undefined) throw new Error(`lock directory ${LOCK_DIR} vanished as it was made`);
      storeLock.#ownerText = await writeOwnerRecord(storeDir, dirId);
    } catch (err) {
      await storeLock.release().catch(() => undefined);
      throw new OupsError("INTERNAL", `cannot record the owner of the lock of store directory ${storeDir}`, { cause: err });
    }
    await removeLeftovers(storeDir);
    return storeLock;
  }

  /** True once the lock has been lost; the store must then refuse writes. */
  get compromised(): boolean {
    return this.#compromised !== undefined;
  }

  /** @throws OupsError `LOCK_COMPROMISED` when the lock has been lost. */
  assertNotCompromised(): void {
    if (this.#compromised !== undefined) {
      throw new OupsError(
        "LOCK_COMPROMISED",
        `lock on store directory ${this.storeDir} was lost (${this.#compromised.message}); refusing to write`,
        { cause: this.#compromised },
      );
    }
  }

  /**
   * Releases the lock (removes the owner record, then the lock directory). Idempotent. After a compromise it does
   * nothing: the lock directory, if any, belongs to someone else.
   */
  async release(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    if (release === undefined) return;
    // The record goes first: a crash in between leaves a lock without a record (taken over once stale), never a
    // record that a later owner's lock directory could be mistaken for.
    const record = await readOwnerRecord(ownerFile(this.storeDir));
    if (record?.text === this.#ownerText) await unlink(ownerFile(this.storeDir)).catch(() => undefined);
    try {
      await release();
    } catch (err) {
      // Lost between the last refresh and now: same as a compromise noticed late, nothing of ours to remove.
      if (errnoCode(err) !== "ERELEASED") throw err;
    }
  }
}

/**
 * Removes the lock directory of a crashed owner, safely against other processes doing the same at once: the
 * record is claimed first (renamed to a private name: of several, one rename succeeds), then the lock directory
 * is renamed away and checked to be the one the record described before it is removed. Whatever happens, the
 * caller tries to lock again.
 */
async function takeOver(storeDir: string, record: OwnerRecord): Promise<void> {
  const claim = privateName(storeDir, LOCK_OWNER_FILE, "claim");
  try {
    await rename(ownerFile(storeDir), claim);
  } catch {
    return;
  }
  try {
    const claimed = await readOwnerRecord(claim);
    if (claimed?.text !== record.text) {
      // A newer record (the lock changed hands since it was read): not ours to take; put it back.
      await rename(claim, ownerFile(storeDir)).catch(() => undefined);
      return;
    }
    if ((await lockDirId(storeDir)) !== record.owner.lockDirId) return;
    const lockPath = join(storeDir, LOCK_DIR);
    const stale = privateName(storeDir, LOCK_DIR, "stale");
    try {
      await rename(lockPath, stale);
    } catch {
      return;
    }
    if ((await dirId(stale)) !== record.owner.lockDirId) {
      // Replaced between the check and the rename: it is someone's live lock, give it back.
      await rename(stale, lockPath).catch(() => undefined);
      return;
    }
    await rmdir(stale).catch(() => undefined);
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}

/** Removes what takeovers and record writes of processes now gone left beside the lock (the lock's holder runs this). */
async function removeLeftovers(storeDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(storeDir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = LEFTOVER_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && processState({ pid, startTime: null, bootId: null }) !== "gone") continue;
    const path = join(storeDir, name);
    await (match[2] === "stale" ? rmdir(path) : unlink(path)).catch(() => undefined);
  }
}
