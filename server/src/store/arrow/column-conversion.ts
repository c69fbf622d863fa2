import { DataType } from "apache-arrow";
import type { Data, Timestamp } from "apache-arrow";
import { convertText } from "./convert-text.js";
import { convertTimestampUnit } from "./convert-timestamp.js";
import { logicalTypeOf } from "./logical-type.js";
import { gatherableInto } from "./same-type.js";

/**
 * How a column of a write reaches a dataset column: as it is (`same`: the kernels copy it, dictionary index widths
 * aside), re-encoded (`convert`, given a chunk and the number of its first row in the write, from 1), or not at all
 * (`refused`, with the code and the reason, which names the column and says how to fix the write).
 */
export type ColumnConversion =
  | { readonly kind: "same" }
  | { readonly kind: "convert"; readonly convert: (data: Data, firstRow: number) => Data }
  | { readonly kind: "refused"; readonly code: "SCHEMA_MISMATCH" | "INVALID_ARGUMENT"; readonly reason: string };

const SAME: ColumnConversion = { kind: "same" };

/** Units of a timestamp, coarsest first: TimeUnit's order (SECOND = 0 … NANOSECOND = 3). */
const UNIT_NAMES = ["s", "ms", "us", "ns"] as const;
const ARROW_JS_UNITS = ["TimestampSecond", "TimestampMillisecond", "TimestampMicrosecond", "TimestampNanosecond"] as const;

/**
 * Whether a write's column `column` of type `incoming` may be stored in a dataset column of type `stored`, and how.
 * The one place that decides it:
 * - the same type, or dictionaries of the same values (indices of 32 bits at most): as it is;
 * - the same logical type (string: Utf8, LargeUtf8, Utf8View and their dictionaries; binary likewise): re-encoded as
 *   the dataset keeps it;
 * - timestamps of the same time zone in a coarser unit (s or ms into us or ns, us into ns): scaled, each value checked
 *   to fit 64 bits; a finer unit is refused (INVALID_ARGUMENT: it would lose precision), and so is another time zone
 *   (no zone and UTC differ), with the fix for each client;
 * - anything else is a SCHEMA_MISMATCH.
 */
export function columnConversion(column: string, incoming: DataType, stored: DataType): ColumnConversion {
  if (gatherableInto(stored, incoming) && !wideIndices(incoming)) return SAME;
  const logical = logicalTypeOf(stored);
  if (logical !== undefined && logicalTypeOf(incoming) === logical) {
    return { kind: "convert", convert: (data) => convertText(data, stored, column) };
  }
  if (DataType.isTimestamp(stored) && DataType.isTimestamp(incoming)) return timestampConversion(column, incoming, stored);
  return mismatch(column, stored, incoming);
}

/** Dictionary indices of 64 bits, which the kernels do not copy. */
function wideIndices(type: DataType): boolean {
  return DataType.isDictionary(type) && type.indices.bitWidth > 32;
}

function timestampConversion(column: string, incoming: Timestamp, stored: Timestamp): ColumnConversion {
  const zone = stored.timezone || null;
  if ((incoming.timezone || null) !== zone) {
    return { kind: "refused", code: "SCHEMA_MISMATCH", reason: timeZoneMismatch(column, incoming, stored) };
  }
  if (incoming.unit > stored.unit) {
    return {
      kind: "refused",
      code: "INVALID_ARGUMENT",
      reason:
        `column "${column}": the dataset keeps ${String(stored)}; ${String(incoming)} would lose precision ` +
        `(${UNIT_NAMES[incoming.unit]} into ${UNIT_NAMES[stored.unit]}), so it is not converted: convert the timestamps to ${UNIT_NAMES[stored.unit]} before writing ` +
        `(pyarrow: .cast(pa.timestamp('${UNIT_NAMES[stored.unit]}'${stored.timezone ? `, tz='${stored.timezone}'` : ""})), which refuses to truncate)`,
    };
  }
  const factor = 1000n ** BigInt(stored.unit - incoming.unit);
  return { kind: "convert", convert: (data, firstRow) => convertTimestampUnit(data as Data<Timestamp>, stored, factor, column, firstRow) };
}

/** A time zone mismatch, and how to send the dataset's zone from each client. */
function timeZoneMismatch(column: string, incoming: Timestamp, stored: Timestamp): string {
  const unit = UNIT_NAMES[stored.unit];
  const zone = stored.timezone || null;
  const has = (type: Timestamp) => (type.timezone ? `time zone "${type.timezone}"` : "no time zone");
  const fixes = zone
    ? [
        `Node SDK: vectorFromArray(values, new ${ARROW_JS_UNITS[stored.unit]}("${zone}"))`,
        `CLI: oups write --timestamp-tz ${zone}`,
        `pyarrow: pa.timestamp('${unit}', tz='${zone}'), or .cast(pa.timestamp('${unit}', tz='${zone}'))`,
      ]
    : [
        `Node SDK: vectorFromArray(values, new ${ARROW_JS_UNITS[stored.unit]}()) (what tableFromArrays makes of Dates)`,
        `CLI: oups write --timestamp-tz none (the default)`,
        `pyarrow: pa.timestamp('${unit}'), or .cast(pa.timestamp('${unit}'))`,
      ];
  return (
    `column "${column}": the dataset's timestamps have ${has(stored)} (${String(stored)}), the write's ${has(incoming)} (${String(incoming)}); ` +
    `a time zone is part of a timestamp's type, so send ${zone ? `time zone "${zone}"` : "no time zone"}: ${fixes.join("; ")}`
  );
}

function mismatch(column: string, stored: DataType, incoming: DataType): ColumnConversion {
  return { kind: "refused", code: "SCHEMA_MISMATCH", reason: `column "${column}": expected ${String(stored)}, got ${String(incoming)}` };
}

