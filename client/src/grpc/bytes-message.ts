import type { DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";

/**
 * Serialises messages that carry one `bytes` payload (an Arrow IPC chunk) straight into one buffer: the field's
 * tag, the payload's length, then the payload, copied once. `toBinary` copies a payload several times on its way
 * (into its writer, again as the writer grows, again at the end), which made a range scan spend more time
 * copying and collecting garbage than sending.
 *
 * Applies to messages whose fields are one `bytes` field, or a oneof holding a `bytes` field. Returns an
 * encoder that answers `undefined` for a message it does not cover (another oneof case, unknown fields), or
 * `undefined` for a schema of another shape.
 */
export function bytesMessageEncoder(schema: DescMessage): ((message: MessageShape<DescMessage>) => Buffer | undefined) | undefined {
  const fields = schema.fields;
  const isBytes = (field: DescField) => field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES;
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

/** A length-delimited field: tag (field number, wire type 2), length, payload. */
function encodeField(number: number, payload: Uint8Array): Buffer {
  const tag = number * 8 + 2;
  const out = Buffer.allocUnsafe(varintSize(tag) + varintSize(payload.byteLength) + payload.byteLength);
  let at = writeVarint(out, 0, tag);
  at = writeVarint(out, at, payload.byteLength);
  out.set(payload, at);
  return out;
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let position = at;
  let v = value;
  while (v >= 0x80) {
    out[position++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[position++] = v;
  return position;
}
