import { randomUUID } from "node:crypto";
import { OupsError } from "../errors.js";

/** A lease as callers see it. */
export interface Lease {
  readonly id: string;
  /** When it stops protecting its files unless renewed (ms since the epoch, on the registry's clock). */
  readonly expiresAtMs: number;
}

interface LeaseEntry {
  expiresAtMs: number;
  /** Dataset path → files of that dataset's directory. */
  readonly files: Map<string, Set<string>>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Leases on row-group files, for engines reading a version's files directly: a leased file is not deleted while
 * the lease lasts. Kept in memory only (a restart drops them: the files they held are then deleted like any other
 * that nothing needs). An expired lease stops protecting at once; its datasets are told so that they can collect.
 */
export class LeaseRegistry {
  private readonly leases = new Map<string, LeaseEntry>();

  constructor(
    private readonly clock: () => number,
    /** Told the dataset paths whose files an expired or released lease held. */
    private readonly onEnd: (paths: readonly string[]) => void,
  ) {}

  /** A new lease on no file yet, lasting `durationMs`. */
  create(durationMs: number): Lease {
    const id = randomUUID();
    const entry: LeaseEntry = { expiresAtMs: this.clock() + durationMs, files: new Map(), timer: undefined };
    this.leases.set(id, entry);
    this.arm(id, entry, durationMs);
    return { id, expiresAtMs: entry.expiresAtMs };
  }

  /** Adds files of a dataset to a live lease. @throws OupsError `LEASE_NOT_FOUND`. */
  add(id: string, path: string, files: Iterable<string>): void {
    const entry = this.live(id);
    let set = entry.files.get(path);
    if (!set) entry.files.set(path, (set = new Set()));
    for (const f of files) set.add(f);
  }

  /** Extends a live lease to `durationMs` from now. @throws OupsError `LEASE_NOT_FOUND`. */
  renew(id: string, durationMs: number): Lease {
    const entry = this.live(id);
    entry.expiresAtMs = this.clock() + durationMs;
    this.arm(id, entry, durationMs);
    return { id, expiresAtMs: entry.expiresAtMs };
  }

  /** Ends a lease; false when it had already ended. */
  release(id: string): boolean {
    const entry = this.leases.get(id);
    if (!entry) return false;
    const live = entry.expiresAtMs > this.clock();
    this.end(id, entry);
    return live;
  }

  /** Files of the dataset at `path` that live leases hold. */
  filesOf(path: string): ReadonlySet<string> {
    const now = this.clock();
    const files = new Set<string>();
    for (const entry of this.leases.values()) {
      if (entry.expiresAtMs <= now) continue;
      for (const f of entry.files.get(path) ?? []) files.add(f);
    }
    return files;
  }

  /** Ends every expired lease (their timers do it too; this is for a clock that is not the wall clock). */
  sweep(): void {
    const now = this.clock();
    for (const [id, entry] of this.leases) if (entry.expiresAtMs <= now) this.end(id, entry);
  }

  /** Live leases (for stats). */
  get size(): number {
    return this.leases.size;
  }

  /** Ends every lease without telling anyone (the store is closing). */
  clear(): void {
    for (const entry of this.leases.values()) clearTimeout(entry.timer);
    this.leases.clear();
  }

  private live(id: string): LeaseEntry {
    const entry = this.leases.get(id);
    if (!entry || entry.expiresAtMs <= this.clock()) {
      if (entry) this.end(id, entry);
      throw new OupsError("LEASE_NOT_FOUND", `no live lease ${JSON.stringify(id)}: it was released, has expired or never existed`);
    }
    return entry;
  }

  private arm(id: string, entry: LeaseEntry, durationMs: number): void {
    clearTimeout(entry.timer);
    // Unref'd: a lease never keeps the process alive. Its end is checked against the clock when the timer fires.
    entry.timer = setTimeout(() => {
      if (this.leases.get(id) === entry && entry.expiresAtMs <= this.clock()) this.end(id, entry);
    }, Math.max(0, durationMs) + 1);
    entry.timer.unref();
  }

  private end(id: string, entry: LeaseEntry): void {
    clearTimeout(entry.timer);
    this.leases.delete(id);
    if (entry.files.size > 0) this.onEnd([...entry.files.keys()]);
  }
}
