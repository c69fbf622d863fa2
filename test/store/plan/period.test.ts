import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import { parsePeriod, type TimeUnit } from "../../../server/src/store/plan/period.js";
import { seededRandom } from "./plan-helpers.js";

const NS_PER_UNIT: Record<TimeUnit, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };

/** Raw timestamp of an ISO UTC instant (millisecond precision) in `unit`. */
function ts(iso: string, unit: TimeUnit = "ns"): bigint {
  const ms = Date.parse(`${iso}Z`);
  if (Number.isNaN(ms)) {
    throw new Error(`bad test timestamp ${iso}`);
  }
  return (BigInt(ms) * 1_000_000n) / NS_PER_UNIT[unit];
}

const floorCeilCases: ReadonlyArray<[freq: string, value: string, floor: string, ceil: string]> = [
  ["h", "2024-01-01T10:30", "2024-01-01T10:00", "2024-01-01T11:00"],
  ["H", "2024-01-01T10:30", "2024-01-01T10:00", "2024-01-01T11:00"],
  ["1h", "2024-01-01T10:59:59.999", "2024-01-01T10:00", "2024-01-01T11:00"],
  ["2h", "2020-01-01T09:10", "2020-01-01T08:00", "2020-01-01T10:00"],
  ["2h", "2020-01-01T10:00", "2020-01-01T10:00", "2020-01-01T12:00"],
  ["30min", "2024-01-01T10:45", "2024-01-01T10:30", "2024-01-01T11:00"],
  ["min", "2024-01-01T10:45:30", "2024-01-01T10:45", "2024-01-01T10:46"],
  ["T", "2024-01-01T10:45:30", "2024-01-01T10:45", "2024-01-01T10:46"],
  ["15s", "2024-01-01T10:45:31", "2024-01-01T10:45:30", "2024-01-01T10:45:45"],
  ["s", "2024-01-01T10:45:31.250", "2024-01-01T10:45:31", "2024-01-01T10:45:32"],
  ["100ms", "2024-01-01T00:00:00.250", "2024-01-01T00:00:00.200", "2024-01-01T00:00:00.300"],
  ["D", "2024-01-01T12:00", "2024-01-01T00:00", "2024-01-02T00:00"],
  ["D", "2024-01-02T00:00", "2024-01-02T00:00", "2024-01-03T00:00"],
  ["2D", "1970-01-04T05:00", "1970-01-03T00:00", "1970-01-05T00:00"],
  ["D", "1969-12-31T12:00", "1969-12-31T00:00", "1970-01-01T00:00"],
  ["W", "2024-01-03T12:00", "2024-01-01T00:00", "2024-01-08T00:00"],
  ["W", "2024-01-07T23:59", "2024-01-01T00:00", "2024-01-08T00:00"],
  ["W", "2024-01-08T00:00", "2024-01-08T00:00", "2024-01-15T00:00"],
  ["W", "1970-01-01T00:00", "1969-12-29T00:00", "1970-01-05T00:00"],
  ["2W", "2024-01-10T00:00", "2024-01-01T00:00", "2024-01-15T00:00"],
  ["MS", "2024-02-15T10:00", "2024-02-01T00:00", "2024-03-01T00:00"],
  ["MS", "2024-03-01T00:00", "2024-03-01T00:00", "2024-04-01T00:00"],
  ["MS", "2024-01-31T23:00", "2024-01-01T00:00", "2024-02-01T00:00"],
  ["MS", "2023-12-31T00:00", "2023-12-01T00:00", "2024-01-01T00:00"],
  ["MS", "1969-12-15T00:00", "1969-12-01T00:00", "1970-01-01T00:00"],
  ["2MS", "2024-05-20T00:00", "2024-05-01T00:00", "2024-07-01T00:00"],
  ["3MS", "2024-05-20T00:00", "2024-04-01T00:00", "2024-07-01T00:00"],
  ["QS", "2024-05-20T00:00", "2024-04-01T00:00", "2024-07-01T00:00"],
  ["QS", "2024-12-31T23:59", "2024-10-01T00:00", "2025-01-01T00:00"],
  ["YS", "2024-06-15T00:00", "2024-01-01T00:00", "2025-01-01T00:00"],
  ["AS", "2024-06-15T00:00", "2024-01-01T00:00", "2025-01-01T00:00"],
  ["2YS", "2025-03-01T00:00", "2024-01-01T00:00", "2026-01-01T00:00"],
  ["YS", "1900-06-01T00:00", "1900-01-01T00:00", "1901-01-01T00:00"],
];

for (const [freq, value, floor, ceil] of floorCeilCases) {
  test(`period ${freq} floors ${value} to ${floor} and ceils it to ${ceil}`, (t) => {
    const period = parsePeriod(freq, "ns");
    t.is(period.freq, freq);
    t.is(period.floor(ts(value)), ts(floor));
    t.is(period.ceil(ts(value)), ts(ceil));
  });
}

const unitCases: ReadonlyArray<[freq: string, unit: TimeUnit]> = [
  ["h", "s"],
  ["2h", "ms"],
  ["D", "us"],
  ["W", "s"],
  ["MS", "s"],
  ["QS", "ms"],
  ["YS", "us"],
];

for (const [freq, unit] of unitCases) {
  test(`period ${freq} works on a column in ${unit}`, (t) => {
    const period = parsePeriod(freq, unit);
    const nsPeriod = parsePeriod(freq, "ns");
    const value = ts("2024-05-20T10:45:30.500", unit);
    t.is(period.floor(value) * NS_PER_UNIT[unit], nsPeriod.floor(value * NS_PER_UNIT[unit]));
    t.is(period.ceil(value) * NS_PER_UNIT[unit], nsPeriod.ceil(value * NS_PER_UNIT[unit]));
  });
}

test("fixed periods keep nanosecond precision", (t) => {
  const value = 1_704_067_200_123_456_789n; // 2024-01-01T00:00:00.123456789Z
  t.is(parsePeriod("ms", "ns").floor(value), 1_704_067_200_123_000_000n);
  t.is(parsePeriod("ms", "ns").ceil(value), 1_704_067_200_124_000_000n);
  t.is(parsePeriod("us", "ns").floor(value), 1_704_067_200_123_456_000n);
  t.is(parsePeriod("ns", "ns").floor(value), value);
  t.is(parsePeriod("ns", "ns").ceil(value), value + 1n);
});

test("calendar periods ignore the sub-millisecond part", (t) => {
  const period = parsePeriod("MS", "ns");
  t.is(period.floor(ts("2024-03-01T00:00") + 999_999n), ts("2024-03-01T00:00"));
  t.is(period.floor(ts("2024-03-01T00:00") - 1n), ts("2024-02-01T00:00"));
  t.is(period.ceil(-1n), 0n);
  t.is(period.floor(-1n), ts("1969-12-01T00:00"));
});

test("fixed periods floor values before the epoch downward", (t) => {
  t.is(parsePeriod("s", "ns").floor(-1n), -1_000_000_000n);
  t.is(parsePeriod("s", "ns").ceil(-1n), 0n);
  t.is(parsePeriod("10s", "s").floor(-10n), -10n);
  t.is(parsePeriod("10s", "s").floor(-11n), -20n);
});

test("floor and ceil bracket every value and are stable on boundaries", (t) => {
  const random = seededRandom(42);
  const freqs = ["ns", "7us", "ms", "s", "5min", "h", "3h", "D", "W", "2W", "MS", "2MS", "QS", "YS", "3YS"];
  const span = 4_000_000_000_000_000_000n; // about ±127 years around the epoch, in ns
  for (const freq of freqs) {
    const period = parsePeriod(freq, "ns");
    for (let i = 0; i < 200; i++) {
      const steps = BigInt(Math.floor((random() * 2 - 1) * Number.MAX_SAFE_INTEGER));
      const value = steps * (span / BigInt(Number.MAX_SAFE_INTEGER));
      const floor = period.floor(value);
      const ceil = period.ceil(value);
      if (!(floor <= value && value < ceil && period.floor(floor) === floor && period.floor(ceil) === ceil)) {
        t.fail(`${freq} at ${value}: floor ${floor}, ceil ${ceil}`);
        return;
      }
    }
  }
  t.pass();
});

const invalidFreqs = [
  ...["", "x", "0h", "02h", "-1h", "+2h", "h2", "1.5h", " h", "h ", "hh"],
  ...["M", "Y", "1", "W-MON", "ms2", "d"],
];

for (const freq of invalidFreqs) {
  test(`parsePeriod rejects the frequency '${freq}'`, (t) => {
    const err = t.throws(() => parsePeriod(freq, "ns"), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(`'${freq}'`));
  });
}

test("parsePeriod rejects a fixed period that is not a whole number of the column unit", (t) => {
  for (const [freq, unit] of [
    ["500us", "ms"],
    ["ns", "s"],
    ["1500ms", "s"],
  ] as const) {
    const err = t.throws(() => parsePeriod(freq, unit), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(`'${freq}'`));
  }
  t.is(parsePeriod("2000ms", "s").floor(3n), 2n);
});

test("parsePeriod rejects an unknown unit", (t) => {
  const err = t.throws(() => parsePeriod("h", "min" as TimeUnit), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
});

test("calendar periods reject timestamps outside the Date range", (t) => {
  const err = t.throws(() => parsePeriod("MS", "s").floor(9_000_000_000_000n), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
});
