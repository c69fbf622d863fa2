import test from "ava";
import { DateDay, DateMillisecond, Float64, Int32, Int64, TimeUnit, Timestamp, Utf8 } from "apache-arrow";
import { formatOrdinal } from "../../../server/src/store/arrow/format-ordinal.js";

const cases: { type: string; value: bigint | number | string; make: () => import("apache-arrow").DataType; shown: string }[] = [
  { type: "Timestamp(s)", value: 1_672_651_800n, make: () => new Timestamp(TimeUnit.SECOND, "UTC"), shown: "2023-01-02T09:30:00.000Z" },
  { type: "Timestamp(ms)", value: 1_672_651_800_123n, make: () => new Timestamp(TimeUnit.MILLISECOND, "UTC"), shown: "2023-01-02T09:30:00.123Z" },
  { type: "Timestamp(us)", value: 1_672_651_800_123_456n, make: () => new Timestamp(TimeUnit.MICROSECOND, null), shown: "2023-01-02T09:30:00.123456Z" },
  { type: "Timestamp(ns)", value: 1_672_651_800_123_456_789n, make: () => new Timestamp(TimeUnit.NANOSECOND, "UTC"), shown: "2023-01-02T09:30:00.123456789Z" },
  { type: "Date32", value: 19_359, make: () => new DateDay(), shown: "2023-01-02" },
  { type: "Date64", value: 1_672_651_800_000n, make: () => new DateMillisecond(), shown: "2023-01-02T09:30:00.000Z" },
  { type: "Int64", value: -12n, make: () => new Int64(), shown: "-12" },
  { type: "Int32", value: 7, make: () => new Int32(), shown: "7" },
  { type: "Float64", value: 0.5, make: () => new Float64(), shown: "0.5" },
  { type: "Utf8", value: 'a "b"', make: () => new Utf8(), shown: '"a \\"b\\""' },
];

for (const { type, value, make, shown } of cases) {
  test(`formatOrdinal shows a ${type} value as ${shown}`, (t) => {
    t.is(formatOrdinal(value, make()), shown);
  });
}
