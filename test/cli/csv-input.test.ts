import test from "ava";
import { TimeUnit } from "apache-arrow";
import { csvBatches } from "../../server/src/cli/csv-batches.js";
import type { CsvBatchOptions } from "../../server/src/cli/csv-batches.js";
import { csvRecords } from "../../server/src/cli/csv-records.js";
import { formatInstant } from "../../server/src/cli/format-value.js";
import { parseBound } from "../../server/src/cli/parse-bound.js";
import { parseIsoTimestamp } from "../../server/src/cli/parse-iso-timestamp.js";

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  yield* chunks;
}

async function records(...chunks: string[]): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const batch of csvRecords(chunksOf(...chunks))) out.push(...batch.map((r) => r.fields));
  return out;
}

const recordCases: { title: string; chunks: string[]; expected: (string | null)[][] }[] = [
  { title: "plain fields and LF line ends", chunks: ["a,b\n1,2\n"], expected: [["a", "b"], ["1", "2"]] },
  { title: "CRLF line ends and no final line end", chunks: ["a,b\r\n1,2"], expected: [["a", "b"], ["1", "2"]] },
  { title: "quoted commas, doubled quotes and line breaks", chunks: ['x\n"a,b","say ""hi""","l1\nl2"\n'], expected: [["x"], ["a,b", 'say "hi"', "l1\nl2"]] },
  { title: "an unquoted empty field is null, a quoted one an empty string", chunks: ['a,,"",\n'], expected: [["a", null, "", null]] },
  { title: "blank lines are skipped and a BOM dropped", chunks: ["\ufeffa\n\n1\n\n"], expected: [["a"], ["1"]] },
  { title: "a quote, a CRLF and a field cut across chunks", chunks: ['"a"', '"b",c', "d\r", "\n1,2\n"], expected: [['a"b', "cd"], ["1", "2"]] },
];

for (const { title, chunks, expected } of recordCases) {
  test(`csvRecords reads ${title}`, async (t) => {
    t.deepEqual(await records(...chunks), expected);
  });
}

test("csvRecords names the line of an unclosed quoted field", async (t) => {
  await t.throwsAsync(records('a\n"open\nstill open'), { message: /^CSV line 2: quoted field not closed/ });
});

test("csvRecords refuses text after a closing quote", async (t) => {
  await t.throwsAsync(records('a\n"x"y\n'), { message: /^CSV line 2: unexpected "y" after a closing quote/ });
});

async function schemaOf(csv: string, options?: CsvBatchOptions): Promise<string[]> {
  for await (const batch of csvBatches(chunksOf(csv), options)) {
    return batch.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
  }
  throw new Error("no batch");
}

test("csvBatches infers Int64, Float64, Timestamp(ms) without a time zone and Utf8 columns, blanks aside", async (t) => {
  const csv = "i,f,ts,d,s,none\n1,1,2023-01-02T09:30:00Z,2023-01-02,x,\n-2,2.5,2023-01-02 09:31,2023-01-03,3,\n,nan,,,,\n";
  t.deepEqual(await schemaOf(csv), [
    "i: Int64",
    "f: Float64",
    "ts: Timestamp<MILLISECOND>",
    "d: Timestamp<MILLISECOND>",
    "s: Utf8",
    "none: Utf8",
  ]);
});

test("csvBatches takes column types given by --types and --timestamp-columns over inference", async (t) => {
  const schema = await schemaOf("zip,ms\n00123,1672651800000\n", { columnTypes: { zip: "string" }, timestampColumns: ["ms"] });
  t.deepEqual(schema, ["zip: Utf8", "ms: Timestamp<MILLISECOND>"]);
});

test("csvBatches labels timestamp columns with the time zone --timestamp-tz gives, values unchanged", async (t) => {
  const csv = "ts,n\n2023-01-02T09:30:00Z,1\n";
  t.deepEqual(await schemaOf(csv, { timeZone: "UTC" }), ["ts: Timestamp<MILLISECOND, UTC>", "n: Int64"]);
  t.deepEqual(await schemaOf(csv, { timeZone: "Europe/Paris" }), ["ts: Timestamp<MILLISECOND, Europe/Paris>", "n: Int64"]);
  for (const timeZone of [null, "UTC"]) {
    for await (const batch of csvBatches(chunksOf(csv), { timeZone })) t.is(batch.getChild("ts")!.data[0]!.values[0], BigInt(Date.UTC(2023, 0, 2, 9, 30)));
  }
});

test("csvBatches builds values and nulls, and cuts batches of batchRows rows", async (t) => {
  const csv = 'ts,px,s\n2023-01-02T09:30:00.123Z,1.5,a\n2023-01-02T09:30:01Z,,""\n1970-01-01,3,\n';
  const batches = [];
  for await (const batch of csvBatches(chunksOf(csv), { batchRows: 2 })) batches.push(batch);
  t.deepEqual(batches.map((b) => b.numRows), [2, 1]);
  const rows = batches.flatMap((b) => b.toArray().map((r) => r.toJSON()));
  t.deepEqual(rows, [
    { ts: Date.UTC(2023, 0, 2, 9, 30, 0, 123), px: 1.5, s: "a" },
    { ts: Date.UTC(2023, 0, 2, 9, 30, 1), px: null, s: "" },
    { ts: 0, px: 3, s: null },
  ]);
});

test("csvBatches refuses a record with the wrong number of fields, naming its line", async (t) => {
  await t.throwsAsync(async () => {
    for await (const _ of csvBatches(chunksOf("a,b\n1,2\n3\n"))) t.pass();
  }, { message: /^CSV line 3: 1 fields, but the header names 2/ });
});

test("csvBatches refuses a duplicate column name and a type for a missing column", async (t) => {
  await t.throwsAsync(schemaOf("a,a\n1,2\n"), { message: /column "a" appears twice/ });
  await t.throwsAsync(schemaOf("a\n1\n", { timestampColumns: ["b"] }), { message: /has no column "b"/ });
});

const isoCases: [string, number | undefined][] = [
  ["2023-01-02", Date.UTC(2023, 0, 2)],
  ["2023-01-02T09:30", Date.UTC(2023, 0, 2, 9, 30)],
  ["2023-01-02 09:30:15.1234567", Date.UTC(2023, 0, 2, 9, 30, 15, 123)],
  ["2023-01-02T09:30:00+01:00", Date.UTC(2023, 0, 2, 8, 30)],
  ["2023-01-02T09:30:00-0530", Date.UTC(2023, 0, 2, 15, 0)],
  ["2023-02-30", undefined],
  ["2023-01-02T25:00", undefined],
  ["20230102", undefined],
  ["AAPL", undefined],
];

for (const [text, expected] of isoCases) {
  test(`parseIsoTimestamp reads '${text}' as ${expected === undefined ? "no timestamp" : new Date(expected).toISOString()}`, (t) => {
    t.is(parseIsoTimestamp(text), expected);
  });
}

const boundCases: [string, unknown][] = [
  ["2023-01-02", new Date(Date.UTC(2023, 0, 2))],
  ["42", 42n],
  ["-9223372036854775808", -9223372036854775808n],
  ["1.5", 1.5],
  ["1e3", 1000],
  ["AAPL", "AAPL"],
];

for (const [text, expected] of boundCases) {
  test(`parseBound reads '${text}' as a ${expected instanceof Date ? "Date" : typeof expected}`, (t) => {
    t.deepEqual(parseBound(text), expected);
  });
}

test("formatInstant shows every digit of the unit, before and after the epoch", (t) => {
  t.is(formatInstant(1_672_651_800_123_456_789n, TimeUnit.NANOSECOND), "2023-01-02T09:30:00.123456789Z");
  t.is(formatInstant(-1n, TimeUnit.MICROSECOND), "1969-12-31T23:59:59.999999Z");
  t.is(formatInstant(1_672_651_800n, TimeUnit.SECOND), "2023-01-02T09:30:00.000Z");
});
