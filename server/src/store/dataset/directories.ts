import type { Stats } from "node:fs";
import { lstat as lstatCallback } from "node:fs";
import { lstat, mkdir, rmdir } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { OupsError } from "../errors.js";
import { fsError } from "../io/fs-error.js";
import { KeyQueue } from "../queue/key-queue.js";

/**
 * Creates dataset directories and prunes emptied ones, one operation at a time across the store: datasets share
 * parent directories (`AAPL-2023/01` and `AAPL-2023/02`), so pruning one key's empty parents while another key's
 * write creates its directory under them would make that write fail.
 *
 * Every directory below the root must be a real directory: a symbolic link (or a file) where a key directory
 * belongs would lead reads, writes and deletions out of the store, so it makes the dataset corrupt
 * (`CORRUPT_DATASET`) and nothing goes through it. The root itself may be a link: the operator chose it.
 */
export class Directories {
  private readonly queue = new KeyQueue();

  constructor(
    /** The store root: never removed, and nothing above it is touched. */
    readonly root: string,
  ) {}

  /** `dir` relative to the store root, with `/` separators: how messages to clients name it. */
  nameOf(dir: string): string {
    return this.partsOf(dir).join("/");
  }

  /**
   * True when `dir` exists as a chain of real directories below the root, false when some of it is missing.
   * @throws OupsError `CORRUPT_DATASET` when a component is a symbolic link or not a directory.
   */
  async verify(dir: string): Promise<boolean> {
    const prefixes = this.prefixesOf(dir);
    // In parallel: a missing or non-directory component only makes the ones below it missing too.
    const stats = await Promise.all(prefixes.map(lstatOrUndefined));
    for (const [i, stat] of stats.entries()) {
      if (stat === undefined) return false;
      this.assertDirectory(prefixes[i]!, stat);
    }
    return true;
  }

  /**
   * Creates `dir` and its missing parents, each a real directory.
   * @throws OupsError `CORRUPT_DATASET` when an existing component is a symbolic link or not a directory
   * (`mkdir -p` would create the rest wherever the link points).
   */
  ensure(dir: string): Promise<void> {
    return this.exclusive(async () => {
      for (const prefix of this.prefixesOf(dir)) {
        let stat = await lstatOrUndefined(prefix);
        if (stat === undefined) {
          try {
            await mkdir(prefix);
          } catch (err) {
            // Created meanwhile is fine; a full disk, a read-only store or a permission problem becomes typed.
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw fsError(err, `create directory ${this.nameOf(prefix)}`);
          }
          stat = await lstat(prefix);
        }
        this.assertDirectory(prefix, stat);
      }
    });
  }

  /** Runs `task` alone among the store's directory changes (the store descriptor's creation is one). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run("", task);
  }

  /**
   * Removes `dir` and then each parent while empty, up to the root (exclusive). Does nothing unless `dir` is
   * strictly inside the root and every component of it is a real directory: `rmdir` below a symbolic link would
   * remove a directory outside the store.
   */
  prune(dir: string): Promise<void> {
    return this.exclusive(async () => {
      let prefixes: string[];
      try {
        prefixes = this.prefixesOf(dir);
        if (!(await this.verify(dir))) return;
      } catch {
        return;
      }
      for (const current of prefixes.reverse()) {
        try {
          await rmdir(current);
        } catch {
          return; // not empty (or already gone): its parents are not empty either
        }
      }
    });
  }

  /** The components of `dir` below the root; `dir` must be strictly inside it. */
  private partsOf(dir: string): string[] {
    // relative() resolves both paths, so `/store-other` is `../store-other` from `/store`, not inside it.
    const rel = relative(this.root, dir);
    if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new OupsError("INTERNAL", `directory ${JSON.stringify(rel)} is not inside the store`);
    }
    return rel.split(sep);
  }

  /** The absolute paths of `dir` and its parents below the root, top first. */
  private prefixesOf(dir: string): string[] {
    const prefixes: string[] = [];
    let current = this.root;
    for (const part of this.partsOf(dir)) {
      current = join(current, part);
      prefixes.push(current);
    }
    return prefixes;
  }

  private assertDirectory(path: string, stat: Stats): void {
    if (stat.isSymbolicLink()) throw symbolicLinkRefused(this.nameOf(path));
    if (!stat.isDirectory()) throw new OupsError("CORRUPT_DATASET", `${this.nameOf(path)} is not a directory`);
  }
}

/** The failure of meeting a symbolic link where the store keeps its own files and directories. */
export function symbolicLinkRefused(name: string): OupsError {
  return new OupsError("CORRUPT_DATASET", `${name} is a symbolic link; refusing to follow it out of the store`);
}

/** The entry at `path` itself (a link is not followed), or undefined when it does not exist. */
function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  // The callback API, not fs.promises: every dataset operation runs this once per key level, and the promise API
  // measured about a third slower per call.
  return new Promise((resolve, reject) => {
    lstatCallback(path, (err, stats) => {
      if (err === null) resolve(stats);
      else if (err.code === "ENOENT" || err.code === "ENOTDIR") resolve(undefined);
      else reject(err);
    });
  });
}
