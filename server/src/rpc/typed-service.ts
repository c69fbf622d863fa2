import type { DescService } from "@bufbuild/protobuf";
import type {
  Metadata,
  sendUnaryData,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { MethodShape, RequestOf, ResponseInitOf, ServiceMethods } from "../../../client/src/grpc/method-types.js";
import type { CallObserver, CallReport } from "./call-observer.js";
import { trackCall } from "./call-observer.js";

/** What every handler gets besides its request: cancellation, deadline and request metadata. */
export interface HandlerContext {
  /** Aborted when the client cancels, the deadline passes or the server shuts down the call. */
  readonly signal: AbortSignal;
  readonly metadata: Metadata;
  readonly peer: string;
  /** Tells the call's log line and metrics its key, rows and bytes (rows and bytes add up over reports). */
  report(fields: CallReport): void;
}

/** A promise-based handler: unary and client streaming return a promise, server streaming an async iterable. */
export type Handler<M extends MethodShape> = M["methodKind"] extends "unary"
  ? (request: RequestOf<M>, context: HandlerContext) => Promise<ResponseInitOf<M>>
  : M["methodKind"] extends "client_streaming"
    ? (requests: AsyncIterable<RequestOf<M>>, context: HandlerContext) => Promise<ResponseInitOf<M>>
    : M["methodKind"] extends "server_streaming"
      ? (request: RequestOf<M>, context: HandlerContext) => AsyncIterable<ResponseInitOf<M>>
      : never;

/** The handlers of a whole service, type-checked against its generated messages. */
export type ServiceImpl<S extends DescService> = {
  [K in keyof ServiceMethods<S>]: ServiceMethods<S>[K] extends MethodShape ? Handler<ServiceMethods<S>[K]> : never;
};

/** Turns any failure into the status sent to the client. */
export type ErrorToStatus = (err: unknown) => Partial<ServiceError>;

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown> | ServerWritableStream<unknown, unknown>;

const unobserved: CallObserver = { callStarted: () => {}, callEnded: () => {} };

/**
 * Adapts promise-based handlers to grpc-js's callback and stream API: errors go through `toStatus`, server-streamed
 * responses wait for `drain` (backpressure), and a cancelled call aborts the handler's signal. `observer` sees each
 * call start and end, with its status and what its handler reported.
 */
export function implementService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  toStatus: ErrorToStatus,
  observer: CallObserver = unobserved,
): UntypedServiceImplementation {
  const handlers = impl as unknown as Record<string, (request: unknown, context: HandlerContext) => unknown>;
  const implementation: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (!handler) throw new Error(`no handler for ${service.typeName}.${method.name}`);
    switch (method.methodKind) {
      case "unary":
      case "client_streaming":
        implementation[method.localName] = (call: AnyCall, callback: sendUnaryData<unknown>) => {
          const tracking = trackCall(observer, method.name, call);
          const context = contextOf(call, tracking.report);
          const input =
            method.methodKind === "unary"
              ? (call as ServerUnaryCall<unknown, unknown>).request
              : untilAborted(call as ServerReadableStream<unknown, unknown>, context.signal);
          (handler(input, context) as Promise<unknown>).then(
            (response) => {
              tracking.end(context.signal);
              callback(null, response);
            },
            (err: unknown) => {
              const failure = toStatus(err);
              tracking.end(context.signal, failure.code, err);
              callback(failure);
            },
          );
        };
        break;
      case "server_streaming":
        implementation[method.localName] = (call: ServerWritableStream<unknown, unknown>) => {
          const tracking = trackCall(observer, method.name, call);
          const context = contextOf(call, tracking.report);
          void streamResponses(call, handler(call.request, context) as AsyncIterable<unknown>, context.signal).then(
            () => {
              tracking.end(context.signal);
              call.end();
            },
            (err: unknown) => {
              const failure = toStatus(err);
              tracking.end(context.signal, failure.code, err);
              call.emit("error", failure);
            },
          );
        };
        break;
      default:
        throw new Error(`${method.methodKind} methods are not supported (${method.name})`);
    }
  }
  return implementation;
}

/** Responses handed to the transport but not yet flushed into the HTTP/2 stream, at most. */
const MAX_UNFLUSHED_RESPONSES = 2;

/**
 * Writes responses with backpressure by bytes, not by message count: grpc-js's stream buffers 16 messages before
 * `write` says to wait, which is 64 MiB of 4 MiB chunks. Here the next response is only produced once all but
 * one of the earlier ones have been flushed to HTTP/2, which itself waits for the client's flow-control window.
 */
async function streamResponses(call: ServerWritableStream<unknown, unknown>, responses: AsyncIterable<unknown>, signal: AbortSignal) {
  const cancelled = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const unflushed: Promise<void>[] = [];
  for await (const response of responses) {
    if (signal.aborted) return;
    unflushed.push(new Promise<void>((resolve) => call.write(response, () => resolve())));
    if (unflushed.length >= MAX_UNFLUSHED_RESPONSES) await Promise.race([unflushed.shift()!, cancelled]);
  }
}

function contextOf(call: AnyCall, report: HandlerContext["report"]): HandlerContext {
  const controller = new AbortController();
  (call as NodeJS.EventEmitter).on("cancelled", () => controller.abort(new Error("call cancelled by the client")));
  if (call.cancelled) controller.abort(new Error("call cancelled by the client"));
  return { signal: controller.signal, metadata: call.metadata, peer: call.getPeer(), report };
}

/** Iterates a request stream, failing as soon as the call is cancelled (a cancelled stream may never end). */
async function* untilAborted<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
