import type { CheckStoreResponse } from "#gen/oups/v1/store_pb.js";
import type { KeyFields } from "./index-schema.js";

/** One problem a store check found (see the CheckStore RPC for the kinds). */
export interface CheckFinding {
  /** The key the path belongs to; undefined when it maps to no key. */
  key: KeyFields | undefined;
  /** The file or directory, relative to the store, `/`-separated (`.` for the store itself). */
  path: string;
  /** `orphan-file`, `temp-file`, `missing-file`, `size-mismatch`, `bounds-mismatch`, … */
  kind: string;
  message: string;
  /** Whether a repair fixes it (orphaned row-group files, temporary files and empty directories only). */
  repairable: boolean;
  /** Whether this check's repair removed it. */
  repaired: boolean;
}

/** What a store check reports. */
export interface CheckReport {
  /** Datasets checked. */
  datasets: number;
  /** Row-group files checked against their manifest. */
  rowGroups: number;
  /** Problems, ordered by path; the store is clean when none is left unrepaired. */
  findings: CheckFinding[];
  /**
   * Files no current manifest lists that something still needs (not problems): a reader or a lease, a retained
   * version or a snapshot (`heldBy`).
   */
  heldFiles: { key: KeyFields | undefined; path: string; heldBy: string }[];
  /** Records of retained older generations checked. */
  retainedVersions: number;
}

/** The SDK form of a CheckStore response. */
export function checkReportFromWire(r: CheckStoreResponse): CheckReport {
  return {
    datasets: Number(r.datasets),
    rowGroups: Number(r.rowGroups),
    findings: r.findings.map((f) => ({
      key: f.key ? { ...f.key.fields } : undefined,
      path: f.path,
      kind: f.kind,
      message: f.message,
      repairable: f.repairable,
      repaired: f.repaired,
    })),
    heldFiles: r.heldFiles.map((h) => ({ key: h.key ? { ...h.key.fields } : undefined, path: h.path, heldBy: h.heldBy })),
    retainedVersions: Number(r.retainedVersions),
  };
}
