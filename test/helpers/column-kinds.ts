import { Buffer } from "node:buffer";
import * as arrow from "apache-arrow";
import type { DataType } from "apache-arrow";
import type { BoundValue } from "../../client/src/index.js";
import type { ExactCell } from "./exact-rows.js";

/** A seeded generator of numbers in [0, 1). */
export type Random = () => number;

/** How a column of some Arrow type is generated, built and bounded. */
export interface ColumnKind {
  /** Names the type (dictionary ids aside), for messages and for matching ordered columns across keys. */
  readonly label: string;
  /** A new type object: a dictionary type made anew draws a new id from apache-arrow's per-process counter. */
  type(): DataType;
  /** A random non-null value, as {@link exactRowsOf} reads it back. */
  random(r: Random): ExactCell;
  /** The value as apache-arrow's `vectorFromArray` takes it, when users can build the column that way. */
  toBuilder?: (cell: ExactCell) => unknown;
  /** Present when the kind can be the ordered column: tick → value, strictly increasing in the tick. */
  readonly ordered?: OrderedKind;
}

/** Values of an ordered column, by tick (an integer; a half tick lies strictly between two ticks where it exists). */
export interface OrderedKind {
  value(tick: number): ExactCell;
  /** Whether `value(t + 0.5)` is defined (numbers and text). */
  readonly halfTicks: boolean;
  /** A bound for `value`, as the SDK sends it; `r` may pick another wire form of the same value. */
  bound(value: ExactCell, r: Random): BoundValue;
  /** The ordered value a bound stands for (inverse of `bound`). */
  fromBound(bound: BoundValue): ExactCell;
}

/** Ticks of ordered values: 0 … TICKS - 1. */
export const TICKS = 240;

const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo));
const pick = <T>(r: Random, values: readonly T[]): T => values[Math.floor(r() * values.length)]!;

function intKind(bits: 8 | 16 | 32 | 64, signed: boolean): ColumnKind {
  const label = `${signed ? "int" : "uint"}${bits}`;
  const type = () => new arrow.Int(signed, bits as 8);
  const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const hi = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  const toCell = (v: bigint): ExactCell => (bits === 64 ? v : Number(v));
  const random = (r: Random): ExactCell => {
    const roll = r();
    if (roll < 0.1) return toCell(lo);
    if (roll < 0.2) return toCell(hi);
    if (roll < 0.4) {
      const small = BigInt(int(r, -3, 4));
      return toCell(small < lo ? lo : small);
    }
    // Uniform over the range, from two 32-bit draws.
    const span = hi - lo + 1n;
    const raw = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    return toCell(lo + (raw % span));
  };
  // Ordered values spread over the type's range, ticks apart: uint64 ones go past 2^53 (and int64 far below 0).
  const scale: Record<string, [bigint, bigint]> = {
    int8: [1n, -120n],
    int16: [100n, -12_000n],
    int32: [1_000_003n, -120_000_000n],
    int64: [10n ** 15n, -(120n * 10n ** 15n)],
    uint8: [1n, 0n],
    uint16: [200n, 0n],
    uint32: [17_000_000n, 0n],
    uint64: [2n ** 55n, 3n],
  };
  const [step, base] = scale[label]!;
  const ordered: OrderedKind =
    bits === 64
      ? { value: (t) => base + BigInt(t) * step, halfTicks: false, bound: (v) => v as bigint, fromBound: (b) => b as bigint }
      : {
          value: (t) => Number(base) + t * Number(step),
          halfTicks: true,
          bound: (v) => v as number,
          fromBound: (b) => b as number,
        };
  return { label, type, random, toBuilder: (cell) => cell, ordered };
}

const specialDoubles = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -2.25, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300];

function floatKind(precision: 32 | 64): ColumnKind {
  const round = precision === 32 ? Math.fround : (x: number) => x;
  return {
    label: `float${precision}`,
    type: () => (precision === 32 ? new arrow.Float32() : new arrow.Float64()),
    random: (r) => round(r() < 0.3 ? pick(r, specialDoubles) : (r() - 0.5) * 10 ** int(r, 0, 12)),
    toBuilder: (cell) => cell,
    ordered: {
      value: (t) => round(t * 0.25 - 30.5),
      halfTicks: true,
      bound: (v) => v as number,
      fromBound: (b) => b as number,
    },
  };
}

/** Float16 as its raw bits (NaN payloads and -0 included): apache-arrow builds it from numbers only approximately. */
const float16Kind: ColumnKind = {
  label: "float16",
  type: () => new arrow.Float16(),
  random: (r) => (r() < 0.3 ? pick(r, [0x7e00, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x3c00, 0x7e01]) : int(r, 0, 0x10000)),
};

const boolKind: ColumnKind = { label: "bool", type: () => new arrow.Bool(), random: (r) => r() < 0.5, toBuilder: (c) => c };

const texts = ["", "a", "b", "é", "naïve", "日本語", "emoji 😀", "x".repeat(40), "tab\tnew\nline", "Zürich", "mixed ÅÄÖ and ascii ".repeat(3)];

function randomText(r: Random): string {
  if (r() < 0.6) return pick(r, texts);
  return Array.from({ length: int(r, 0, 12) }, () => String.fromCharCode(int(r, 0x20, 0x7f))).join("");
}

/** Ordered text: four blocks of 60 ticks, each with its own first character, in code point (and UTF-16) order. */
const textPrefixes = ["A", "a", "é", "中"];
const orderedText: OrderedKind = {
  value: (t) => {
    const whole = Math.floor(t);
    const text = `${textPrefixes[Math.floor(whole / 60)]}${String(whole % 60).padStart(2, "0")}`;
    // "a05!" sorts after "a05" and before "a06".
    return t === whole ? text : `${text}!`;
  },
  halfTicks: true,
  bound: (v) => v as string,
  fromBound: (b) => b as string,
};

function textKind(large: boolean): ColumnKind {
  return {
    label: large ? "large_utf8" : "utf8",
    type: () => (large ? new arrow.LargeUtf8() : new arrow.Utf8()),
    random: randomText,
    toBuilder: (c) => c,
    ordered: orderedText,
  };
}

function hexOf(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** The bytes of a `0x…` cell. */
export function bytesOfHex(cell: ExactCell): Uint8Array {
  return new Uint8Array(Buffer.from((cell as string).slice(2), "hex"));
}

function randomBytes(r: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => int(r, 0, 256));
}

function binaryKind(large: boolean): ColumnKind {
  return {
    label: large ? "large_binary" : "binary",
    type: () => (large ? new arrow.LargeBinary() : new arrow.Binary()),
    random: (r) => hexOf(randomBytes(r, r() < 0.2 ? 0 : int(r, 1, 48))),
    toBuilder: bytesOfHex,
  };
}

function fixedBinaryKind(width: number): ColumnKind {
  return {
    label: `fixed_size_binary[${width}]`,
    type: () => new arrow.FixedSizeBinary(width),
    random: (r) => hexOf(randomBytes(r, width)),
    toBuilder: bytesOfHex,
  };
}

const DAY_MS = 86_400_000;

const date32Kind: ColumnKind = {
  label: "date32",
  type: () => new arrow.DateDay(),
  random: (r) => int(r, -40_000, 40_000),
  toBuilder: (c) => new Date((c as number) * DAY_MS),
  ordered: { value: (t) => 19_000 + t, halfTicks: false, bound: (v) => v as number, fromBound: (b) => b as number },
};

const date64Kind: ColumnKind = {
  label: "date64",
  type: () => new arrow.DateMillisecond(),
  // Whole days, as the Arrow format asks of Date64.
  random: (r) => BigInt(int(r, -40_000, 40_000)) * BigInt(DAY_MS),
  toBuilder: (c) => new Date(Number(c)),
  ordered: { value: (t) => BigInt(19_000 + t) * BigInt(DAY_MS), halfTicks: false, bound: (v) => v as bigint, fromBound: (b) => b as bigint },
};

const unitNames = ["s", "ms", "us", "ns"] as const;
const perSecond = [1n, 1_000n, 1_000_000n, 1_000_000_000n];

function timestampKind(unit: 0 | 1 | 2 | 3, timezone: string | null): ColumnKind {
  const base = 1_700_000_000n * perSecond[unit]!;
  // Ticks a few minutes apart in s, seconds in ms, and so on, with a sub-millisecond part in us and ns.
  const step = [97n, 1_013n, 1_000_003n, 7_000_000_011n][unit]!;
  return {
    label: `timestamp[${unitNames[unit]}${timezone ? `, ${timezone}` : ""}]`,
    type: () => new arrow.Timestamp(unit, timezone),
    random: (r) => base + BigInt(int(r, -1_000_000, 1_000_000)) * step - BigInt(int(r, 0, 1000)),
    // apache-arrow builds timestamps from epoch milliseconds: exact for the millisecond unit only.
    ...(unit === 1 ? { toBuilder: (c: ExactCell) => Number(c) } : {}),
    ordered: {
      value: (t) => base + BigInt(t) * step,
      halfTicks: false,
      // A Date stands exactly for a second or millisecond timestamp: the SDK sends it as a Timestamp bound.
      bound: (v, r) => (unit <= 1 && r() < 0.5 ? new Date(Number((v as bigint) * (1000n / perSecond[unit]!))) : (v as bigint)),
      fromBound: (b) => (b instanceof Date ? (BigInt(b.getTime()) * perSecond[unit]!) / 1000n : (b as bigint)),
    },
  };
}

function timeKind(unit: 0 | 1 | 2 | 3): ColumnKind {
  const perDay = 86_400n * perSecond[unit]!;
  const wide = unit >= 2;
  return {
    label: `time${wide ? 64 : 32}[${unitNames[unit]}]`,
    type: () => new arrow.Time(unit, wide ? 64 : 32),
    random: (r) => {
      const v = (BigInt(Math.floor(r() * 2 ** 32)) * 1_000_003n) % perDay;
      return wide ? v : Number(v);
    },
    toBuilder: (c) => c,
  };
}

function durationKind(unit: 0 | 1 | 2 | 3): ColumnKind {
  return {
    label: `duration[${unitNames[unit]}]`,
    type: () => new arrow.Duration(unit),
    random: (r) => BigInt(int(r, -(2 ** 31), 2 ** 31)) * BigInt(int(r, 1, 1000)),
    toBuilder: (c) => c,
  };
}

function decimalKind(bitWidth: 128 | 256): ColumnKind {
  const precision = bitWidth === 128 ? 20 : 50;
  return {
    label: `decimal${bitWidth}(${precision}, 3)`,
    type: () => new arrow.Decimal(3, precision, bitWidth),
    // Small values, sign-extended: little-endian two's complement words, as Arrow stores them.
    random: (r) => {
      const bytes = new Uint8Array(bitWidth / 8);
      let v = BigInt(int(r, -(2 ** 31), 2 ** 31)) * BigInt(int(r, 1, 100_000));
      const negative = v < 0n;
      if (negative) v += 1n << BigInt(bitWidth);
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return hexOf(bytes);
    },
  };
}

const intervalYearMonthKind: ColumnKind = {
  label: "interval[year_month]",
  type: () => new arrow.IntervalYearMonth(),
  random: (r) => int(r, -10_000, 10_000),
};

const intervalDayTimeKind: ColumnKind = {
  label: "interval[day_time]",
  type: () => new arrow.IntervalDayTime(),
  random: (r) => hexOf(new Uint8Array(Int32Array.from([int(r, -100_000, 100_000), int(r, -86_400_000, 86_400_000)]).buffer)),
};

const nullKind: ColumnKind = { label: "null", type: () => new arrow.Null(), random: () => null };

/** Words of dictionary columns: a small pool, so that every index type holds a row group's dictionary. */
const words = ["alpha", "beta", "gamma", "", "δέλτα", "epsilon", "zeta", "eta 😀", "theta", "iota", "kappa", "lambda"];

function dictionaryKind(indexBits: 8 | 16 | 32, signed: boolean, large: boolean): ColumnKind {
  return {
    label: `dictionary<${signed ? "int" : "uint"}${indexBits}, ${large ? "large_utf8" : "utf8"}>`,
    type: () => new arrow.Dictionary(large ? new arrow.LargeUtf8() : new arrow.Utf8(), new arrow.Int(signed as true, indexBits as 32) as arrow.Int32),
    random: (r) => pick(r, words),
    toBuilder: (c) => c,
    ordered: orderedText,
  };
}

/** Every column kind the engine stores, read back exactly through every path. */
export function columnKinds(options: { dictionaries: boolean }): ColumnKind[] {
  const kinds: ColumnKind[] = [];
  for (const bits of [8, 16, 32, 64] as const) kinds.push(intKind(bits, true), intKind(bits, false));
  kinds.push(float16Kind, floatKind(32), floatKind(64), boolKind, textKind(false), textKind(true));
  kinds.push(binaryKind(false), binaryKind(true), fixedBinaryKind(1), fixedBinaryKind(5), fixedBinaryKind(16));
  kinds.push(date32Kind, date64Kind);
  for (const unit of [0, 1, 2, 3] as const) {
    for (const tz of [null, "UTC", "+01:00", "America/New_York"]) kinds.push(timestampKind(unit, tz));
    kinds.push(timeKind(unit), durationKind(unit));
  }
  kinds.push(decimalKind(128), decimalKind(256), intervalYearMonthKind, intervalDayTimeKind, nullKind);
  if (options.dictionaries) {
    for (const bits of [8, 16, 32] as const) {
      for (const signed of [true, false]) for (const large of [false, true]) kinds.push(dictionaryKind(bits, signed, large));
    }
  }
  return kinds;
}

/** The kind of a row-id column: unique values written without dedupe, repeated ones by updates. */
export function rowIdKinds(): ColumnKind[] {
  return [intKind(32, true), intKind(32, false), intKind(64, true), intKind(64, false)];
}
