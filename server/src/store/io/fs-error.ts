import { OupsError } from "../errors.js";

/** Node's errno code of a failed file-system call (`ENOENT`, …), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The {@link OupsError} for a failed file-system call, `what` saying what could not be done ("write
 * AAPL-2023/01/rg-000000000003.parquet"), naming paths relative to the store only: the message goes to clients,
 * while the Node error, absolute path included, stays as `cause` for the daemon's log. An `OupsError` is
 * returned as it is.
 */
export function fsError(err: unknown, what: string): OupsError {
  if (err instanceof OupsError) return err;
  const code = errnoOf(err);
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return new OupsError("DISK_FULL", `store disk is full (${code}): cannot ${what}`, { cause: err });
    case "EROFS":
      return new OupsError("STORE_READ_ONLY", `store is on a read-only file system (EROFS): cannot ${what}`, { cause: err });
    case "EACCES":
    case "EPERM":
      return new OupsError("PERMISSION_DENIED", `permission denied (${code}): the daemon cannot ${what}`, { cause: err });
    default:
      // Node's own message names the absolute path: only the code is shown.
      return new OupsError("INTERNAL", `cannot ${what}${code ? ` (${code})` : ""}`, { cause: err });
  }
}
