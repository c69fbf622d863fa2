import type { MessageInitShape } from "@bufbuild/protobuf";
import { DataType } from "apache-arrow";
import { timeUnitOf } from "../store/arrow/ordered-column.js";
import type { BoundValue } from "../store/dataset/range.js";
import { OupsError } from "../store/errors.js";
import type { Ordinal } from "../store/ordinal.js";
import type { IndexFieldType, IndexSchema } from "../store/keys/index-schema.js";
import type { Key } from "../store/keys/key.js";
import type { Bound, BoundSchema, IndexSchema as IndexSchemaMessage, IndexSchemaSchema, Key as KeyMessage, KeySchema } from "./contract.js";
import { IndexFieldType as WireFieldType } from "./contract.js";

const INT64_MAX = 0x7fff_ffff_ffff_ffffn;

const wireFieldTypes: Record<IndexFieldType, WireFieldType> = {
  string: WireFieldType.STRING,
  int: WireFieldType.INT,
};

/** Engine index schema → wire message. */
export function indexSchemaToWire(schema: IndexSchema): MessageInitShape<typeof IndexSchemaSchema> {
  return {
    name: schema.name,
    fieldSeparator: schema.fieldSeparator,
    levels: schema.levels.map((fields) => ({
      fields: fields.map((f) => ({ name: f.name, type: wireFieldTypes[f.type] })),
    })),
  };
}

/** Wire message → engine index schema (validated later by the engine). */
export function indexSchemaFromWire(message: IndexSchemaMessage | undefined): IndexSchema {
  if (!message) throw new OupsError("INVALID_ARGUMENT", "schema is required");
  return {
    name: message.name,
    fieldSeparator: message.fieldSeparator || "-",
    levels: message.levels.map((level) =>
      level.fields.map((f) => {
        if (f.type === WireFieldType.STRING) return { name: f.name, type: "string" as const };
        if (f.type === WireFieldType.INT) return { name: f.name, type: "int" as const };
        throw new OupsError("INVALID_ARGUMENT", `index field "${f.name}" has no type`);
      }),
    ),
  };
}

/** Wire key → plain field map; a missing key is an empty map, which the engine rejects naming the fields. */
export function keyFromWire(message: KeyMessage | undefined): Record<string, string> {
  return message?.fields ?? {};
}

/** Engine key → wire message. */
export function keyToWire(key: Key): MessageInitShape<typeof KeySchema> {
  return { fields: { ...key } };
}

/** Wire bound → engine bound; absent or empty means open. */
export function boundFromWire(bound: Bound | undefined): BoundValue | undefined {
  switch (bound?.value.case) {
    case "int64Value":
    case "uint64Value":
      // Ordinals are unbounded bigints: a UInt64 bound compares with any integer column's values as it is.
      return { kind: "int", value: bound.value.value };
    case "doubleValue":
      return { kind: "double", value: bound.value.value };
    case "stringValue":
      return { kind: "string", value: bound.value.value };
    case "timestampValue":
      return { kind: "timestamp", seconds: bound.value.value.seconds, nanos: bound.value.value.nanos };
    default:
      return undefined;
  }
}

/**
 * Engine ordinal → wire bound, given the ordered column's type: timestamps go out as Timestamps, float values as
 * doubles (whole ones too, so that a client always gets one kind per column), UInt64 values as uint64 (small ones
 * too, for the same reason), other integers as int64.
 */
export function ordinalToWire(value: Ordinal, type: DataType | undefined): MessageInitShape<typeof BoundSchema> {
  if (typeof value === "string") return { value: { case: "stringValue", value } };
  if (typeof value === "number") {
    const float = type ? DataType.isFloat(type) : !Number.isInteger(value);
    return float ? { value: { case: "doubleValue", value } } : { value: { case: "int64Value", value: BigInt(value) } };
  }
  const unit = type ? timeUnitOf(type) : undefined;
  if (!unit) {
    const unsigned64 = type ? DataType.isInt(type) && !type.isSigned && type.bitWidth === 64 : value > INT64_MAX;
    return unsigned64 ? { value: { case: "uint64Value", value } } : { value: { case: "int64Value", value } };
  }
  const perSecond = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n }[unit];
  let seconds = value / perSecond;
  let rest = value % perSecond;
  if (rest < 0n) {
    seconds -= 1n;
    rest += perSecond;
  }
  return { value: { case: "timestampValue", value: { seconds, nanos: Number(rest * (1_000_000_000n / perSecond)) } } };
}
