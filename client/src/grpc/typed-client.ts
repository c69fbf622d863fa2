import type { DescService } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { CallOptions as GrpcCallOptions, ChannelCredentials, ChannelOptions, ClientWritableStream, ServiceError } from "@grpc/grpc-js";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { once } from "node:events";
import type { MethodShape, RequestInitOf, ResponseOf, ServiceMethods } from "#shared/grpc/method-types.js";
import { toGrpcServiceDefinition } from "#shared/grpc/service-definition.js";
import { framedRequestSerializer } from "../framed-payload.js";

/** Per-call options: cancellation, deadline and request metadata. */
export interface CallOptions {
  /** Cancels the call when aborted. */
  signal?: AbortSignal | undefined;
  /** Fails the call with DEADLINE_EXCEEDED after this many milliseconds. */
  timeoutMs?: number | undefined;
  /** Extra request metadata. */
  metadata?: Readonly<Record<string, string>> | undefined;
}

/** A typed client method: promises for unary and client-streaming calls, async iterables for server streaming. */
export type ClientMethod<M extends MethodShape> = M["methodKind"] extends "unary"
  ? (request: RequestInitOf<M>, options?: CallOptions) => Promise<ResponseOf<M>>
  : M["methodKind"] extends "client_streaming"
    ? (requests: AsyncIterable<RequestInitOf<M>> | Iterable<RequestInitOf<M>>, options?: CallOptions) => Promise<ResponseOf<M>>
    : M["methodKind"] extends "server_streaming"
      ? (request: RequestInitOf<M>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>
      : never;

/** A typed client of a generated service, plus `close()`. */
export type TypedClient<S extends DescService> = {
  [K in keyof ServiceMethods<S>]: ServiceMethods<S>[K] extends MethodShape ? ClientMethod<ServiceMethods<S>[K]> : never;
} & { readonly grpc: Client; close(): void };

/**
 * Connects a typed client of `service` to `address` (host:port), in plaintext unless `channelCredentials` says
 * otherwise. `metadata` is sent with every call (a call's own metadata overrides it key by key): grpc-js refuses
 * call credentials on a plaintext channel, and a bearer token must work over both.
 */
export function createTypedClient<S extends DescService>(
  service: S,
  address: string,
  options: {
    channelOptions?: ChannelOptions;
    channelCredentials?: ChannelCredentials;
    metadata?: Readonly<Record<string, string>>;
  } = {},
): TypedClient<S> {
  const client = new Client(address, options.channelCredentials ?? credentials.createInsecure(), options.channelOptions);
  const baseMetadata = options.metadata ?? {};
  const toMetadata = (callOptions: CallOptions) => callMetadata(baseMetadata, callOptions);
  const definition = toGrpcServiceDefinition(service);
  const methods: Record<string, unknown> = { grpc: client, close: () => client.close() };
  for (const method of service.methods) {
    const def = definition[method.localName]!;
    // Arrow IPC chunks the SDK encoded with room for their framing are sent without another copy.
    def.requestSerialize = framedRequestSerializer(method.input, def.requestSerialize as Parameters<typeof framedRequestSerializer>[1]);
    const wrap = (init: unknown) => create(method.input, init as never);
    switch (method.methodKind) {
      case "unary":
        methods[method.localName] = (request: unknown, callOptions: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            let forget = (): void => {};
            const call = client.makeUnaryRequest(
              def.path, def.requestSerialize, def.responseDeserialize, wrap(request),
              toMetadata(callOptions), toGrpcOptions(callOptions),
              (err: ServiceError | null, response?: unknown) => {
                forget();
                if (err) reject(err);
                else resolve(response);
              },
            );
            forget = cancelOnAbort(callOptions.signal, () => call.cancel());
          });
        break;
      case "client_streaming":
        methods[method.localName] = async (requests: AsyncIterable<unknown> | Iterable<unknown>, callOptions: CallOptions = {}) => {
          let call!: ClientWritableStream<unknown>;
          const response = new Promise((resolve, reject) => {
            call = client.makeClientStreamRequest(
              def.path, def.requestSerialize, def.responseDeserialize,
              toMetadata(callOptions), toGrpcOptions(callOptions),
              (err: ServiceError | null, res?: unknown) => (err ? reject(err) : resolve(res)),
            );
          });
          const forget = cancelOnAbort(callOptions.signal, () => call.cancel());
          // The call can end (cancelled, deadline, server error) while the source is still producing, or waits
          // forever: every wait races this, so that the call's outcome is reported at once.
          const ended: Promise<typeof CALL_ENDED> = response.then(
            () => CALL_ENDED,
            () => CALL_ENDED,
          );
          void ended.then(forget);
          const iterator = Symbol.asyncIterator in requests ? requests[Symbol.asyncIterator]() : requests[Symbol.iterator]();
          let sourceDone = false;
          try {
            for (;;) {
              const next = await Promise.race([iterator.next(), ended]);
              if (next === CALL_ENDED) break;
              if (next.done) {
                sourceDone = true;
                call.end();
                break;
              }
              // Backpressure: wait for the transport to drain before producing more.
              if (!call.write(wrap(next.value)) && (await Promise.race([once(call, "drain"), ended])) === CALL_ENDED) break;
            }
          } catch (err) {
            // The source failed: cancel, so that the server commits nothing.
            call.cancel();
            await ended;
            throw err;
          } finally {
            // Stopped early: let the source clean up, without waiting for a source that may never yield again (a
            // source that threw is already closed, and closing it again is harmless).
            if (!sourceDone) closeQuietly(iterator);
          }
          return response;
        };
        break;
      case "server_streaming":
        methods[method.localName] = (request: unknown, callOptions: CallOptions = {}) => ({
          async *[Symbol.asyncIterator]() {
            const call = client.makeServerStreamRequest(
              def.path, def.requestSerialize, def.responseDeserialize, wrap(request),
              toMetadata(callOptions), toGrpcOptions(callOptions),
            );
            const forget = cancelOnAbort(callOptions.signal, () => call.cancel());
            let finished = false;
            try {
              for await (const response of call) yield response;
              finished = true;
            } finally {
              forget();
              // The consumer stopped early (break or error): tell the server to stop too.
              if (!finished) call.cancel();
            }
          },
        });
        break;
      default:
        methods[method.localName] = () => {
          throw new Error(`${method.methodKind} methods are not supported (${method.name})`);
        };
    }
  }
  return methods as TypedClient<S>;
}

/** What a wait in a client-streaming call resolves to when the call has ended first. */
const CALL_ENDED = Symbol("call ended");

/** Closes an iterator that was not run to its end; a failure to close is not the caller's concern. */
function closeQuietly(iterator: Iterator<unknown> | AsyncIterator<unknown>): void {
  try {
    Promise.resolve(iterator.return?.()).catch(() => undefined);
  } catch {
    // A synchronous iterator whose return() throws: nothing more to clean up.
  }
}

function callMetadata(base: Readonly<Record<string, string>>, options: CallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries({ ...base, ...options.metadata })) metadata.set(key, value);
  return metadata;
}

function toGrpcOptions(options: CallOptions): GrpcCallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

/**
 * Cancels the call when `signal` aborts. Returns what removes the listener once the call is over, so that a
 * long-lived signal shared by many calls does not keep every finished call alive.
 */
function cancelOnAbort(signal: AbortSignal | undefined, cancel: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    cancel();
    return () => {};
  }
  signal.addEventListener("abort", cancel, { once: true });
  return () => signal.removeEventListener("abort", cancel);
}
