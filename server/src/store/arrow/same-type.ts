import { DataType, Type } from "apache-arrow";
import type { Dictionary, Field } from "apache-arrow";

/**
 * Whether two Arrow types are the same, nested field nullability and dictionary ids aside.
 *
 * Arrow's own `util.compareTypes` is not used: it compares constructors with `instanceof`, so a generic
 * `Int(true, 64)` (what the IPC reader builds) and an `Int64` compare equal one way and unequal the other,
 * and it requires equal dictionary ids, which are arbitrary per process.
 */
export function sameType(a: DataType, b: DataType): boolean {
  if (a === b) return true;
  if (a.typeId !== b.typeId) return false;
  // Each branch reads the parameters its type has; `typeId` equality makes the casts hold for `b` too.
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  switch (a.typeId) {
    case Type.Int:
    case Type.Time:
      return x.bitWidth === y.bitWidth && x.isSigned === y.isSigned && x.unit === y.unit;
    case Type.Float:
      return x.precision === y.precision;
    case Type.Decimal:
      return x.scale === y.scale && x.precision === y.precision && x.bitWidth === y.bitWidth;
    case Type.Date:
    case Type.Interval:
    case Type.Duration:
      return x.unit === y.unit;
    case Type.Timestamp:
      return x.unit === y.unit && (x.timezone || null) === (y.timezone || null);
    case Type.FixedSizeBinary:
      return x.byteWidth === y.byteWidth;
    case Type.FixedSizeList:
      return x.listSize === y.listSize && sameChildren(a.children, b.children);
    case Type.Map:
      return x.keysSorted === y.keysSorted && sameChildren(a.children, b.children);
    case Type.Union:
      return (
        x.mode === y.mode &&
        String(x.typeIds) === String(y.typeIds) &&
        sameChildren(a.children, b.children)
      );
    case Type.List:
    case Type.LargeList:
    case Type.Struct:
      return sameChildren(a.children, b.children);
    case Type.Dictionary: {
      const da = a as Dictionary;
      const db = b as Dictionary;
      return (
        da.isOrdered === db.isOrdered &&
        sameType(da.indices, db.indices) &&
        sameType(da.dictionary, db.dictionary)
      );
    }
    default:
      return true;
  }
}

/**
 * Whether a column of type `actual` can be copied into a column of type `expected`: the same type, except
 * that dictionary index types may differ (indices are rewritten anyway) as long as the value types match.
 */
export function gatherableInto(expected: DataType, actual: DataType): boolean {
  if (DataType.isDictionary(expected) && DataType.isDictionary(actual)) {
    return sameType(expected.dictionary, actual.dictionary);
  }
  return sameType(expected, actual);
}

function sameChildren(a: readonly Field[], b: readonly Field[]): boolean {
  return (
    a.length === b.length && a.every((field, i) => field.name === b[i].name && sameType(field.type, b[i].type))
  );
}
