import { status } from "@grpc/grpc-js";
import { log } from "../log.js";
import type { LogFields } from "../log.js";
import type { CallObserver, EndedCall } from "./call-observer.js";

/** Statuses that say the daemon, not the client, is at fault: logged at error, with the failure's stack. */
const SERVER_FAULTS = new Set<status>([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS]);

/** Statuses an operator should see even when the daemon is not at fault (store unavailable, disk full). */
const WARNINGS = new Set<status>([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED]);

/**
 * The access log: one line per call, at info, with its method, key, rows, bytes, duration, status and peer. A failure
 * the daemon is responsible for is logged at error with its stack and cause chain; one caused by the request (a
 * missing dataset, a bad argument) at info with its message; a call the client cancelled at info, as CANCELLED.
 * Request metadata is never logged (it carries credentials).
 */
export const callLog: CallObserver = {
  callStarted: () => {},
  callEnded: (call) => {
    const fields = fieldsOf(call);
    const message = `${call.method} ${fields.status}`;
    if (SERVER_FAULTS.has(call.code)) log.error(message, call.error, fields);
    else if (WARNINGS.has(call.code)) log.warn(message, undefined, withMessage(fields, call.error));
    else log.info(message, withMessage(fields, call.error));
  },
};

/** The name of a gRPC status code (`NOT_FOUND`), as clients and the metrics spell it. */
export function statusName(code: status): string {
  return status[code] ?? String(code);
}

function fieldsOf(call: EndedCall): LogFields {
  return {
    method: call.method,
    ...(call.key === undefined ? {} : { key: call.key }),
    ...(call.rows === undefined ? {} : { rows: call.rows }),
    ...(call.bytes === undefined ? {} : { bytes: call.bytes }),
    durationMs: Math.round(call.durationSeconds * 1e6) / 1e3,
    status: statusName(call.code),
    peer: call.peer,
  };
}

function withMessage(fields: LogFields, error: unknown): LogFields {
  return error === undefined ? fields : { ...fields, error: error instanceof Error ? error.message : String(error) };
}
