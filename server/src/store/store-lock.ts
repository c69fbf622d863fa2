import { join } from "node:path";
import { lock } from "proper-lockfile";
import { OupsError } from "./errors.js";
import { LOCK_DIR } from "./keys/layout.js";

/** Options of {@link StoreLock.acquire}. */
export interface StoreLockOptions {
  /**
   * Age after which another process's lock counts as abandoned and is taken over. Default 10000;
   * proper-lockfile raises anything below 2000 to 2000.
   */
  staleMs?: number;
  /** How often the lock's mtime is refreshed. Default `staleMs / 2`; proper-lockfile keeps it within [1000, staleMs / 2]. */
  updateMs?: number;
  /** Called once if the lock is lost (its directory removed, or taken over after the refresh fell behind). */
  onCompromised?: (err: Error) => void;
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Exclusive lock of a store directory across processes: the directory `<storeDir>/.oups.lock`, created
 * atomically by proper-lockfile and kept fresh by touching its mtime. A lock not refreshed for `staleMs` (its
 * owner crashed) is taken over by the next {@link StoreLock.acquire}.
 */
export class StoreLock {
  #release: (() => Promise<void>) | undefined;
  #compromised: Error | undefined;

  private constructor(
    /** The locked store directory, as given to {@link StoreLock.acquire}. */
    readonly storeDir: string,
  ) {}

  /**
   * Locks `storeDir`, which must exist.
   * @throws OupsError `STORE_LOCKED` when another live lock holds it (another daemon, or this process);
   * `NOT_FOUND` when the directory does not exist; `INTERNAL` on other file-system failures.
   */
  static async acquire(storeDir: string, options: StoreLockOptions = {}): Promise<StoreLock> {
    const storeLock = new StoreLock(storeDir);
    try {
      storeLock.#release = await lock(storeDir, {
        lockfilePath: join(storeDir, LOCK_DIR),
        stale: options.staleMs ?? 10_000,
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
      if (code === "ELOCKED") {
        throw new OupsError(
          "STORE_LOCKED",
          `store directory ${storeDir} is locked: another oups daemon is using it (lock ${join(storeDir, LOCK_DIR)})`,
          { cause: err },
        );
      }
      if (code === "ENOENT") {
        throw new OupsError("NOT_FOUND", `store directory ${storeDir} does not exist`, { cause: err });
      }
      throw new OupsError("INTERNAL", `cannot lock store directory ${storeDir}`, { cause: err });
    }
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
   * Releases the lock (removes the lock directory). Idempotent. After a compromise it does nothing: the lock
   * directory, if any, belongs to someone else.
   */
  async release(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    if (release === undefined) return;
    try {
      await release();
    } catch (err) {
      // Lost between the last refresh and now: same as a compromise noticed late, nothing of ours to remove.
      if (errnoCode(err) !== "ERELEASED") throw err;
    }
  }
}
