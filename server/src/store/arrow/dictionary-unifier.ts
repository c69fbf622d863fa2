import { Buffer } from "node:buffer";
import { Vector } from "apache-arrow";
import type { Data, Dictionary } from "apache-arrow";
import { OupsError } from "../errors.js";
import { maxIndexOf } from "./index-array.js";
import { dictionaryStrings, utf8Data } from "./string-values.js";
import { valueOffsetsOf } from "./value-offsets.js";

/**
 * Builds one dictionary for rows drawn from chunks with different dictionaries: {@link id} gives the new
 * index of an old (chunk, index) pair, adding the value on first use, so the new dictionary holds only the
 * values in use, in order of first use. Each old dictionary is decoded once, and only if used.
 */
export class DictionaryUnifier {
  private readonly slotOfChunk: Int32Array;
  private readonly dictionaries: (Vector | undefined)[];
  private readonly remaps: Int32Array[];
  private readonly strings: ((string | null)[] | undefined)[];
  private readonly values: string[] = [];
  private readonly idOfValue = new Map<string, number>();

  constructor(
    private readonly column: string,
    chunks: readonly Data[],
  ) {
    const slots = new Map<Vector | undefined, number>();
    this.slotOfChunk = Int32Array.from(chunks, (chunk) => {
      let slot = slots.get(chunk.dictionary);
      if (slot === undefined) slots.set(chunk.dictionary, (slot = slots.size));
      return slot;
    });
    this.dictionaries = [...slots.keys()];
    this.remaps = this.dictionaries.map((dictionary) => new Int32Array(dictionary?.length ?? 0).fill(-1));
    this.strings = this.dictionaries.map(() => undefined);
  }

  /** The new index of entry `index` of the dictionary of chunk `chunk`. */
  id(chunk: number, index: number): number {
    const slot = this.slotOfChunk[chunk];
    const remap = this.remaps[slot];
    const known = remap[index];
    if (known >= 0) return known;
    const value = (this.strings[slot] ??= dictionaryStrings(this.dictionaries[slot]))[index];
    if (value === null || value === undefined) {
      throw new OupsError("INVALID_ARGUMENT", `column "${this.column}": a row points to a null or missing dictionary value`);
    }
    let id = this.idOfValue.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.idOfValue.set(value, id);
    }
    remap[index] = id;
    return id;
  }

  /** The unified dictionary, checked to fit the index type of `type`. */
  dictionary(type: Dictionary, largeValues: boolean): Vector {
    checkDictionarySize(this.column, type, this.values.length);
    return new Vector([utf8Data(this.values, largeValues)]);
  }
}

/** Throws `INVALID_ARGUMENT` when `size` dictionary values need larger indices than `type` has. */
export function checkDictionarySize(column: string, type: Dictionary, size: number): void {
  if (size - 1 > maxIndexOf(type.indices)) {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `column "${column}": ${size} dictionary values do not fit ${String(type.indices)} indices`,
    );
  }
}

/**
 * Dictionaries holding more bytes of values than this are not compared by content: a match would save little over
 * decoding them, and a late mismatch would waste as much.
 */
const MAX_COMPARED_BYTES = 16 << 20;

/**
 * The dictionary every chunk can share, if there is one: the chunks' own when they all hold the same `Vector`,
 * else the first chunk's when the others hold the same values in the same order, compared byte for byte (an IPC
 * stream decodes one copy of a dictionary per batch). Dictionaries with nulls, in several chunks or larger than
 * {@link MAX_COMPARED_BYTES} are compared by identity only.
 */
export function sharedDictionary(chunks: readonly Data[]): Vector | undefined {
  const shared = chunks[0]?.dictionary;
  if (shared === undefined) return undefined;
  let reference: Data | null | undefined;
  let matched: Vector | undefined;
  for (const chunk of chunks) {
    const dictionary = chunk.dictionary;
    if (dictionary === shared || dictionary === matched) continue;
    if (dictionary === undefined) return undefined;
    reference ??= comparable(shared) ?? null;
    const other = comparable(dictionary);
    if (reference === null || other === undefined || !sameValues(reference, other)) return undefined;
    // Chunks sliced from one batch share its dictionary: it is compared once.
    matched = dictionary;
  }
  return shared;
}

/** The one chunk of `dictionary` when it can be compared by content: no nulls, not too large. */
function comparable(dictionary: Vector): Data | undefined {
  if (dictionary.data.length !== 1) return undefined;
  const [data] = dictionary.data as Data[];
  if (data.nullCount > 0 || (data.values as Uint8Array).byteLength > MAX_COMPARED_BYTES) return undefined;
  return data;
}

/** Whether two Utf8 (or LargeUtf8) chunks without nulls hold the same strings, in the same order. */
function sameValues(a: Data, b: Data): boolean {
  if (a.length !== b.length || a.typeId !== b.typeId) return false;
  if (a.length === 0) return true;
  const ao = valueOffsetsOf(a);
  const bo = valueOffsetsOf(b);
  const aStart = ao[0];
  const bStart = bo[0];
  const aEnd = ao[a.length];
  if (aEnd - aStart !== bo[b.length] - bStart) return false;
  const aBytes = a.values as Uint8Array;
  const bBytes = b.values as Uint8Array;
  if (!bytesOf(aBytes, aStart, aEnd).equals(bytesOf(bBytes, bStart, aEnd - aStart + bStart))) return false;
  // Offset buffers may be longer than `length + 1` (builders pad them).
  const count = a.length + 1;
  if (aStart === bStart) return bytesOf(ao, 0, count).equals(bytesOf(bo, 0, count));
  // Sliced chunks: offsets are equal once rebased on their first one.
  for (let i = 1; i < count; i++) if (ao[i] - aStart !== bo[i] - bStart) return false;
  return true;
}

/** A `Buffer` view (no copy) of elements `[start, end)` of `array`. */
function bytesOf(array: Uint8Array | Int32Array | Float64Array, start: number, end: number): Buffer {
  const width = array.BYTES_PER_ELEMENT;
  return Buffer.from(array.buffer, array.byteOffset + start * width, (end - start) * width);
}
