import type { DescService } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { CallOptions as GrpcCallOptions, ChannelOptions, ClientWritableStream, ServiceError } from "@grpc/grpc-js";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { once } from "node:events";
import type { MethodShape, RequestInitOf, ResponseOf, ServiceMethods } from "./method-types.js";
import { toGrpcServiceDefinition } from "./service-definition.js";

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

/** Connects a typed client of `service` to `address` (host:port), in plaintext unless `channelCredentials` says otherwise. */
export function createTypedClient<S extends DescService>(
  service: S,
  address: string,
  options: { channelOptions?: ChannelOptions; channelCredentials?: ReturnType<typeof credentials.createInsecure> } = {},
): TypedClient<S> {
  const client = new Client(address, options.channelCredentials ?? credentials.createInsecure(), options.channelOptions);
  const definition = toGrpcServiceDefinition(service);
  const methods: Record<string, unknown> = { grpc: client, close: () => client.close() };
  for (const method of service.methods) {
    const def = definition[method.localName]!;
    const wrap = (init: unknown) => create(method.input, init as never);
    switch (method.methodKind) {
      case "unary":
        methods[method.localName] = (request: unknown, callOptions: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            const call = client.makeUnaryRequest(
              def.path, def.requestSerialize, def.responseDeserialize, wrap(request),
              toMetadata(callOptions), toGrpcOptions(callOptions),
              (err: ServiceError | null, response?: unknown) => (err ? reject(err) : resolve(response)),
            );
            cancelOnAbort(callOptions.signal, () => call.cancel());
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
          cancelOnAbort(callOptions.signal, () => call.cancel());
          try {
            for await (const request of requests) {
              if (call.destroyed || call.writableEnded) break;
              // Backpressure: wait for the transport to drain before producing more.
              if (!call.write(wrap(request))) await Promise.race([once(call, "drain"), response]);
            }
            call.end();
          } catch (err) {
            // The source failed: cancel, so that the server commits nothing.
            call.cancel();
            await response.catch(() => undefined);
            throw err;
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
            cancelOnAbort(callOptions.signal, () => call.cancel());
            let finished = false;
            try {
              for await (const response of call) yield response;
              finished = true;
            } finally {
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

function toMetadata(options: CallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  return metadata;
}

function toGrpcOptions(options: CallOptions): GrpcCallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

function cancelOnAbort(signal: AbortSignal | undefined, cancel: () => void): void {
  if (!signal) return;
  if (signal.aborted) cancel();
  else signal.addEventListener("abort", cancel, { once: true });
}
