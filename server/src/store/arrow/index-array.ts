import type { DataType, Int } from "apache-arrow";

/** A typed array of dictionary indices. */
export type IndexArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** A zeroed array of `length` dictionary indices of type `indices`. */
export function newIndexArray(indices: DataType, length: number): IndexArray {
  const { bitWidth, isSigned } = indices as Int;
  switch (bitWidth) {
    case 8:
      return isSigned ? new Int8Array(length) : new Uint8Array(length);
    case 16:
      return isSigned ? new Int16Array(length) : new Uint16Array(length);
    default:
      return isSigned ? new Int32Array(length) : new Uint32Array(length);
  }
}

/** The largest index an index type can hold. */
export function maxIndexOf(indices: DataType): number {
  const { bitWidth, isSigned } = indices as Int;
  return 2 ** (isSigned ? bitWidth - 1 : bitWidth) - 1;
}
