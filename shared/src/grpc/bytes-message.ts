import type { DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { varintSize, writeVarint } from "./varint.js";

/**
 * Serialises messages that carry one `bytes` payload (an Arrow IPC chunk) straight into one buffer: the field's
 * tag, the payload's length, then the payload, copied once. `toBinary` copies a payload several times on its way
 * (into its writer, again as the writer grows, again at the end), which made a range scan spend more time
 * copying and collecting garbage than sending.
 *
 * Applies to messages whose fields are one `bytes` field, or a oneof holding a `bytes` field, or one `bytes` field
 * and a `bytes` field named `padding`: the padding field is then written first, with as many zero bytes as put the
 * payload at an offset of 3 modulo 8 in the message, hence 8-byte aligned behind the 5-byte gRPC message prefix
 * that grpc-js keeps in front of a received message (Arrow JS copies every IPC message body that is not). Returns an
 * encoder that answers `undefined` for a message it does not cover (another oneof case, unknown fields), or
 * `undefined` for a schema of another shape. With `scratch`, messages are encoded into it rather than into a
 * buffer of their own (see {@link ScratchBuffer}).
 */
export function bytesMessageEncoder(
  schema: DescMessage,
  scratch?: ScratchBuffer,
): ((message: MessageShape<DescMessage>) => Buffer | undefined) | undefined {
  const encodeField = (number: number, payload: Uint8Array) => {
    const tag = number * 8 + 2;
    const out = (scratch ?? ALLOCATE).take(varintSize(tag) + varintSize(payload.byteLength) + payload.byteLength);
    let at = writeVarint(out, 0, tag);
    at = writeVarint(out, at, payload.byteLength);
    out.set(payload, at);
    return out;
  };
  const fields = schema.fields;
  const isBytes = (field: DescField) => field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES;
  const padding = fields.length === 2 ? fields.find((f) => f.localName === "padding" && f.oneof === undefined && isBytes(f)) : undefined;
  const padded = padding === undefined ? undefined : fields.find((f) => f !== padding);
  if (padding !== undefined && padded !== undefined && padded.oneof === undefined && isBytes(padded)) {
    const paddingTag = padding.number * 8 + 2;
    const payloadTag = padded.number * 8 + 2;
    return (message) => {
      if (hasUnknownFields(message)) return undefined;
      const record = message as Record<string, unknown>;
      const payload = record[padded.localName];
      const given = record[padding.localName];
      if (!(payload instanceof Uint8Array) || (given instanceof Uint8Array && given.byteLength > 0)) return undefined;
      if (payload.byteLength === 0) return Buffer.alloc(0);
      const head = varintSize(payloadTag) + varintSize(payload.byteLength);
      const before = varintSize(paddingTag) + 1;
      const zeros = (8 - ((GRPC_PREFIX_BYTES + before + head) % 8)) % 8;
      const out = (scratch ?? ALLOCATE).take(before + zeros + head + payload.byteLength);
      let at = writeVarint(out, 0, paddingTag);
      out[at++] = zeros;
      out.fill(0, at, at + zeros);
      at = writeVarint(out, at + zeros, payloadTag);
      at = writeVarint(out, at, payload.byteLength);
      out.set(payload, at);
      return out;
    };
  }
  if (fields.length === 1 && fields[0]!.oneof === undefined && isBytes(fields[0]!)) {
    const field = fields[0]!;
    return (message) => {
      if (hasUnknownFields(message)) return undefined;
      const payload = (message as Record<string, unknown>)[field.localName];
      if (!(payload instanceof Uint8Array)) return undefined;
      // proto3: an empty bytes field outside a oneof is not written.
      return payload.byteLength === 0 ? Buffer.alloc(0) : encodeField(field.number, payload);
    };
  }
  const oneof = schema.oneofs.length === 1 ? schema.oneofs[0]! : undefined;
  if (oneof === undefined || oneof.fields.length !== fields.length) return undefined;
  const bytesFields = new Map(oneof.fields.filter(isBytes).map((field) => [field.localName, field.number]));
  if (bytesFields.size === 0) return undefined;
  return (message) => {
    if (hasUnknownFields(message)) return undefined;
    const selected = (message as Record<string, unknown>)[oneof.localName] as { case?: string; value?: unknown } | undefined;
    const number = selected?.case === undefined ? undefined : bytesFields.get(selected.case);
    if (number === undefined || !(selected!.value instanceof Uint8Array)) return undefined;
    // A oneof member is written even when empty: its presence is the information.
    return encodeField(number, selected!.value);
  };
}

function hasUnknownFields(message: MessageShape<DescMessage>): boolean {
  const unknown = (message as { $unknown?: unknown[] }).$unknown;
  return unknown !== undefined && unknown.length > 0;
}

/**
 * One buffer that encoded messages are written into, one after the other, each overwriting the previous one.
 * Only for a consumer that is done with each message before the next is encoded: grpc-js's server copies a
 * serialised response into the frame it sends as soon as the serialiser returns. Allocating a fresh buffer of a few
 * MiB per message instead cost a range scan about a fifth of its time, in page faults and in the garbage
 * collections that so much short-lived memory outside the heap triggers.
 */
export class ScratchBuffer {
  #buffer = Buffer.alloc(0);

  /** @param maxBytes Messages larger than this get a buffer of their own, so that a rare huge one is not kept. */
  constructor(readonly maxBytes = 8 * 1024 * 1024) {}

  /** A view of `bytes` bytes of the scratch buffer (a new buffer when above `maxBytes`). */
  take(bytes: number): Buffer {
    if (bytes > this.maxBytes) return Buffer.allocUnsafe(bytes);
    if (this.#buffer.byteLength < bytes) this.#buffer = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(bytes, 2 * this.#buffer.byteLength)));
    return this.#buffer.subarray(0, bytes);
  }
}

/** Bytes of the gRPC message prefix on the wire (a compression flag, then a 4-byte length). */
const GRPC_PREFIX_BYTES = 5;

const ALLOCATE = { take: (bytes: number) => Buffer.allocUnsafe(bytes) };
