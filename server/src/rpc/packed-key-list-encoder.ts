import type { KeyValues } from "../store/keys/key-tree.js";
import { varintSize, writeVarint } from "#shared/grpc/varint.js";

/** Room before the values for their field's header: the tag, and the longest varint a page's length takes. */
const HEAD_ROOM = 1 + 5;

/**
 * Writes a packed ListKeysResponse (the request's `packed`): every value of the page's keys followed by a newline,
 * as one `packed_values` string (field 3), then the field names (`packed_fields`, field 4) and the page token.
 * The values are written where they end up, after room for their field's header, which {@link finish} fills in
 * once their length is known: no copy of the page, no message object, a few bytes per value.
 */
export class PackedKeyListEncoder {
  #buffer: Buffer;
  #at = HEAD_ROOM;
  #count = 0;
  /** packed_fields, in wire form. */
  private readonly fieldsBytes: Buffer;

  constructor(fieldNames: readonly string[], initialBytes = 64 * 1024) {
    this.fieldsBytes = Buffer.concat(
      fieldNames.map((name) => {
        const bytes = Buffer.from(name, "utf8");
        return Buffer.concat([Buffer.from([0x22]), encodeVarint(bytes.byteLength), bytes]);
      }),
    );
    this.#buffer = Buffer.allocUnsafe(Math.max(initialBytes, HEAD_ROOM + 1024));
  }

  /** Keys written so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the message so far (the field names and headers counted). */
  get byteLength(): number {
    return this.#at + this.fieldsBytes.byteLength;
  }

  /** Appends one key, unless that would take the message past `maxBytes` (then false, nothing written). */
  add(values: KeyValues, maxBytes: number): boolean {
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit), then one pass that writes and measures at once.
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst += 3 * (values[i] as string).length + 1;
    this.reserve(worst);
    const out = this.#buffer;
    let at = this.#at;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as string;
      const length = value.length;
      // Byte by byte while ASCII (key values mostly are): for a few bytes, a Buffer call costs more than the copy.
      let j = 0;
      for (; j < length; j++) {
        const code = value.charCodeAt(j);
        if (code >= 0x80) break;
        out[at++] = code;
      }
      if (j < length) at += out.write(value.slice(j), at, "utf8");
      out[at++] = 0x0a;
    }
    // Past the limit, the bytes just written are left beyond the end: the next key overwrites them.
    if (at + this.fieldsBytes.byteLength > maxBytes) return false;
    this.#at = at;
    this.#count++;
    return true;
  }

  /** The message: the values, the field names, then `nextPageToken` (field 2) when not empty. */
  finish(nextPageToken: string): Buffer {
    const valuesBytes = this.#at - HEAD_ROOM;
    // The header goes right before the values, in the room left for it.
    const start = HEAD_ROOM - 1 - varintSize(valuesBytes);
    this.#buffer[start] = 0x1a;
    writeVarint(this.#buffer, start + 1, valuesBytes);
    const token = Buffer.from(nextPageToken, "utf8");
    this.reserve(this.fieldsBytes.byteLength + 1 + varintSize(token.byteLength) + token.byteLength);
    this.#at += this.fieldsBytes.copy(this.#buffer, this.#at);
    if (token.byteLength > 0) {
      this.#buffer[this.#at++] = 0x12;
      this.#at = writeVarint(this.#buffer, this.#at, token.byteLength);
      this.#at += token.copy(this.#buffer, this.#at);
    }
    return this.#buffer.subarray(start, this.#at);
  }

  private reserve(bytes: number): void {
    if (this.#at + bytes <= this.#buffer.byteLength) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#at + bytes, 2 * this.#buffer.byteLength));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }
}

function encodeVarint(value: number): Buffer {
  const out = Buffer.alloc(varintSize(value));
  writeVarint(out, 0, value);
  return out;
}
