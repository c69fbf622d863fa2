import { Binary, DataType, Dictionary, Int32, LargeBinary, LargeUtf8, Type, Utf8 } from "apache-arrow";

/**
 * What a column holds, whatever its Arrow encoding: `string` for Utf8, LargeUtf8, Utf8View and dictionaries of them;
 * `binary` for Binary, LargeBinary, BinaryView and dictionaries of them; `undefined` for every other type (compared
 * by its Arrow type itself). A write of one encoding reaches a dataset column of another of the same logical type.
 */
export type LogicalType = "string" | "binary";

export function logicalTypeOf(type: DataType): LogicalType | undefined {
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return "string";
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
      return "binary";
    case Type.Dictionary:
      return DataType.isDictionary(type) ? logicalTypeOf(type.dictionary) : undefined;
    default:
      return undefined;
  }
}

/** Whether values of `type` sit in 16-byte views (Utf8View, BinaryView), which the kernels and Parquet do not take. */
export function isViewType(type: DataType): boolean {
  return type.typeId === Type.Utf8View || type.typeId === Type.BinaryView;
}

/**
 * The type a new dataset keeps for a column written as `type`: the type itself, except for encodings the kernels do
 * not merge. Views become their offset form (Utf8View → Utf8, BinaryView → Binary); dictionaries with 64-bit
 * indices take Int32 ones; dictionaries of views take Utf8 values; dictionaries of binary values are kept decoded
 * (Binary or LargeBinary), since only text dictionaries are merged.
 */
export function storedTypeOf(type: DataType): DataType {
  switch (type.typeId) {
    case Type.Utf8View:
      return new Utf8();
    case Type.BinaryView:
      return new Binary();
    case Type.Dictionary: {
      if (!DataType.isDictionary(type)) return type;
      const values = type.dictionary;
      if (logicalTypeOf(values) === "binary") return values.typeId === Type.LargeBinary ? new LargeBinary() : new Binary();
      if (logicalTypeOf(values) !== "string") return type;
      const storedValues = values.typeId === Type.LargeUtf8 ? new LargeUtf8() : new Utf8();
      if (type.indices.bitWidth <= 32 && values.typeId !== Type.Utf8View) return type;
      return new Dictionary(storedValues, new Int32(), type.id, type.isOrdered);
    }
    default:
      return type;
  }
}
