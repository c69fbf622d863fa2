import { Buffer } from "node:buffer";
import { DataType, Type } from "apache-arrow";
import type { Data, Decimal, FixedSizeBinary, RecordBatch, Table, Vector } from "apache-arrow";

/**
 * A cell as property tests compare it, read straight from the Arrow buffers so that nothing is rounded: a number
 * for integers of at most 32 bits, floats, Date32 and Time32 (Float16 as its raw 16 bits); a bigint for 64-bit
 * integers, timestamps, Date64, Time64 and durations (raw, in the column's unit); a boolean; a string for text
 * and decoded dictionary entries; `0x…` hex of the bytes for binary, fixed-size binary, decimals and day-time
 * intervals; null for a null.
 */
export type ExactCell = number | bigint | boolean | string | null;

/** A row of exact cells, by column name. */
export type ExactRow = Record<string, ExactCell>;

/** The rows of `source` as exact cells, in row order, with every column of its schema. */
export function exactRowsOf(source: Table | RecordBatch): ExactRow[] {
  const names = source.schema.fields.map((f) => f.name);
  const batches = "batches" in source ? source.batches : [source];
  const rows: ExactRow[] = [];
  for (const batch of batches) {
    const columns = batch.data.children.map((data) => exactCellsOf(data as Data));
    for (let i = 0; i < batch.numRows; i++) {
      const row: ExactRow = {};
      names.forEach((name, c) => {
        row[name] = columns[c]![i]!;
      });
      rows.push(row);
    }
  }
  return rows;
}

/** The cells of one column chunk. */
export function exactCellsOf(data: Data): ExactCell[] {
  const out = new Array<ExactCell>(data.length);
  const valid = validity(data);
  const value = cellReader(data);
  for (let i = 0; i < data.length; i++) out[i] = valid(i) ? value(i) : null;
  return out;
}

function validity(data: Data): (i: number) => boolean {
  if (data.typeId === Type.Null) return () => false;
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return () => true;
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  return (i) => (bitmap[(offset + i) >> 3]! & (1 << ((offset + i) & 7))) !== 0;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

function cellReader(data: Data): (i: number) => ExactCell {
  const type = data.type as DataType;
  switch (type.typeId) {
    case Type.Null:
      return () => null;
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      return (i) => (bits[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7))) !== 0;
    }
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
      return scalarReader(data);
    case Type.Interval: {
      const values = data.values as Int32Array;
      const stride = (type as unknown as { unit: number }).unit === 0 ? 1 : 2;
      if (stride === 1) return (i) => values[i]!;
      return (i) => hex(new Uint8Array(values.buffer, values.byteOffset + i * 8, 8));
    }
    case Type.Decimal: {
      const width = (type as Decimal).bitWidth / 8;
      const values = data.values as Uint32Array;
      return (i) => hex(new Uint8Array(values.buffer, values.byteOffset + i * width, width));
    }
    case Type.FixedSizeBinary: {
      const width = (type as FixedSizeBinary).byteWidth;
      const values = data.values as Uint8Array;
      return (i) => hex(values.subarray(i * width, (i + 1) * width));
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      const bytes = data.values as Uint8Array;
      const text = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
      return (i) => {
        const slice = bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!));
        return text ? decoder.decode(slice) : hex(slice);
      };
    }
    case Type.Dictionary: {
      const entries = dictionaryEntries(data.dictionary);
      const indices = data.values as ArrayLike<number | bigint>;
      return (i) => {
        const entry = entries[Number(indices[i]!)];
        if (entry === undefined) throw new Error(`dictionary index ${String(indices[i])} out of ${entries.length} entries`);
        return entry;
      };
    }
  }
  throw new Error(`no exact reader for ${String(type)}`);
}

function scalarReader(data: Data): (i: number) => ExactCell {
  const values = data.values as ArrayLike<number | bigint>;
  return (i) => values[i]!;
}

function dictionaryEntries(dictionary: Vector | undefined): ExactCell[] {
  if (dictionary === undefined) throw new Error("dictionary column without a dictionary");
  return (dictionary.data as Data[]).flatMap((chunk) => exactCellsOf(chunk));
}

/** A type's description without its dictionary id, for comparing schemas across processes and writes. */
export function typeLabel(type: DataType): string {
  if (DataType.isDictionary(type)) return `Dictionary<${typeLabel(type.indices)}, ${typeLabel(type.dictionary)}>`;
  return String(type);
}
