/**
 * A gRPC service of one server-streaming method whose messages are raw bytes (identity serialisation on
 * Buffers): the cheapest way grpc-js can stream bytes, hence the ceiling a byte-streaming RPC can reach.
 * @module
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

const identity = (bytes: Buffer): Buffer => bytes;

/** The method: an empty request, then a stream of byte chunks. */
export const rawBytesStream: MethodDefinition<Buffer, Buffer> = {
  path: "/oups.bench.RawBytes/Stream",
  requestStream: false,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
};

/** The service holding {@link rawBytesStream}, for `server.addService`. */
export const rawBytesService: ServiceDefinition = { stream: rawBytesStream };

/** The line the transport server prints on stdout once it listens: `… on HOST:PORT`. */
export const TRANSPORT_READY = /raw bytes server on (\S+)/;
