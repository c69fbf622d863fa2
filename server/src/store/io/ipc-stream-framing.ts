import { Message } from "apache-arrow";
import { OupsError } from "../errors.js";

/** The continuation marker opening every message of the IPC stream format since Arrow 0.15. */
const CONTINUATION = 0xffffffff;

/** Magic bytes opening (and closing) the Arrow IPC file format. */
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Largest message metadata accepted: far above any real schema or batch header, far below memory limits. */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/**
 * Follows the message framing of an Arrow IPC stream as its bytes arrive, to tell what a payload that is not a
 * well-formed current IPC stream is instead: Arrow's reader accepts the IPC file format and legacy streams, and
 * stops reading at the end-of-stream marker, so neither shows in what it decodes. `push` throws `INVALID_ARGUMENT`
 * as soon as the payload turns out to be the file format, a legacy (pre-0.15) stream or not IPC at all; afterwards,
 * {@link ended} and {@link trailingBytes} say whether the marker came and what followed it.
 */
export class IpcStreamFraming {
  /** `onMessage` sees each message's decoded header as soon as its metadata has arrived, before its body. */
  constructor(private readonly onMessage?: (message: Message, bodyLength: number, metadata: Uint8Array) => void) {}

  #state: "prefix" | "metadata" | "body" | "ended" = "prefix";
  /** Bytes of the current prefix or metadata, and how many of them are wanted and are there. */
  #head = new Uint8Array(8);
  #need = 8; // the first prefix is read whole (8 bytes) to classify the payload
  #filled = 0;
  #legacy = false;
  #bodyLeft = 0;
  #messages = 0;
  #trailing = 0;

  /** True once the end-of-stream marker has arrived. */
  get ended(): boolean {
    return this.#state === "ended";
  }

  /** Bytes received after the end-of-stream marker. */
  get trailingBytes(): number {
    return this.#trailing;
  }

  /** Takes the next bytes of the payload. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.#state === "ended") {
        this.#trailing += chunk.byteLength - at;
        return;
      }
      if (this.#state === "body") {
        const n = Math.min(this.#bodyLeft, chunk.byteLength - at);
        this.#bodyLeft -= n;
        at += n;
        if (this.#bodyLeft === 0) this.#expect("prefix", 4);
        continue;
      }
      const n = Math.min(this.#need - this.#filled, chunk.byteLength - at);
      this.#head.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#need) this.#step();
    }
  }

  #expect(state: "prefix" | "metadata", bytes: number): void {
    this.#state = state;
    if (this.#head.byteLength < bytes) this.#head = new Uint8Array(bytes);
    this.#need = bytes;
    this.#filled = 0;
  }

  #step(): void {
    const view = new DataView(this.#head.buffer, this.#head.byteOffset, this.#filled);
    if (this.#state === "prefix") {
      const first = view.getUint32(0, true);
      if (this.#messages === 0) {
        this.#firstPrefix(view);
        return;
      }
      // As Arrow's reader does: a prefix is the marker then the length, or (legacy) the length alone.
      if (first === CONTINUATION) {
        if (this.#need === 4) {
          this.#need = 8;
          return;
        }
        this.#metadata(view.getInt32(4, true));
      } else {
        this.#metadata(view.getInt32(0, true));
      }
      return;
    }
    // Metadata complete: it says how long the body is.
    let message: Message;
    const metadata = this.#head.subarray(0, this.#need);
    try {
      message = Message.decode(metadata);
    } catch {
      throw this.#legacy ? notIpc() : new OupsError("INVALID_ARGUMENT", `arrow_ipc chunks are not a valid Arrow IPC stream: message ${this.#messages} has an undecodable header`);
    }
    if (this.#legacy) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        "a legacy Arrow IPC stream (without the 0xFFFFFFFF continuation markers of Arrow 0.15 and later) is not accepted: send the current IPC stream format",
      );
    }
    const bodyLength = Number(message.bodyLength);
    if (bodyLength < 0) {
      throw new OupsError("INVALID_ARGUMENT", `arrow_ipc chunks are not a valid Arrow IPC stream: message ${this.#messages} announces a negative body length (${bodyLength})`);
    }
    this.onMessage?.(message, bodyLength, metadata);
    this.#messages++;
    this.#bodyLeft = bodyLength;
    if (this.#bodyLeft > 0) this.#state = "body";
    else this.#expect("prefix", 4);
  }

  /** Classifies the payload from its first 8 bytes. */
  #firstPrefix(view: DataView): void {
    if (FILE_MAGIC.every((b, i) => this.#head[i] === b)) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        "the Arrow IPC file format (ARROW1 magic) is not accepted: send the IPC stream format (pyarrow.ipc.new_stream, tableToIPC(table, \"stream\"))",
      );
    }
    if (view.getUint32(0, true) === CONTINUATION) {
      this.#metadata(view.getInt32(4, true));
      return;
    }
    // Without the marker, a legacy stream starts with its schema message's length: check that a message follows.
    const length = view.getInt32(0, true);
    if (length <= 4 || length > MAX_METADATA_BYTES) throw notIpc();
    this.#legacy = true;
    const already = this.#head.slice(4, 8);
    this.#expect("metadata", length);
    this.#head.set(already);
    this.#filled = 4;
  }

  #metadata(length: number): void {
    if (length === 0) {
      this.#state = "ended";
      return;
    }
    if (length < 0) {
      throw new OupsError("INVALID_ARGUMENT", `arrow_ipc chunks are not a valid Arrow IPC stream: message ${this.#messages} has a negative metadata length (${length})`);
    }
    if (length > MAX_METADATA_BYTES) {
      throw new OupsError(
        "INVALID_ARGUMENT",
        `arrow_ipc chunks are not a valid Arrow IPC stream: message ${this.#messages} announces ${length} bytes of metadata, more than the ${MAX_METADATA_BYTES} accepted`,
      );
    }
    this.#expect("metadata", length);
  }
}

function notIpc(): OupsError {
  return new OupsError("INVALID_ARGUMENT", "arrow_ipc chunks are not an Arrow IPC stream: it starts with neither the 0xFFFFFFFF continuation marker nor a legacy message");
}
