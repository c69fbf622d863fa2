import type { IndexField, IndexSchema } from "./index-schema.js";
import type { LevelFilter } from "./list-keys.js";
import { matchesLevel } from "./list-keys.js";

/** The values of one key, in schema field order (level by level). */
export type KeyValues = readonly string[];

/** An entry of an upper level: its values, and the entries of the next level under it, sorted. */
interface Branch {
  readonly pieces: readonly string[];
  readonly children: Entry[];
}

/**
 * An entry of one level: a branch above the last level; at the last level, the level's values alone (and when the
 * schema has one level, those values are the key's, handed out as they are: no copy per key listed).
 */
type Entry = Branch | readonly string[];

function piecesOf(entry: Entry): readonly string[] {
  return Array.isArray(entry) ? (entry as readonly string[]) : (entry as Branch).pieces;
}

/** Orders two values lists of one level as {@link compareKeys} orders keys: `int` numerically, text by code unit. */
function comparePieces(level: readonly IndexField[], a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < level.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (level[i]!.type === "int") return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Index of the first entry not before `pieces`. */
function lowerBound(level: readonly IndexField[], entries: readonly Entry[], pieces: readonly string[]): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (comparePieces(level, piecesOf(entries[mid]!), pieces) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The keys of a store as a prefix tree by key level, each level's entries kept sorted: a listing walks it in order
 * (no sort per call), a filter on a level's fields skips the subtrees it rules out, and a page resumes after a key
 * by one binary search per level. Adding or removing a key costs a binary search and one array splice per level.
 * Keys are taken as given: validation is the caller's.
 */
export class KeyTree {
  private readonly root: Entry[] = [];
  #size = 0;
  /** Fields per level, and where each level's values start in a key's values. */
  private readonly starts: number[];

  constructor(readonly schema: IndexSchema) {
    this.starts = [];
    let at = 0;
    for (const level of schema.levels) {
      this.starts.push(at);
      at += level.length;
    }
  }

  /** Builds the tree of `keys` (each a key's values, in schema field order; duplicates kept once). */
  static of(schema: IndexSchema, keys: readonly KeyValues[]): KeyTree {
    const tree = new KeyTree(schema);
    if (schema.levels.length === 1) {
      // The common shape, and the one of a million keys: one sort, no intermediate maps.
      const level = schema.levels[0]!;
      const sorted = [...keys].sort((a, b) => comparePieces(level, a, b));
      for (const values of sorted) {
        const last = tree.root[tree.root.length - 1] as readonly string[] | undefined;
        if (last !== undefined && comparePieces(level, last, values) === 0) continue;
        // A value equal to the previous key's (a constant field, the leading fields of sorted keys) is kept once:
        // the same text, one string less per key (24 bytes of a million keys' 133 each, for the bench's day field).
        if (last !== undefined) {
          const shared = values as string[];
          for (let i = 0; i < shared.length; i++) if (shared[i] === last[i]) shared[i] = last[i]!;
        }
        tree.root.push(values);
      }
      tree.#size = tree.root.length;
      return tree;
    }
    // Several levels: group by level through maps keyed by the level's directory name, then sort each level once.
    interface Group {
      pieces: readonly string[];
      children: Map<string, Group>;
    }
    const top = new Map<string, Group>();
    const lastLevel = schema.levels.length - 1;
    for (const values of keys) {
      let groups = top;
      for (let l = 0; l <= lastLevel; l++) {
        const pieces = tree.levelPieces(values, l);
        const name = pieces.join("\u0000");
        let group = groups.get(name);
        if (group === undefined) {
          group = { pieces, children: new Map() };
          groups.set(name, group);
        }
        groups = group.children;
      }
    }
    const toEntries = (groups: Map<string, Group>, l: number): Entry[] => {
      const level = schema.levels[l]!;
      const entries: Entry[] = [...groups.values()].map((g) => (l === lastLevel ? g.pieces : { pieces: g.pieces, children: toEntries(g.children, l + 1) }));
      return entries.sort((a, b) => comparePieces(level, piecesOf(a), piecesOf(b)));
    };
    tree.root.push(...toEntries(top, 0));
    tree.#size = tree.countUnder(tree.root, 0);
    return tree;
  }

  /** Keys in the tree. */
  get size(): number {
    return this.#size;
  }

  /** Adds a key (its values in schema field order); false when it was there already. */
  add(values: KeyValues): boolean {
    let entries = this.root;
    const lastLevel = this.schema.levels.length - 1;
    for (let l = 0; l <= lastLevel; l++) {
      const level = this.schema.levels[l]!;
      const pieces = this.levelPieces(values, l);
      const at = lowerBound(level, entries, pieces);
      const found = entries[at];
      const exists = found !== undefined && comparePieces(level, piecesOf(found), pieces) === 0;
      if (l === lastLevel) {
        if (exists) return false;
        entries.splice(at, 0, pieces);
        this.#size++;
        return true;
      }
      if (exists) {
        entries = (found as Branch).children;
      } else {
        const branch: Branch = { pieces, children: [] };
        entries.splice(at, 0, branch);
        entries = branch.children;
      }
    }
    return false;
  }

  /** Removes a key, and the branches it leaves empty; false when it was not there. */
  delete(values: KeyValues): boolean {
    const removed = this.deleteUnder(this.root, 0, values);
    if (removed) this.#size--;
    return removed;
  }

  /** True when the tree holds the key. */
  has(values: KeyValues): boolean {
    let entries = this.root;
    for (let l = 0; l < this.schema.levels.length; l++) {
      const level = this.schema.levels[l]!;
      const pieces = this.levelPieces(values, l);
      const found = entries[lowerBound(level, entries, pieces)];
      if (found === undefined || comparePieces(level, piecesOf(found), pieces) !== 0) return false;
      if (l < this.schema.levels.length - 1) entries = (found as Branch).children;
    }
    return true;
  }

  /**
   * Visits the keys in order (that of {@link compareKeys}), those matching `filter` only (one fixed-values list per
   * level), starting strictly after the key `after` when given (which need not be in the tree), until `visit`
   * returns false. The values handed to `visit` must not be changed.
   */
  forEach(filter: readonly LevelFilter[], after: KeyValues | undefined, visit: (values: KeyValues) => boolean): void {
    this.walk(this.root, 0, [], filter, after, visit);
  }

  /** Returns false once `visit` asked to stop. */
  private walk(
    entries: readonly Entry[],
    l: number,
    prefix: readonly string[],
    filter: readonly LevelFilter[],
    after: KeyValues | undefined,
    visit: (values: KeyValues) => boolean,
  ): boolean {
    const level = this.schema.levels[l]!;
    const lastLevel = this.schema.levels.length - 1;
    const levelFilter = filter[l] ?? [];
    let start = 0;
    let end = entries.length;
    if (levelFilter.length > 0 && levelFilter.every((v) => v !== undefined)) {
      // The whole level is fixed: at most one entry.
      start = lowerBound(level, entries, levelFilter as readonly string[]);
      end = Math.min(end, start + 1);
    }
    if (after !== undefined) {
      const afterPieces = this.levelPieces(after, l);
      start = Math.max(start, lowerBound(level, entries, afterPieces));
      const at = entries[start];
      if (start < end && at !== undefined && comparePieces(level, piecesOf(at), afterPieces) === 0) {
        // The cursor's own entry: at the last level it is the cursor (skipped); above, resume inside it.
        if (l < lastLevel && matchesLevel(levelFilter, piecesOf(at))) {
          const branch = at as Branch;
          if (!this.walk(branch.children, l + 1, prefix.concat(branch.pieces), filter, after, visit)) return false;
        }
        start++;
      }
    }
    if (l === 0 && lastLevel === 0 && levelFilter.every((v) => v === undefined)) {
      // One level, no filter (the common listing, and that of a million keys): the entries are the keys.
      for (let i = start; i < end; i++) if (!visit(entries[i] as readonly string[])) return false;
      return true;
    }
    for (let i = start; i < end; i++) {
      const entry = entries[i]!;
      const pieces = piecesOf(entry);
      if (!matchesLevel(levelFilter, pieces)) continue;
      if (l === lastLevel) {
        if (!visit(l === 0 ? pieces : prefix.concat(pieces))) return false;
      } else if (!this.walk((entry as Branch).children, l + 1, prefix.concat(pieces), filter, undefined, visit)) {
        return false;
      }
    }
    return true;
  }

  private deleteUnder(entries: Entry[], l: number, values: KeyValues): boolean {
    const level = this.schema.levels[l]!;
    const pieces = this.levelPieces(values, l);
    const at = lowerBound(level, entries, pieces);
    const found = entries[at];
    if (found === undefined || comparePieces(level, piecesOf(found), pieces) !== 0) return false;
    if (l === this.schema.levels.length - 1) {
      entries.splice(at, 1);
      return true;
    }
    const branch = found as Branch;
    if (!this.deleteUnder(branch.children, l + 1, values)) return false;
    if (branch.children.length === 0) entries.splice(at, 1);
    return true;
  }

  private countUnder(entries: readonly Entry[], l: number): number {
    if (l === this.schema.levels.length - 1) return entries.length;
    let n = 0;
    for (const entry of entries) n += this.countUnder((entry as Branch).children, l + 1);
    return n;
  }

  /** Level `l`'s values of a key (the key's own array when the schema has one level). */
  private levelPieces(values: KeyValues, l: number): readonly string[] {
    if (this.schema.levels.length === 1) return values;
    const start = this.starts[l]!;
    return values.slice(start, start + this.schema.levels[l]!.length);
  }
}
