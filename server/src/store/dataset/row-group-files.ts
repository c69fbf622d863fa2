/**
 * Row-group file names: `rg-<id>.parquet`, the id zero-padded to 12 digits and never reused within a dataset,
 * so a file, once written, is immutable and never renamed (renaming is what makes in-place renumbering unsafe on
 * a crash). Dataset order lives in the manifest, not in names.
 */
export function rowGroupFileName(id: number): string {
  return `rg-${String(id).padStart(12, "0")}.parquet`;
}

/** True for names {@link rowGroupFileName} produces. */
export function isRowGroupFile(name: string): boolean {
  return /^rg-\d{12}\.parquet$/.test(name);
}

/** The id in a name {@link isRowGroupFile} accepts. */
export function rowGroupFileId(name: string): number {
  return Number(name.slice("rg-".length, -".parquet".length));
}
