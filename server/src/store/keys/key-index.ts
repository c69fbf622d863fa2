import type { IndexSchema } from "./index-schema.js";
import type { Key } from "./key.js";
import type { KeyValues } from "./key-tree.js";
import { KeyTree } from "./key-tree.js";
import { walkKeyValues } from "./list-keys.js";

/**
 * What building the index took: keys found, time, and the JS heap it grew by. With `node --expose-gc`, the heap is
 * measured after a full collection on both sides (`afterGc`), so that it is what the index keeps; without, the
 * walk's garbage not yet collected counts too.
 */
export interface KeyIndexBuild {
  keys: number;
  ms: number;
  heapBytes: number;
  afterGc: boolean;
}

/** The heap in use, after a full collection when the process exposes one (`--expose-gc`). */
function heapUsed(gc: (() => void) | undefined): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

type Change = { add: boolean; values: KeyValues };

/**
 * The keys holding a dataset, in memory: built from a walk of the store's directories (the walk of `listKeys`, so
 * that it holds exactly what a listing finds), then kept up to date by the store as datasets are first committed
 * and removed. The daemon owns the store, so nothing else changes it, except while its lock was lost: the store
 * rebuilds the index once it has the lock again.
 *
 * Changes made while a build walks the directories are applied to its result as well, in their order: a walk may or
 * may not have seen each, and applying it again gives the state after it either way.
 */
export class KeyIndex {
  #tree: KeyTree | undefined;
  #building: Promise<KeyTree> | undefined;
  /** Changes made during the build in progress, to replay onto its result. */
  #changes: Change[] | undefined;
  #lastBuild: KeyIndexBuild | undefined;

  constructor(private readonly storeDir: string) {}

  /** What the last completed build took, if any. */
  get lastBuild(): KeyIndexBuild | undefined {
    return this.#lastBuild;
  }

  /** Walks the store again and replaces the index with what it finds (the index stays usable meanwhile). */
  rebuild(schema: IndexSchema): Promise<KeyTree> {
    const changes: Change[] = [];
    this.#changes = changes;
    const building = this.walk(schema, changes).finally(() => {
      if (this.#changes === changes) this.#changes = undefined;
      if (this.#building === building) this.#building = undefined;
    });
    this.#building = building;
    // A failed build leaves no index: the next listing builds it again (and reports the failure, if it recurs).
    building.catch(() => {
      if (this.#building === building || this.#building === undefined) this.#tree = undefined;
    });
    return building;
  }

  /** The index, once built; a listing that finds none (never built, or its build failed) builds it. */
  async tree(schema: IndexSchema): Promise<KeyTree> {
    if (this.#building) return this.#building;
    if (this.#tree && this.#tree.schema === schema) return this.#tree;
    return this.rebuild(schema);
  }

  /** Records that `key` now holds a dataset (`present`) or no longer does. */
  set(schema: IndexSchema, key: Key, present: boolean): void {
    const values = schema.levels.flatMap((level) => level.map((field) => key[field.name] as string));
    this.#changes?.push({ add: present, values });
    const tree = this.#tree;
    if (tree === undefined || tree.schema !== schema) return;
    if (present) tree.add(values);
    else tree.delete(values);
  }

  private async walk(schema: IndexSchema, changes: Change[]): Promise<KeyTree> {
    const gc = (globalThis as { gc?: () => void }).gc;
    const heapBefore = heapUsed(gc);
    const started = performance.now();
    const tree = KeyTree.of(schema, await walkKeyValues(this.storeDir, schema));
    for (const change of changes) {
      if (change.add) tree.add(change.values);
      else tree.delete(change.values);
    }
    // Only the latest build's result becomes the index (a later rebuild supersedes this one).
    if (this.#changes === changes) {
      this.#tree = tree;
      const ms = performance.now() - started;
      this.#lastBuild = { keys: tree.size, ms, heapBytes: Math.max(0, heapUsed(gc) - heapBefore), afterGc: gc !== undefined };
    }
    return tree;
  }
}
