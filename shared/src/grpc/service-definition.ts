import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { ScratchBuffer, bytesMessageEncoder } from "./bytes-message.js";

/** Options of {@link toGrpcServiceDefinition}. */
export interface GrpcServiceDefinitionOptions {
  /**
   * Serialise responses carrying one bytes payload into one reused buffer (see {@link ScratchBuffer}). Only for
   * a grpc-js server, which copies each serialised response before serialising the next.
   */
  reuseResponseBuffer?: boolean;
}

/**
 * Builds the grpc-js service definition of a protobuf-es service descriptor, so that grpc-js servers and clients
 * (de)serialise with the generated message types. Methods are keyed by their local (camelCase) name.
 */
export function toGrpcServiceDefinition(service: DescService, options: GrpcServiceDefinitionOptions = {}): ServiceDefinition {
  const scratch = options.reuseResponseBuffer ? new ScratchBuffer() : undefined;
  const definition: Record<string, MethodDefinition<MessageShape<DescMessage>, MessageShape<DescMessage>>> = {};
  for (const method of service.methods) {
    const streamsRequests = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
    const streamsResponses = method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
    const methodDefinition: MethodDefinition<MessageShape<DescMessage>, MessageShape<DescMessage>> = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: streamsRequests,
      responseStream: streamsResponses,
      requestSerialize: serializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output, scratch),
      responseDeserialize: deserializer(method.output),
      originalName: method.localName,
    };
    definition[method.localName] = methodDefinition;
  }
  return definition;
}

function serializer(schema: DescMessage, scratch?: ScratchBuffer): (message: MessageShape<DescMessage>) => Buffer {
  // Arrow IPC chunks take a path that copies them once.
  const encodeBytesMessage = bytesMessageEncoder(schema, scratch);
  return (message) => {
    const fast = encodeBytesMessage?.(message);
    if (fast !== undefined) return fast;
    // Handlers may hand over plain init objects; `create` returns real messages unchanged.
    const bytes = toBinary(schema, create(schema, message));
    // A view, not a copy: grpc-js only reads the buffer.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(schema: DescMessage): (bytes: Buffer) => MessageShape<DescMessage> {
  // fromBinary returns `bytes` fields as views into the received buffer: Arrow IPC chunks are not copied.
  return (bytes) => fromBinary(schema, bytes);
}
