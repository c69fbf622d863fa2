import type { ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";

/** Metadata key under which the daemon sends its error code (see the server's service-error module). */
const ERROR_CODE_METADATA_KEY = "oups-error-code";

/**
 * An error from the daemon or the transport. `code` is the daemon's error code (`"UNORDERED_INPUT"`,
 * `"NOT_FOUND"`, …) when it sent one, else the name of the gRPC status; `grpcCode` is the numeric gRPC status.
 */
export class OupsClientError extends Error {
  override name = "OupsClientError";
  constructor(
    readonly code: string,
    readonly grpcCode: status,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Wraps any failure of a call; errors that are already OupsClientErrors pass through unchanged. */
  static from(err: unknown): OupsClientError {
    if (err instanceof OupsClientError) return err;
    if (isServiceError(err)) {
      const sent = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
      const code = typeof sent === "string" ? sent : (status[err.code] ?? "UNKNOWN");
      return new OupsClientError(code, err.code, err.details || err.message, { cause: err });
    }
    if (err instanceof Error && err.name === "AbortError") {
      return new OupsClientError("CANCELLED", status.CANCELLED, err.message, { cause: err });
    }
    return new OupsClientError("INTERNAL", status.INTERNAL, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number" && "details" in err;
}

/** True when `err` is an {@link OupsClientError}, optionally with the given code. */
export function isOupsClientError(err: unknown, code?: string): err is OupsClientError {
  return err instanceof OupsClientError && (code === undefined || err.code === code);
}
