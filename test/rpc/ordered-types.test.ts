import test from "ava";
import type { Data, DataType } from "apache-arrow";
import { status } from "@grpc/grpc-js";
import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Dictionary,
  Duration,
  Field,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  List,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import type { BoundValue } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

// Every Arrow type an ordered column may have, with values at the ends of its range where the wire has to carry them
// (int64 and uint64 extremes above all): Describe's min/max, RangeQuery bounds and QueryIntersections intervals.

const daemon = useSharedDaemon(test);

interface OrderedCase {
  name: string;
  type: () => DataType;
  /** Three ascending values as the column holds them. */
  column: () => Data;
  /** The same three values as the SDK returns bounds of this column. */
  bounds: [BoundValue, BoundValue, BoundValue];
}

// Typed as Int32 for makeData's overloads: every fixed-width type takes the same props.
const numeric = (type: DataType, values: ArrayLike<number | bigint>) => makeData({ type: type as Int32, length: values.length, data: values as Int32Array }) as Data;
/** Ms of a raw value in each unit, as the SDK's Dates hold them. */
const MS_OF = [(v: bigint) => v * 1000n, (v: bigint) => v, (v: bigint) => v / 1_000n, (v: bigint) => v / 1_000_000n];
const instant = (unit: TimeUnit, zone: string | null, raw: bigint[]): OrderedCase => ({
  name: `Timestamp<${TimeUnit[unit]}${zone ? `, ${zone}` : ""}>`,
  type: () => new Timestamp(unit, zone),
  column: () => numeric(new Timestamp(unit, zone), BigInt64Array.from(raw)),
  bounds: raw.map((v) => new Date(Number(MS_OF[unit]!(v)))) as [Date, Date, Date],
});

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DAY_MS = 86_400_000n;

const cases: readonly OrderedCase[] = [
  { name: "Int8", type: () => new Int8(), column: () => numeric(new Int8(), Int8Array.from([-128, 0, 127])), bounds: [-128n, 0n, 127n] },
  { name: "Int16", type: () => new Int16(), column: () => numeric(new Int16(), Int16Array.from([-32768, 1, 32767])), bounds: [-32768n, 1n, 32767n] },
  { name: "Int32", type: () => new Int32(), column: () => numeric(new Int32(), Int32Array.from([-(2 ** 31), 2, 2 ** 31 - 1])), bounds: [-(2n ** 31n), 2n, 2n ** 31n - 1n] },
  { name: "Int64", type: () => new Int64(), column: () => numeric(new Int64(), BigInt64Array.from([INT64_MIN, 3n, INT64_MAX])), bounds: [INT64_MIN, 3n, INT64_MAX] },
  { name: "Uint8", type: () => new Uint8(), column: () => numeric(new Uint8(), Uint8Array.from([0, 4, 255])), bounds: [0n, 4n, 255n] },
  { name: "Uint16", type: () => new Uint16(), column: () => numeric(new Uint16(), Uint16Array.from([0, 5, 65535])), bounds: [0n, 5n, 65535n] },
  { name: "Uint32", type: () => new Uint32(), column: () => numeric(new Uint32(), Uint32Array.from([0, 6, 2 ** 32 - 1])), bounds: [0n, 6n, 2n ** 32n - 1n] },
  {
    name: "Uint64",
    type: () => new Uint64(),
    column: () => numeric(new Uint64(), BigUint64Array.from([1n, INT64_MAX + 2n, UINT64_MAX])),
    bounds: [1n, INT64_MAX + 2n, UINT64_MAX],
  },
  { name: "Float32", type: () => new Float32(), column: () => numeric(new Float32(), Float32Array.from([-3e38, 0.5, 3e38])), bounds: [Math.fround(-3e38), 0.5, Math.fround(3e38)] },
  { name: "Float64", type: () => new Float64(), column: () => numeric(new Float64(), Float64Array.from([-1.5e300, 0.25, 1.5e300])), bounds: [-1.5e300, 0.25, 1.5e300] },
  // 1900-01-01 to 3000-01-01.
  instant(TimeUnit.SECOND, null, [-2_208_988_800n, 0n, 32_503_680_000n]),
  instant(TimeUnit.MILLISECOND, null, [-2_208_988_800_000n, 1n, 32_503_680_000_000n]),
  instant(TimeUnit.MICROSECOND, null, [-2_208_988_800_000_000n, 1_000n, 32_503_680_000_000_000n]),
  // The ns range ends in 1677 and 2262.
  instant(TimeUnit.NANOSECOND, null, [-9_000_000_000_000_000_000n, 1_000_000n, 9_000_000_000_000_000_000n]),
  instant(TimeUnit.MILLISECOND, "UTC", [-1n, 0n, 1n]),
  { name: "Date32 (days)", type: () => new DateDay(), column: () => numeric(new DateDay(), Int32Array.from([-719_162, 0, 2_932_896])), bounds: [-719_162n, 0n, 2_932_896n] },
  {
    name: "Date64 (ms)",
    type: () => new DateMillisecond(),
    column: () => numeric(new DateMillisecond(), BigInt64Array.from([-719_162n * DAY_MS, 0n, 2_932_896n * DAY_MS])),
    bounds: [-719_162n * DAY_MS, 0n, 2_932_896n * DAY_MS],
  },
  { name: "Utf8", type: () => new Utf8(), column: () => vectorFromArray(["", "m", "\u{1F600}"], new Utf8()).data[0]!, bounds: ["", "m", "\u{1F600}"] },
  { name: "LargeUtf8", type: () => new LargeUtf8(), column: () => vectorFromArray(["a", "b", "c"], new LargeUtf8()).data[0]!, bounds: ["a", "b", "c"] },
  {
    name: "Dictionary<Int32, Utf8>",
    type: () => new Dictionary(new Utf8(), new Int32()),
    column: () => vectorFromArray(["x", "y", "z"], new Dictionary(new Utf8(), new Int32())).data[0]!,
    bounds: ["x", "y", "z"],
  },
];

let nextMonth = 0;

function batchOf(column: Data, extra: readonly number[]): RecordBatch {
  const schema = new Schema([new Field("k", column.type, false), new Field("n", new Int32(), false)]);
  const n = makeData({ type: new Int32(), length: column.length, data: Int32Array.from(extra) });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: column.length, nullCount: 0, children: [column, n] }));
}

const kindOf = (value: BoundValue | undefined) => (value instanceof Date ? "Date" : typeof value);

for (const c of cases) {
  test(`an ordered column of type ${c.name}: Describe's min/max, RangeQuery bounds and QueryIntersections intervals carry its values`, async (t) => {
    const { client } = daemon();
    const key = { symbol: "ORD", year: "2024", month: String(++nextMonth) };
    const other = { symbol: "ORD", year: "2025", month: String(nextMonth) };
    await client.write(key, batchOf(c.column(), [0, 1, 2]), { orderedOn: "k" });
    await client.write(other, batchOf(c.column(), [10, 11, 12]), { orderedOn: "k" });
    const described = await client.describe(key);
    t.is(String(described.schema?.fields[0]?.type), String(c.type()));
    const [group] = described.rowGroups;
    t.deepEqual([group?.min, group?.max], [c.bounds[0], c.bounds[2]]);

    const [lo, mid, hi] = c.bounds;
    const between = await client.read(key, { start: mid, end: hi, endInclusive: true });
    t.deepEqual([...between.getChild("n")!], [1, 2]);
    t.deepEqual([...(await client.read(key, { start: lo, end: mid })).getChild("n")!], [0]);
    t.deepEqual([...(await client.read(key, { start: hi, endInclusive: true })).getChild("n")!], [2]);

    const frames = [];
    for await (const frame of client.queryIntersections([key, other], { start: lo })) frames.push(frame);
    t.deepEqual(
      frames.filter((f) => f.keyIndex === 0).flatMap((f) => [...f.table.getChild("n")!]),
      [0, 1, 2],
    );
    t.deepEqual(
      frames.filter((f) => f.keyIndex === 1).flatMap((f) => [...f.table.getChild("n")!]),
      [10, 11, 12],
    );
    for (const frame of frames) {
      for (const bound of [frame.start, frame.end]) if (bound !== undefined) t.is(kindOf(bound), kindOf(lo));
    }
  });
}

const unorderable: readonly { name: string; column: () => Data }[] = [
  { name: "Bool", column: () => vectorFromArray([false, true, true], new Bool()).data[0]! },
  { name: "Binary", column: () => vectorFromArray([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])], new Binary()).data[0]! },
  { name: "Float16", column: () => numeric(new Float16(), Uint16Array.from([0, 1, 2])) },
  { name: "Duration<MILLISECOND>", column: () => numeric(new Duration(TimeUnit.MILLISECOND), BigInt64Array.from([1n, 2n, 3n])) },
  { name: "List<Int32>", column: () => vectorFromArray([[1], [2], [3]], new List(new Field("item", new Int32()))).data[0]! },
];

for (const { name, column } of unorderable) {
  test(`a first write ordered on a ${name} column is INVALID_ARGUMENT saying which types can be ordered, and creates nothing`, async (t) => {
    const { client } = daemon();
    const key = { symbol: "UNORD", year: "2024", month: String(++nextMonth) };
    const err = await t.throwsAsync(client.write(key, batchOf(column(), [0, 1, 2]), { orderedOn: "k" }), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.INVALID_ARGUMENT);
    t.regex(err?.message ?? "", /^ordered column "k" has type .*, which cannot be ordered: an ordered column is an integer .*Float32, Float64, Timestamp, Date or text column/);
    t.deepEqual(await client.listKeys(key), []);
  });
}

test("the SDK refuses a bigint bound outside the int64 and uint64 ranges with INVALID_ARGUMENT before sending it", async (t) => {
  const { client } = daemon();
  const key = { symbol: "ORD", year: "2024", month: "1" };
  for (const bound of [2n ** 64n, INT64_MIN - 1n]) {
    const err = await t.throwsAsync(client.read(key, { start: bound }), { instanceOf: OupsClientError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", /outside the int64 and uint64 ranges/);
  }
});
