import type { Data, DataType, Field, Schema, Vector } from "apache-arrow";
import { Dictionary, RecordBatch, RecordBatchFileWriter, Struct, makeData, makeVector, vectorFromArray } from "apache-arrow";
import { checkDictionarySize } from "../store/arrow/dictionary-unifier.js";
import type { Output } from "./output.js";

/**
 * Writes batches as one Arrow IPC file (the random-access format, what `.arrow` and `.feather` mean to pyarrow,
 * DuckDB and `oups write`): a magic number, the record batches, the dictionaries, then a footer indexing them. An
 * empty result is a file of the schema from `emptySchema()` alone. Returns the number of rows.
 */
export async function writeArrowFile(
  batches: AsyncIterable<RecordBatch>,
  emptySchema: () => Promise<Schema>,
  out: Output,
): Promise<number> {
  const writer = new UnifiedDictionaryFileWriter();
  // The writer queues its bytes; this loop hands them to the output as they come, with the output's backpressure.
  const pump = (async () => {
    for await (const chunk of writer) await out.write(chunk);
  })();
  let rows = 0;
  let started = false;
  try {
    for await (const batch of batches) {
      writer.write(writer.unify(batch));
      started = true;
      rows += batch.numRows;
      if (out.closed) break;
    }
    if (!started) writer.reset(undefined, writer.unifySchema(await emptySchema()));
  } catch (err) {
    writer.abort(err);
    await pump.catch(() => undefined);
    throw err;
  }
  writer.close();
  await pump;
  return rows;
}

/** The values of one column's dictionary for the whole file, and the index of each. */
interface UnifiedDictionary {
  type: DataType;
  values: unknown[];
  indexOf: Map<unknown, number>;
}

/**
 * The IPC file format allows one dictionary per column for the whole file (pyarrow refuses replacements and
 * deltas in a file), while each row group the daemon sends has a dictionary of its own. So every dictionary column
 * is re-indexed into one dictionary that grows over the file, and that dictionary is written once, after the last
 * batch: readers of the file format find dictionaries through the footer, wherever they are.
 */
class UnifiedDictionaryFileWriter extends RecordBatchFileWriter {
  private readonly unified = new Map<number, UnifiedDictionary>();

  /** `schema` as written: unchanged, and its top-level dictionary columns registered. */
  unifySchema(schema: Schema): Schema {
    for (const field of schema.fields) {
      if (field.type instanceof Dictionary && !this.unified.has(field.type.id)) {
        this.unified.set(field.type.id, { type: field.type.dictionary, values: [], indexOf: new Map() });
      }
    }
    return schema;
  }

  /** `batch` with its top-level dictionary columns re-indexed into the file's dictionaries. */
  unify(batch: RecordBatch): RecordBatch {
    this.unifySchema(batch.schema);
    if (this.unified.size === 0) return batch;
    const children = batch.schema.fields.map((field: Field, c: number) => {
      const data = batch.data.children[c]!;
      return field.type instanceof Dictionary ? this.reindex(field.name, data as Data<Dictionary>, this.unified.get(field.type.id)!) : data;
    });
    const struct = makeData({ type: new Struct(batch.schema.fields), length: batch.numRows, nullCount: 0, children });
    return new RecordBatch(batch.schema, struct);
  }

  private reindex(column: string, data: Data<Dictionary>, unified: UnifiedDictionary): Data<Dictionary> {
    const dictionary = data.dictionary as Vector;
    const mapped = new Int32Array(dictionary.length);
    for (let j = 0; j < dictionary.length; j++) {
      const value: unknown = dictionary.get(j);
      let index = unified.indexOf.get(value);
      if (index === undefined) {
        index = unified.values.length;
        unified.values.push(value);
        unified.indexOf.set(value, index);
      }
      mapped[j] = index;
    }
    const ArrayType = data.type.indices.ArrayType as new (length: number) => Int8Array | Int16Array | Int32Array;
    const indices = new ArrayType(data.length);
    checkDictionarySize(column, data.type, unified.values.length);
    const source = makeVector(data);
    for (let i = 0; i < data.length; i++) {
      if (source.isValid(i)) indices[i] = mapped[data.values[data.offset + i] as number]!;
    }
    const nullBitmap = data.nullCount > 0 ? validityOf(source) : undefined;
    return makeData({ type: data.type, length: data.length, nullCount: data.nullCount, nullBitmap, data: indices, dictionary });
  }

  // The dictionaries are written once, after the last batch (see the class comment).
  protected override _writeDictionaries(): this {
    return this;
  }

  protected override _writeFooter(schema: Schema): this {
    for (const [id, { type, values }] of this.unified) {
      this._writeDictionaryBatch(vectorFromArray(values, type).data[0]!, id, false);
    }
    return super._writeFooter(schema);
  }
}

function validityOf(vector: Vector): Uint8Array {
  const bitmap = new Uint8Array((vector.length + 7) >> 3);
  for (let i = 0; i < vector.length; i++) if (vector.isValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}
