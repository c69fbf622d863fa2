import { Vector } from "apache-arrow";
import type { Data, Dictionary } from "apache-arrow";
import { OupsError } from "../errors.js";
import { maxIndexOf } from "./index-array.js";
import { dictionaryStrings, utf8Data } from "./string-values.js";

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

/** The dictionary every chunk shares, if they share one. */
export function sharedDictionary(chunks: readonly Data[]): Vector | undefined {
  const shared = chunks[0]?.dictionary;
  return chunks.every((chunk) => chunk.dictionary === shared) ? shared : undefined;
}
