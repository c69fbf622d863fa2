import { mkdir, rmdir } from "node:fs/promises";
import { dirname, relative, sep } from "node:path";
import { errnoOf, fsError } from "../io/fs-error.js";
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
    readonly root: string,
  ) {}

  /** `path` (under the root) as messages name it: relative to the store, with `/` separators. */
  nameOf(path: string): string {
    return relative(this.root, path).split(sep).join("/");
  }

  /** Creates `dir` and its missing parents; file-system failures become typed errors (see fs-error.ts). */
  ensure(dir: string): Promise<void> {
    return this.exclusive(async () => {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw fsError((errnoOf(err) === "ENOENT" && (await this.whyNotCreated(dir))) || err, `create directory ${this.nameOf(dir)}`);
      }
    });
  }

  /**
   * The failure creating `dir` level by level: Node's recursive mkdir reports ENOENT when it cannot create a missing
   * level (EROFS, EACCES), hiding the reason, which a plain mkdir of that level gives.
   */
  private async whyNotCreated(dir: string): Promise<unknown> {
    const levels: string[] = [];
    for (let current = dir; current.startsWith(this.root) && current !== this.root; current = dirname(current)) levels.unshift(current);
    for (const level of levels) {
      try {
        await mkdir(level);
      } catch (err) {
        if (errnoOf(err) !== "EEXIST") return err;
      }
    }
    return undefined;
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
