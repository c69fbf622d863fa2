import { constants } from "node:fs";
import { copyFile, link, open } from "node:fs/promises";
import { errnoOf } from "../io/fs-error.js";

/** How a file reached the backup. */
export type Transfer = "linked" | "copied";

/**
 * Puts `source` at `target` (which must not exist): a hard link when both are on the same file system, else a
 * copy flushed to the disk. Row-group files are immutable once named, so a link is a copy that costs nothing and
 * stays exact whatever the store does next (the store only ever unlinks them).
 */
export async function linkOrCopy(source: string, target: string): Promise<Transfer> {
  try {
    await link(source, target);
    return "linked";
  } catch (err) {
    // EXDEV: another file system; EMLINK: the inode has too many links; EPERM/ENOTSUP: a file system without
    // hard links (some FUSE and network mounts).
    if (!["EXDEV", "EMLINK", "EPERM", "ENOTSUP", "EOPNOTSUPP"].includes(errnoOf(err) ?? "")) throw err;
  }
  await copyFile(source, target, constants.COPYFILE_EXCL);
  // A copy's bytes must be on disk before the manifest naming it is: a crash must not leave a backup whose
  // manifest lists a file of zeros.
  const handle = await open(target, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return "copied";
}
