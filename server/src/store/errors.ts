/**
 * The engine's failure kinds. String codes, never numbers, so that nothing can mistake one for a gRPC status
 * (grpc-js sends any numeric `code` property as the status); the RPC layer maps each to a status in one place.
 *
 * File-system failures (see io/fs-error.ts): `DISK_FULL` (ENOSPC, EDQUOT) is RESOURCE_EXHAUSTED, since freeing
 * space makes the same request succeed; `STORE_READ_ONLY` (EROFS) and `PERMISSION_DENIED` (EACCES, EPERM) are
 * FAILED_PRECONDITION, not UNAVAILABLE: retrying cannot help until an operator remounts the store or fixes its
 * ownership (and gRPC's PERMISSION_DENIED is about the caller's rights, not the daemon's). Nothing is committed
 * by a request failing with any of them, and the daemon keeps serving.
 *
 * `IDLE_TIMEOUT` (DEADLINE_EXCEEDED): a client left a call idle longer than the daemon waits (a Write sending
 * nothing, a query's reader reading nothing); the call is ended, and a write commits nothing.
 */
export type OupsErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_KEY"
  | "UNORDERED_INPUT"
  | "SCHEMA_MISMATCH"
  | "ORDERED_ON_MISMATCH"
  | "NOT_FOUND"
  | "VERSION_NOT_FOUND"
  | "SNAPSHOT_NOT_FOUND"
  | "LEASE_NOT_FOUND"
  | "HELD_BY_SNAPSHOT"
  | "ALREADY_EXISTS"
  | "STORE_LOCKED"
  | "LOCK_COMPROMISED"
  | "TOO_LARGE"
  | "METADATA_TOO_LARGE"
  | "DISK_FULL"
  | "STORE_READ_ONLY"
  | "PERMISSION_DENIED"
  | "CANCELLED"
  | "IDLE_TIMEOUT"
  | "CORRUPT_DATASET"
  | "NOT_INITIALIZED"
  | "INTERNAL";

/** A typed engine error: `code` says what kind of failure, `message` names the offending thing and value. */
export class OupsError extends Error {
  override name = "OupsError";
  constructor(
    readonly code: OupsErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `err` is an {@link OupsError}, optionally of the given code. */
export function isOupsError(err: unknown, code?: OupsErrorCode): err is OupsError {
  return err instanceof OupsError && (code === undefined || err.code === code);
}
