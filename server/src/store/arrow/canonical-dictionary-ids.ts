import { DataType, Dictionary, FixedSizeList, LargeList, List, Map_, Schema, Struct, Type, Union } from "apache-arrow";
import type { Field } from "apache-arrow";

/**
 * `schema` with its dictionary ids renumbered 0, 1, 2… in depth-first field order (each dictionary column its own
 * id), the numbering pyarrow, Arrow C++ and arrow-rs (hence the Parquet workers) give. Writers' ids are arbitrary:
 * apache-arrow JS takes them from a per-process counter, so a dataset's second table may say 5 where its first said
 * 0, and two columns may even share one. A dataset keeps this canonical form, and every stream the daemon encodes
 * takes its ids from the schema it sends, so what a reader gets always agrees with itself. Returns `schema` itself
 * when it is canonical already.
 */
export function withCanonicalDictionaryIds(schema: Schema): Schema {
  let next = 0;
  let changed = false;
  const renumberType = (type: DataType): DataType => {
    if (DataType.isDictionary(type)) {
      const id = next++;
      const values = renumberType(type.dictionary);
      if (id === type.id && values === type.dictionary) return type;
      changed = true;
      return new Dictionary(values, type.indices, id, type.isOrdered);
    }
    const children: readonly Field[] = type.children ?? [];
    if (children.length === 0) return type;
    const fields = children.map(renumberField);
    if (fields.every((f, i) => f === children[i])) return type;
    switch (type.typeId) {
      case Type.Struct:
        return new Struct(fields);
      case Type.List:
        return new List(fields[0]!);
      case Type.LargeList:
        return new LargeList(fields[0]!);
      case Type.FixedSizeList:
        return new FixedSizeList((type as FixedSizeList).listSize, fields[0]!);
      case Type.Map:
        return new Map_(fields[0]! as Field<Struct>, (type as Map_).keysSorted);
      case Type.Union:
      case Type.DenseUnion:
      case Type.SparseUnion: {
        const union = type as Union;
        return new Union(union.mode, Array.from(union.typeIds), fields);
      }
      default:
        return type;
    }
  };
  const renumberField = (field: Field): Field => {
    const type = renumberType(field.type);
    return type === field.type ? field : field.clone({ type });
  };
  const fields = schema.fields.map(renumberField);
  return changed ? new Schema(fields, schema.metadata) : schema;
}
