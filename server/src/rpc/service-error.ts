import type { ServiceError, StatusObject } from "@grpc/grpc-js";
import { Metadata, status } from "@grpc/grpc-js";
import type { OupsErrorCode } from "../store/errors.js";
import { OupsError } from "../store/errors.js";

/** The gRPC status of each engine error code; a `Record` so that tsc fails when a code has no mapping. */
export const statusByCode: Record<OupsErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  INVALID_KEY: status.INVALID_ARGUMENT,
  UNORDERED_INPUT: status.INVALID_ARGUMENT,
  SCHEMA_MISMATCH: status.FAILED_PRECONDITION,
  ORDERED_ON_MISMATCH: status.FAILED_PRECONDITION,
  NOT_FOUND: status.NOT_FOUND,
  VERSION_NOT_FOUND: status.NOT_FOUND,
  SNAPSHOT_NOT_FOUND: status.NOT_FOUND,
  LEASE_NOT_FOUND: status.NOT_FOUND,
  HELD_BY_SNAPSHOT: status.FAILED_PRECONDITION,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  STORE_LOCKED: status.FAILED_PRECONDITION,
  LOCK_COMPROMISED: status.UNAVAILABLE,
  TOO_LARGE: status.RESOURCE_EXHAUSTED,
  METADATA_TOO_LARGE: status.INVALID_ARGUMENT,
  DISK_FULL: status.RESOURCE_EXHAUSTED,
  STORE_READ_ONLY: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.FAILED_PRECONDITION,
  CANCELLED: status.CANCELLED,
  IDLE_TIMEOUT: status.DEADLINE_EXCEEDED,
  CORRUPT_DATASET: status.DATA_LOSS,
  NOT_INITIALIZED: status.FAILED_PRECONDITION,
  INTERNAL: status.INTERNAL,
};

/** Metadata key carrying the engine's error code, so that clients can tell failures apart beyond the status. */
export const ERROR_CODE_METADATA_KEY = "oups-error-code";

/**
 * The one place where failures become gRPC statuses. Engine errors keep their message; anything else is sent as a
 * generic internal error, so that internals never leak to clients (the call's log line has its stack and cause,
 * see call-log.ts).
 */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const error = err instanceof OupsError ? err : new OupsError("INTERNAL", "internal error (see the daemon's log)");
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  return { code: statusByCode[error.code], details: error.message, metadata };
}

/**
 * Failures of access control, decided by the RPC layer before any handler runs (the engine knows nothing of
 * callers): `UNAUTHENTICATED`, no token or an unknown one; `FORBIDDEN`, a read token calling a method that writes.
 * Not engine codes: the engine's `PERMISSION_DENIED` is the daemon's own file-system rights.
 */
export type AccessErrorCode = "UNAUTHENTICATED" | "FORBIDDEN";

export const statusByAccessCode: Record<AccessErrorCode, status> = {
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  FORBIDDEN: status.PERMISSION_DENIED,
};

/** The status refusing a call for lack of access, with its code in the same trailer as engine errors. */
export function toAccessDeniedStatus(code: AccessErrorCode, message: string): StatusObject {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, code);
  return { code: statusByAccessCode[code], details: message, metadata };
}
