import type { Key } from "../keys/key.js";

/**
 * What a check can find wrong in a store. Only leftovers the engine itself makes and never references again are
 * repairable (`orphan-file`, `temp-file`, `empty-directory`): anything else might be data, and is only reported.
 */
export type CheckFindingKind =
  /** The manifest cannot be read or is not a valid manifest: the dataset's files cannot be judged. */
  | "manifest-invalid"
  /** A row-group file the manifest lists is not there. */
  | "missing-file"
  /** A row-group file the manifest lists is a symbolic link, a directory or another non-regular file. */
  | "not-regular-file"
  /** A listed row-group file's size differs from the manifest's. */
  | "size-mismatch"
  /** A listed row-group file cannot be decoded to its end (truncated, overwritten, not Parquet). */
  | "unreadable-file"
  /** A listed row-group file's schema differs from the dataset's. */
  | "schema-mismatch"
  /** A listed row-group file holds another number of rows than the manifest says. */
  | "row-count-mismatch"
  /** A listed row-group file's first or last ordered value differs from the manifest's min or max. */
  | "bounds-mismatch"
  /** A listed row-group file's rows are not sorted on the ordered column. */
  | "unordered-rows"
  /** A row-group file no manifest references (left by an interrupted write): repairable. */
  | "orphan-file"
  /** A temporary file of an interrupted commit or store declaration: repairable. */
  | "temp-file"
  /** A file in a dataset directory whose name is none of the engine's. */
  | "invalid-file-name"
  /** A file where the store keeps only directories (its root but for the descriptor, the key levels above datasets). */
  | "stray-file"
  /** A directory inside a dataset's directory. */
  | "stray-directory"
  /** A directory whose name (or path) does not map to a valid key of the index schema. */
  | "invalid-key-directory"
  /** A symbolic link where the store keeps its own files and directories (the engine never follows one). */
  | "symbolic-link"
  /** A key directory (or a level above one) holding nothing: left by a removal or a failed first write; repairable. */
  | "empty-directory"
  /** The store has entries but no index schema, so they cannot be mapped to keys. */
  | "no-index-schema"
  /** A record of a retained older generation (in a dataset's `.versions/`) cannot be read or decoded. */
  | "version-invalid"
  /** A snapshot file cannot be read, or holds a generation of which no manifest or record is left. */
  | "snapshot-invalid";

/** One problem found by a check. */
export interface CheckFinding {
  /** The key the path belongs to; undefined for paths that map to no key. */
  readonly key: Key | undefined;
  /** The file or directory, relative to the store, `/`-separated (`.` for the store itself). */
  readonly path: string;
  readonly kind: CheckFindingKind;
  /** What is wrong, naming paths relative to the store. */
  readonly message: string;
  /** Whether `--repair` fixes it (by removing the file or directory). */
  readonly repairable: boolean;
  /** Whether this check's repair removed it. */
  repaired: boolean;
}

/**
 * A file no current manifest references that something still needs: a retained version or a snapshot (their
 * records say so, online and offline), a reader or a lease (online only).
 */
export interface HeldFile {
  readonly key: Key | undefined;
  readonly path: string;
  readonly heldBy: "reader" | "lease" | "version" | "snapshot";
}

/** What a check found. */
export interface CheckReport {
  /** Datasets (key directories holding a manifest) checked. */
  datasets: number;
  /** Row-group files checked against their manifest. */
  rowGroups: number;
  /** Problems, ordered by path. */
  findings: CheckFinding[];
  /** Files kept for readers, leases, versions and snapshots (not problems), ordered by path. */
  heldFiles: HeldFile[];
  /** Records of retained older generations checked. */
  retainedVersions: number;
}

/** Kinds a repair fixes. */
const REPAIRABLE: ReadonlySet<CheckFindingKind> = new Set<CheckFindingKind>(["orphan-file", "temp-file", "empty-directory"]);

/** A finding of `kind` at `path`; repairable exactly when its kind is. */
export function finding(key: { readonly [field: string]: string } | undefined, path: string, kind: CheckFindingKind, message: string): CheckFinding {
  return { key, path, kind, message, repairable: REPAIRABLE.has(kind), repaired: false };
}

/** True when a report leaves a problem unrepaired (what makes `oups check` exit 1). */
export function hasProblems(report: CheckReport): boolean {
  return report.findings.some((f) => !f.repaired);
}
