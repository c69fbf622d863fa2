import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";

/** The methods of a generated service, keyed by local name, with their kinds and message schemas. */
export type ServiceMethods<S extends DescService> = S extends { method: infer M } ? M : never;

/** The shape every generated method descriptor has. */
export interface MethodShape {
  methodKind: "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";
  input: DescMessage;
  output: DescMessage;
}

/** The decoded request message of a method. */
export type RequestOf<M extends MethodShape> = MessageShape<M["input"]>;
/** What a caller may pass as a request: a message or a plain init object. */
export type RequestInitOf<M extends MethodShape> = MessageInitShape<M["input"]>;
/** The decoded response message of a method. */
export type ResponseOf<M extends MethodShape> = MessageShape<M["output"]>;
/** What a handler may return as a response: a message or a plain init object. */
export type ResponseInitOf<M extends MethodShape> = MessageInitShape<M["output"]>;
