import { hostname } from "node:os";
import { log } from "./log.js";
import type { LockHolder } from "./store/store-lock.js";
import type { Store } from "./store/store.js";
import { currentProcessIdentity } from "./store/lock/process-identity.js";

/** What {@link LockRecovery} tells the daemon. */
export interface LockRecoveryEvents {
  /** The lock is the store's again: serve and accept writes. */
  onRestored(): void;
  /** Another live process holds the lock: the daemon must stop (a supervisor restarts it). */
  onTaken(holder: LockHolder): void;
}

/**
 * Takes a lost store lock back: tries every `retryMs` until the store has it again ({@link Store.relock} then
 * drops what it read under the lost lock) or another live process is found holding it. A lock held by an unknown
 * process (no owner record) is tried again, since proper-lockfile takes it over once stale.
 */
export class LockRecovery {
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly store: Store,
    private readonly retryMs: number,
    private readonly events: LockRecoveryEvents,
  ) {}

  /** Starts trying (the lock was just lost); does nothing while already trying or once stopped. */
  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#attempt ??= this.tryOnce().finally(() => {
        this.#attempt = undefined;
      });
    }, this.retryMs);
  }

  /** Stops trying and waits for an attempt under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.cancelTimer();
    await this.#attempt;
  }

  private cancelTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private async tryOnce(): Promise<void> {
    let holder: LockHolder | undefined;
    try {
      holder = await this.store.relock();
    } catch (err) {
      log.warn("cannot take the store lock again (will retry)", err);
      return;
    }
    if (this.#stopped) return;
    if (!this.store.lockCompromised) {
      this.cancelTimer();
      log.info("store lock taken again: cached manifests dropped, accepting writes");
      this.events.onRestored();
      return;
    }
    const owner = holder?.owner;
    const self = currentProcessIdentity();
    if (owner !== undefined && !(owner.hostname === hostname() && owner.pid === self.pid && owner.startTime === self.startTime)) {
      this.cancelTimer();
      this.events.onTaken(holder!);
    }
  }
}
