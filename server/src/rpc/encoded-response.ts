import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";

const ENCODED = Symbol("oups.encoded-response");

/**
 * A response a handler encoded itself (see key-list-encoder.ts), typed as the method's response so that the
 * handler's signature stays the generated one. Only a service definition passed through
 * {@link sendEncodedResponses} knows to send its bytes; anything else would see an empty message.
 */
export function encodedResponse<S extends DescMessage>(bytes: Uint8Array): MessageInitShape<S> {
  return { [ENCODED]: bytes } as unknown as MessageInitShape<S>;
}

/** Makes every method of `definition` send an {@link encodedResponse}'s bytes as they are. */
export function sendEncodedResponses(definition: ServiceDefinition): ServiceDefinition {
  for (const method of Object.values(definition)) {
    const serialize = method.responseSerialize as (message: MessageShape<DescMessage>) => Buffer;
    method.responseSerialize = (message: unknown) => {
      const bytes = (message as { [ENCODED]?: Uint8Array } | null)?.[ENCODED];
      if (bytes !== undefined) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return serialize(message as MessageShape<DescMessage>);
    };
  }
  return definition;
}
