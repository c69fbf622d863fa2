import type { BoundValue } from "../../../client/src/index.js";
import { parseIsoTimestamp } from "./parse-iso-timestamp.js";

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][+-]?\d+)$/;

/**
 * A bound of a range query as typed on the command line: an ISO-8601 date or date-time → Date (UTC without a
 * zone, millisecond precision), an integer → bigint, a decimal number → number, anything else → string.
 */
export function parseBound(text: string): BoundValue {
  const ms = parseIsoTimestamp(text);
  if (ms !== undefined) return new Date(ms);
  if (INTEGER.test(text)) return BigInt(text);
  if (FLOAT.test(text)) return Number(text);
  return text;
}
