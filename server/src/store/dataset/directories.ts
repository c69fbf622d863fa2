import { mkdir, rmdir } from "node:fs/promises";
import { dirname } from "node:path";
import { KeyQueue } from "../queue/key-queue.js";

/**
 * Creates dataset directories and prunes emptied ones, one operation at a time across the store: datasets share
 * parent directories (`AAPL-2023/01` and `AAPL-2023/02`), so pruning one key's empty parents while another key's
 * write creates its directory under them would make that write fail.
 */
export class Directories {
  private readonly queue = new KeyQueue();

  constructor(
    /** The store root: never removed, and nothing above it is touched. */
    private readonly root: string,
  ) {}

  /** Creates `dir` and its missing parents. */
  ensure(dir: string): Promise<void> {
    return this.exclusive(async () => {
      await mkdir(dir, { recursive: true });
    });
  }

  /** Runs `task` alone among the store's directory changes (the store descriptor's creation is one). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run("", task);
  }

  /** Removes `dir` and then each parent while empty, up to the root (exclusive). */
  prune(dir: string): Promise<void> {
    return this.exclusive(async () => {
      for (let current = dir; current.startsWith(this.root) && current !== this.root; current = dirname(current)) {
        try {
          await rmdir(current);
        } catch {
          return; // not empty (or already gone): its parents are not empty either
        }
      }
    });
  }
}
