import type { ServerUnaryCall } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";

/** What tracking needs of a call (any kind of call has it). */
type TrackedCall = Pick<ServerUnaryCall<unknown, unknown>, "getPeer" | "getDeadline">;

/** What a handler tells about its call, for the call's log line and the metrics (see `HandlerContext.report`). */
export interface CallReport {
  /** The dataset key as people write it (its path, e.g. `AAPL-2023/1`), or the fields given when not a valid key. */
  key?: string | undefined;
  /** Rows written (Write, once committed) or sent (reads); reports add up. */
  rows?: number | undefined;
  /** Arrow IPC bytes received (Write) or sent (reads); reports add up. */
  bytes?: number | undefined;
}

/** A call that has ended, as a {@link CallObserver} sees it. */
export interface EndedCall extends CallReport {
  /** The method's name in the contract (`Describe`, `RangeQuery`, …). */
  method: string;
  code: status;
  durationSeconds: number;
  /** The client's address, as grpc-js gives it. */
  peer: string;
  /** What made the call fail, unless the client cancelled it or its deadline passed. */
  error?: unknown;
}

/** Sees every call of a service begin and end (the daemon's call log and metrics). */
export interface CallObserver {
  callStarted(method: string): void;
  callEnded(call: EndedCall): void;
}

/** Observers that each see every call. */
export function observeCalls(...observers: readonly CallObserver[]): CallObserver {
  return {
    callStarted: (method) => {
      for (const o of observers) o.callStarted(method);
    },
    callEnded: (call) => {
      for (const o of observers) o.callEnded(call);
    },
  };
}

/** One call's tracking: what its handler reported, and how it ended (see {@link trackCall}). */
export interface CallTracking {
  report(fields: CallReport): void;
  /**
   * Ends the call with the status sent (none: OK) and, for a failure, its cause; only the first end counts. A call
   * whose `signal` (the handler's) is aborted ended because the client cancelled it or its deadline passed,
   * whatever the handler then threw: it ends CANCELLED or DEADLINE_EXCEEDED, with no error to log.
   */
  end(signal: AbortSignal, code?: status, error?: unknown): void;
}

/** Starts tracking a call of `method`: the observer sees it start now, and end at {@link CallTracking.end}. */
export function trackCall(observer: CallObserver, method: string, call: TrackedCall): CallTracking {
  const started = process.hrtime.bigint();
  const report: CallReport = {};
  let ended = false;
  observer.callStarted(method);
  return {
    report(fields) {
      if (fields.key !== undefined) report.key = fields.key;
      if (fields.rows !== undefined) report.rows = (report.rows ?? 0) + fields.rows;
      if (fields.bytes !== undefined) report.bytes = (report.bytes ?? 0) + fields.bytes;
    },
    end(signal, code = status.OK, error) {
      if (ended) return;
      ended = true;
      const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const base = { ...report, method, durationSeconds, peer: call.getPeer() };
      if (signal.aborted) observer.callEnded({ ...base, code: deadlinePassed(call) ? status.DEADLINE_EXCEEDED : status.CANCELLED });
      else observer.callEnded(code === status.OK || error === undefined ? { ...base, code } : { ...base, code, error });
    },
  };
}

function deadlinePassed(call: TrackedCall): boolean {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && Date.now() >= at;
}

/** A call that an interceptor refused before its handler ran (no token, say): it starts and ends at once. */
export function observeRefusal(observer: CallObserver, refused: { method: string; code: status; peer: string; message: string }): void {
  observer.callStarted(refused.method);
  observer.callEnded({ method: refused.method, code: refused.code, durationSeconds: 0, peer: refused.peer, error: new Error(refused.message) });
}
