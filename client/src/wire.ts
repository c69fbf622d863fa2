import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  Bound as BoundMessage,
  BoundSchema,
  IndexSchema as IndexSchemaMessage,
  IndexSchemaSchema,
  RangeQueryRequestSchema,
} from "#gen/oups/v1/store_pb.js";
import { IndexFieldType as WireFieldType } from "#gen/oups/v1/store_pb.js";
import { status } from "@grpc/grpc-js";
import { OupsClientError } from "./errors.js";
import type { IndexSchemaDescription, KeyFields } from "./index-schema.js";
import type { BoundValue, RangeQueryOptions } from "./oups-client.js";
import { versionToWire } from "./versions.js";

// Conversions between the SDK's plain values and the contract's messages.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * SDK bound value → wire Bound (Dates as timestamps, bigints and safe integers as int64, bigints above 2^63-1 as
 * uint64, other numbers as doubles: the daemon matches either numeric kind to the column's type). A bigint outside
 * both integer ranges is `INVALID_ARGUMENT`.
 */
export function boundToWire(value: BoundValue | undefined): MessageInitShape<typeof BoundSchema> | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return { value: { case: "timestampValue", value: timestampFromDate(value) } };
  if (typeof value === "bigint") {
    if (value >= INT64_MIN && value <= INT64_MAX) return { value: { case: "int64Value", value } };
    if (value > INT64_MAX && value <= UINT64_MAX) return { value: { case: "uint64Value", value } };
    throw new OupsClientError("INVALID_ARGUMENT", status.INVALID_ARGUMENT, `bound ${value} is outside the int64 and uint64 ranges`);
  }
  if (typeof value === "string") return { value: { case: "stringValue", value } };
  // A whole number beyond 2^53 (1e20) may not fit an int64, and as a double it is exactly what the caller gave.
  return Number.isSafeInteger(value)
    ? { value: { case: "int64Value", value: BigInt(value) } }
    : { value: { case: "doubleValue", value } };
}

/** Wire Bound → SDK bound value (timestamps as Dates); undefined when open. */
export function boundFromWire(bound: BoundMessage | undefined): BoundValue | undefined {
  switch (bound?.value.case) {
    case "int64Value":
    case "uint64Value":
      return bound.value.value;
    case "doubleValue":
      return bound.value.value;
    case "stringValue":
      return bound.value.value;
    case "timestampValue":
      return timestampDate(bound.value.value);
    default:
      return undefined;
  }
}

/** SDK index schema → wire message. */
export function schemaToWire(schema: IndexSchemaDescription): MessageInitShape<typeof IndexSchemaSchema> {
  return {
    name: schema.name,
    fieldSeparator: schema.fieldSeparator,
    levels: schema.levels.map((fields) => ({
      fields: fields.map((f) => ({ name: f.name, type: f.type === "int" ? WireFieldType.INT : WireFieldType.STRING })),
    })),
  };
}

/** Wire index schema → SDK description. */
export function schemaFromWire(schema: IndexSchemaMessage | undefined): IndexSchemaDescription {
  return {
    name: schema?.name ?? "",
    fieldSeparator: schema?.fieldSeparator ?? "-",
    levels: (schema?.levels ?? []).map((level) =>
      level.fields.map((f) => ({ name: f.name, type: f.type === WireFieldType.INT ? ("int" as const) : ("string" as const) })),
    ),
  };
}

/** The RangeQuery request of a key and SDK range options. */
export function rangeQueryRequest(key: KeyFields, options: RangeQueryOptions): MessageInitShape<typeof RangeQueryRequestSchema> {
  return {
    key: { fields: { ...key } },
    start: boundToWire(options.start),
    end: boundToWire(options.end),
    endInclusive: options.endInclusive ?? false,
    columns: [...(options.columns ?? [])],
    maxRowsPerChunk: options.maxRowsPerChunk ?? 0,
    version: versionToWire(options.version),
  };
}
