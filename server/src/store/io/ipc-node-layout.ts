import { Type } from "apache-arrow";
import type { DataType, Field } from "apache-arrow";

/** One field node of an IPC record batch: the column it describes and the body buffers that follow for it. */
export interface IpcNode {
  /** Column path, `parent.child` for nested fields. */
  path: string;
  /** Whether this is a top-level column, whose length must be the batch's. */
  topLevel: boolean;
  /** Buffers of the body it owns, in order (validity first when it has one), variadic buffers aside. */
  buffers: number;
  /** A view column (Utf8View, BinaryView), followed by as many data buffers as the batch's variadic counts say. */
  variadic?: boolean;
}

/**
 * The field nodes an IPC record batch of `fields` carries, depth first, as the format lays them out (metadata V5); or
 * `undefined` when a type is not one the store keeps (its schema check reports it).
 */
export function ipcNodes(fields: readonly Field[]): IpcNode[] | undefined {
  const out: IpcNode[] = [];
  for (const field of fields) if (!collect(field.type, field.name, true, out)) return undefined;
  return out;
}

function collect(type: DataType, path: string, topLevel: boolean, out: IpcNode[]): boolean {
  const buffers = bufferCount(type);
  if (buffers === undefined) return false;
  out.push(type.typeId === Type.Utf8View || type.typeId === Type.BinaryView ? { path, topLevel, buffers, variadic: true } : { path, topLevel, buffers });
  // A dictionary column's values travel in dictionary batches: its node holds the indices only.
  if (type.typeId === Type.Dictionary) return true;
  return (type.children ?? []).every((child) => collect(child.type, `${path}.${child.name}`, false, out));
}

function bufferCount(type: DataType): number | undefined {
  switch (type.typeId) {
    case Type.Null:
      return 0;
    case Type.Struct:
    case Type.FixedSizeList:
      return 1;
    case Type.Bool:
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
    case Type.List:
    case Type.LargeList:
    case Type.Map:
    case Type.Dictionary:
    // Validity and views; the data buffers follow, counted in the batch header.
    case Type.Utf8View:
    case Type.BinaryView:
      return 2;
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return 3;
    default:
      return undefined;
  }
}
