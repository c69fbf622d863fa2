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
import type { MethodShape, RequestOf, ResponseInitOf, ServiceMethods } from "#shared/grpc/method-types.js";
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

/** Options of {@link implementService}. */
export interface ServiceOptions {
  /**
   * Ends a server-streaming call with `error(method)` once its client has read nothing for `ms` (0: never) while
   * responses wait for it: the handler's iterator is closed at once (releasing what it holds), and the status
   * follows the responses already handed to the transport.
   */
  responseIdleTimeout?: { ms: number; error: (method: string) => unknown } | undefined;
  /** Sees each call start and end, with its status and what its handler reported. */
  observer?: CallObserver | undefined;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown> | ServerWritableStream<unknown, unknown>;

const unobserved: CallObserver = { callStarted: () => {}, callEnded: () => {} };

/**
 * Adapts promise-based handlers to grpc-js's callback and stream API: errors go through `toStatus`, server-streamed
 * responses wait for `drain` (backpressure), and a cancelled call aborts the handler's signal.
 */
export function implementService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  toStatus: ErrorToStatus,
  options: ServiceOptions = {},
): UntypedServiceImplementation {
  const observer = options.observer ?? unobserved;
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
          const idle = options.responseIdleTimeout;
          const idleTimeout = idle && idle.ms > 0 ? { ms: idle.ms, error: () => idle.error(method.name) } : undefined;
          void streamResponses(call, handler(call.request, context) as AsyncIterable<unknown>, context.signal, idleTimeout).then(
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
 * A wait longer than `idleTimeout.ms` (a client that stopped reading) fails with its error.
 */
async function streamResponses(
  call: ServerWritableStream<unknown, unknown>,
  responses: AsyncIterable<unknown>,
  signal: AbortSignal,
  idleTimeout?: { ms: number; error: () => unknown },
) {
  const cancelled = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const unflushed: Promise<void>[] = [];
  for await (const response of responses) {
    if (signal.aborted) return;
    unflushed.push(new Promise<void>((resolve) => call.write(response, () => resolve())));
    if (unflushed.length >= MAX_UNFLUSHED_RESPONSES) {
      if ((await raceIdle(Promise.race([unflushed.shift()!, cancelled]), idleTimeout?.ms)) === IDLE) throw idleTimeout!.error();
    }
  }
}

const IDLE = Symbol("idle");

/** `wait`, or {@link IDLE} when it takes longer than `ms` (never when undefined). */
async function raceIdle(wait: Promise<void>, ms: number | undefined): Promise<void | typeof IDLE> {
  if (ms === undefined) return wait;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([wait, new Promise<typeof IDLE>((resolve) => (timer = setTimeout(() => resolve(IDLE), ms)))]);
  } finally {
    clearTimeout(timer);
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
