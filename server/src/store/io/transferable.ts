/** Bytes ready for `postMessage`: the view to send and the transfer list that moves it without a copy. */
export interface Transferable {
  readonly bytes: Uint8Array;
  readonly transfer: ArrayBuffer[];
}

/**
 * Prepares `bytes` to be posted to another thread. When the view spans its whole `ArrayBuffer`, that buffer is
 * moved (transferred) and the sender's `bytes` become detached (empty). A `SharedArrayBuffer` is posted as is
 * (shared, never copied). Any other view is copied once into a buffer of its own, which is then moved.
 */
export function prepareTransfer(bytes: Uint8Array): Transferable {
  const { buffer } = bytes;
  if (buffer instanceof SharedArrayBuffer) {
    return { bytes, transfer: [] };
  }
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return { bytes, transfer: [buffer] };
  }
  // A partial view (e.g. a slice of Node's Buffer pool) cannot be moved without detaching memory that is not
  // ours, and posting it untransferred would clone its whole underlying buffer: copying just its bytes is cheaper.
  const copy = bytes.slice();
  return { bytes: copy, transfer: [copy.buffer] };
}
