import type { DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { varintSize, writeVarint } from "#shared/grpc/varint.js";

/** Bytes kept free before a framed payload: a field tag and the longest varint length (payloads < 2^35 bytes). */
const HEADROOM = 6;

/** Payloads allocated by {@link allocateFramed}: the bytes before them are free for their protobuf framing. */
const framed = new WeakSet<Uint8Array>();

/**
 * A payload of `bytes` bytes with room before it for its field tag and length, so that the message carrying it is
 * serialised without copying it (see {@link framedRequestSerializer}).
 */
export function allocateFramed(bytes: number): Uint8Array {
  const payload = Buffer.allocUnsafe(HEADROOM + bytes).subarray(HEADROOM);
  framed.add(payload);
  return payload;
}

/**
 * Wraps a request serializer: a message whose only set field is a `bytes` member of its oneof, holding a payload
 * from {@link allocateFramed}, is serialised by writing its tag and length into the room before the payload, and
 * sent as a view of those bytes (protobuf's wire form of that message, without a copy of the payload). Any other
 * message goes to `fallback`.
 */
export function framedRequestSerializer(schema: DescMessage, fallback: (message: MessageShape<DescMessage>) => Buffer): (message: MessageShape<DescMessage>) => Buffer {
  const oneof = schema.oneofs.length === 1 && schema.oneofs[0]!.fields.length === schema.fields.length ? schema.oneofs[0]! : undefined;
  const isBytes = (field: DescField) => field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES;
  const numbers = new Map((oneof?.fields ?? []).filter(isBytes).map((field) => [field.localName, field.number]));
  if (oneof === undefined || numbers.size === 0) return fallback;
  return (message) => {
    const selected = (message as Record<string, unknown>)[oneof.localName] as { case?: string; value?: unknown } | undefined;
    const number = selected?.case === undefined ? undefined : numbers.get(selected.case);
    const payload = selected?.value;
    const unknown = (message as { $unknown?: unknown[] }).$unknown;
    if (number === undefined || !(payload instanceof Uint8Array) || !framed.has(payload) || (unknown !== undefined && unknown.length > 0)) return fallback(message);
    const length = payload.byteLength;
    const start = payload.byteOffset - 1 - varintSize(length);
    const out = Buffer.from(payload.buffer, start, payload.byteOffset + length - start);
    out[0] = number * 8 + 2;
    writeVarint(out, 1, length);
    return out;
  };
}
