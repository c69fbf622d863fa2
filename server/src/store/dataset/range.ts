import type { Field } from "apache-arrow";
import { DataType } from "apache-arrow";
import { ordinalKindOf, timeUnitOf } from "../arrow/ordered-column.js";
import { OupsError } from "../errors.js";
import type { Ordinal } from "../ordinal.js";

/** A bound as clients send it, before it is matched to the ordered column's type. */
export type BoundValue =
  | { kind: "int"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "string"; value: string }
  | { kind: "timestamp"; seconds: bigint; nanos: number };

/** A range of the ordered column: `[start, end)`, or `[start, end]` with `endInclusive`; absent ends are open. */
export interface Range {
  start?: Ordinal | undefined;
  end?: Ordinal | undefined;
  endInclusive?: boolean | undefined;
}

const UNITS_PER_SECOND = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n } as const;

/**
 * Converts a bound to an ordinal of `column`'s kind. Rows are whole values, so a fractional bound rounds up
 * (`start`, exclusive `end`) or down (inclusive `end`) without changing which rows the range holds.
 */
export function boundToOrdinal(bound: BoundValue, column: Field, role: "start" | "end" | "inclusive end"): Ordinal {
  const kind = ordinalKindOf(column.type);
  const roundUp = role !== "inclusive end";
  const mismatch = () =>
    new OupsError("INVALID_ARGUMENT", `${role.replace("inclusive ", "")} bound of kind ${bound.kind} does not fit ordered column "${column.name}" of type ${String(column.type)}`);
  switch (bound.kind) {
    case "string":
      if (kind !== "string") throw mismatch();
      return bound.value;
    case "int":
      if (kind === "bigint") return bound.value;
      if (kind === "number") return Number(bound.value);
      throw mismatch();
    case "double":
      if (kind === "number") return bound.value;
      if (kind === "bigint" && Number.isFinite(bound.value)) return BigInt(roundUp ? Math.ceil(bound.value) : Math.floor(bound.value));
      throw mismatch();
    case "timestamp": {
      const unit = timeUnitOf(column.type);
      if (!unit || !DataType.isTimestamp(column.type)) throw mismatch();
      const perSecond = UNITS_PER_SECOND[unit];
      const nanosPerUnit = 1_000_000_000n / perSecond;
      const nanos = BigInt(bound.nanos);
      const whole = nanos / nanosPerUnit;
      const fractional = nanos % nanosPerUnit !== 0n;
      return bound.seconds * perSecond + whole + (fractional && roundUp ? 1n : 0n);
    }
  }
}

/** True when `value` lies after the range's start. */
export function afterStart(value: Ordinal, range: Range): boolean {
  return range.start === undefined || value >= range.start;
}

/** True when `value` lies before the range's end. */
export function beforeEnd(value: Ordinal, range: Range): boolean {
  return range.end === undefined || (range.endInclusive ? value <= range.end : value < range.end);
}
