import { OupsError } from "../errors.js";

/**
 * Default bound on a dataset's manifest (its row-group list, schema and metadata as stored JSON). Describe
 * answers with all of it in one gRPC message: its protobuf form is at most about 1.5 times the JSON (a row-group
 * entry is at least ~60 bytes of JSON and ~20 more in protobuf at worst), so a quarter of the daemon's 64 MiB
 * message limit leaves every Describe far below it. 16 MiB is some 200,000 row groups.
 */
export const DEFAULT_MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * Throws `TOO_LARGE` when a commit would make the manifest `bytes` long, over `maxBytes`, and longer than the
 * committed one (`committedBytes`): a dataset over a bound lowered since it was written can still shrink.
 */
export function checkManifestBytes(bytes: number, committedBytes: number, maxBytes: number, rowGroups: number): void {
  if (bytes <= maxBytes || bytes <= committedBytes) return;
  throw new OupsError(
    "TOO_LARGE",
    `the dataset's manifest would be ${bytes} bytes (${rowGroups} row groups), over the limit of ${maxBytes} bytes ` +
      "that keeps Describe within one gRPC message: nothing was committed; write larger row groups (row_group_target) or less metadata",
  );
}
