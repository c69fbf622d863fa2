import test from "ava";
import type { ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DataType, Dictionary, Schema, Table } from "apache-arrow";
import type { Field } from "apache-arrow";
import { decodeSchema, encodeSchema } from "#shared/arrow/ipc-stream.js";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClient } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import { MANIFEST_FILE } from "../../server/src/store/keys/layout.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import type { IdLayout } from "./helpers/dictionary-tables.js";
import { COLUMNS, burnDictionaryIds, dictionaryTable, expectedValues, valuesOf } from "./helpers/dictionary-tables.js";

// Whatever dictionary ids a writer used (apache-arrow JS numbers them from a per-process counter), every read path
// must return a stream whose schema and dictionary messages agree: cache on and off, small and large ranges, any
// projection order, QueryIntersections.

const ROWS = 2_000;
/** 20 row groups: a full read is past the row-group cache's limit, a small range within it. */
const TARGET = 100;
const WRITER = fileURLToPath(new URL("./helpers/write-dictionary-table.js", import.meta.url));

interface Written {
  key: KeyFields;
  layout: IdLayout;
}

const datasets: Written[] = [
  // Three writes in this process, each table with fresh ids from the counter; the second merges into row groups.
  { key: { symbol: "COUNTER", year: "2024", month: "1" }, layout: { kind: "ids" } },
  // Ids chosen by hand: out of order, and far from 0.
  { key: { symbol: "SHUFFLED", year: "2024", month: "1" }, layout: { kind: "ids", a: 7, b: 2, c: 40 } },
  // Two columns sharing one dictionary and one id.
  { key: { symbol: "SHARED", year: "2024", month: "1" }, layout: { kind: "shared", id: 9 } },
  // Written by another process, whose counter has moved on differently.
  { key: { symbol: "CHILD", year: "2024", month: "1" }, layout: { kind: "ids" } },
];

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function writeDataset(client: OupsClient, address: string, { key, layout }: Written): Promise<void> {
  if (key.symbol === "CHILD") {
    await promisify(execFile)(process.execPath, [WRITER, address, JSON.stringify(key), "13", "0", String(ROWS), String(TARGET)]);
    return;
  }
  const options = { orderedOn: "ts", rowGroupTarget: TARGET };
  burnDictionaryIds(3);
  // Even rows first, then the odd ones merged between them, then the rest appended in two batches.
  await client.write(key, dictionaryTable(range(0, 1_000).filter((i) => i % 2 === 0), layout), options);
  burnDictionaryIds(1);
  await client.write(key, dictionaryTable(range(0, 1_000).filter((i) => i % 2 === 1), layout), options);
  const rest = [dictionaryTable(range(1_000, 1_500), layout), dictionaryTable(range(1_500, ROWS), layout)];
  await client.write(key, rest.flatMap((t) => t.batches), options);
}

interface Fixture {
  label: string;
  daemon: Daemon;
  client: OupsClient;
  storeDir: string;
}

const fixtures: Fixture[] = [];

test.serial.before(async () => {
  for (const [label, rowGroupCacheBytes] of [["cache on", undefined], ["cache off", 0]] as const) {
    const storeDir = await makeTempDir();
    const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, rowGroupCacheBytes });
    const client = new OupsClient(daemon.address);
    fixtures.push({ label, daemon, client, storeDir });
    for (const dataset of datasets) await writeDataset(client, daemon.address, dataset);
  }
});

test.after.always(async () => {
  for (const f of fixtures) {
    f.client.close();
    await f.daemon.stop(5_000);
    await removeTempDir(f.storeDir);
  }
});

/** Rows `[from, to)` of ts: 20 row groups, 3 of them, and part of one. */
const ranges = [
  { name: "all rows", rows: range(0, ROWS), bounds: {} },
  { name: "three row groups", rows: range(150, 420), bounds: { start: 150n, end: 420n } },
  { name: "part of one row group", rows: range(205, 261), bounds: { start: 205n, end: 260n, endInclusive: true } },
];
const projections: (readonly string[] | undefined)[] = [undefined, ["ts", "b"], ["c", "b", "px", "a", "ts"], ["b"], ["c", "a"]];

async function assertReads(t: ExecutionContext, f: Fixture, { key, layout }: Written, maxRowsPerChunk?: number): Promise<void> {
  for (const r of ranges) {
    for (const columns of projections) {
      // Twice: the second read of a small range is served from the row-group cache, when there is one.
      for (const pass of [1, 2]) {
        const table = await f.client.read(key, { ...r.bounds, ...(columns ? { columns } : {}), ...(maxRowsPerChunk ? { maxRowsPerChunk } : {}) });
        const names = columns ?? COLUMNS;
        t.deepEqual(
          table.schema.fields.map((field) => field.name),
          [...names],
        );
        t.deepEqual(valuesOf(table, names), expectedValues(layout, r.rows, names), `${f.label}, ${key.symbol}, ${r.name}, columns ${String(columns)}, pass ${pass}`);
      }
    }
  }
}

for (const dataset of datasets) {
  test(`${dataset.key.symbol}: every range and projection reads back, cache on and off`, async (t) => {
    for (const f of fixtures) await assertReads(t, f, dataset);
  });
}

test("small batches (dictionary messages before every batch) read back, cache on and off", async (t) => {
  for (const f of fixtures) await assertReads(t, f, datasets[1]!, 37);
});

test("a streamed range query decodes batch by batch", async (t) => {
  for (const f of fixtures) {
    const { key, layout } = datasets[0]!;
    const words: unknown[] = [];
    for await (const batch of f.client.rangeQuery(key, { columns: ["b", "a"], maxRowsPerChunk: 64 })) words.push(...[...batch.getChild("a")!]);
    t.deepEqual(words, expectedValues(layout, range(0, ROWS), ["a"]).a);
  }
});

test("Describe declares one id per dictionary column, 0, 1, 2 in column order", async (t) => {
  for (const f of fixtures) {
    for (const { key } of datasets) {
      const { schema } = await f.client.describe(key);
      t.deepEqual(dictionaryIds(schema!), [0, 1, 2], `${f.label}, ${key.symbol}`);
    }
  }
});

test("QueryIntersections returns every dataset's rows with its own words, in any projection order", async (t) => {
  for (const f of fixtures) {
    for (const columns of [undefined, ["c", "ts", "a"], ["b"]] as const) {
      const names = columns ?? COLUMNS;
      const seen = datasets.map(() => [] as Table[]);
      for await (const part of f.client.queryIntersections(
        datasets.map((d) => d.key),
        { start: 90n, end: 1_234n, ...(columns ? { columns } : {}) },
      )) {
        seen[part.keyIndex]!.push(part.table);
      }
      for (const [i, { key, layout }] of datasets.entries()) {
        const rows = seen[i]!.flatMap((table) => valuesOfRows(table, names));
        const expected = expectedValues(layout, range(90, 1_234), names);
        t.deepEqual(rows, range(0, 1_234 - 90).map((r) => names.map((n) => expected[n]![r])), `${f.label}, ${key.symbol}, ${String(columns)}`);
      }
    }
  }
});

test("a dataset whose manifest holds a writer's non-canonical ids reads back through every path", async (t) => {
  const storeDir = await makeTempDir();
  const { key, layout } = datasets[1]!;
  let daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  try {
    let client = new OupsClient(daemon.address);
    await writeDataset(client, daemon.address, datasets[1]!);
    client.close();
    await daemon.stop(5_000);
    // As a store written before ids were made canonical: the manifest keeps ids 7, 2 and 40.
    const manifestPath = join(storeDir, "SHUFFLED-2024", "1", MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { schema: string };
    const schema = decodeSchema(Buffer.from(manifest.schema, "base64"));
    const ids = [7, 2, 40];
    const tampered = new Schema(schema.fields.map((field) => (DataType.isDictionary(field.type) ? withId(field, ids.shift()!) : field)));
    manifest.schema = Buffer.from(encodeSchema(tampered)).toString("base64");
    await writeFile(manifestPath, JSON.stringify(manifest));
    daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
    client = new OupsClient(daemon.address);
    try {
      await assertReads(t, { label: "old manifest", daemon, client, storeDir }, { key, layout });
    } finally {
      client.close();
    }
  } finally {
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
  }
});

function withId(field: Field, id: number): Field {
  const type = field.type as Dictionary;
  return field.clone({ type: new Dictionary(type.dictionary, type.indices, id, type.isOrdered) });
}

function dictionaryIds(schema: Schema): number[] {
  return schema.fields.filter((f) => DataType.isDictionary(f.type)).map((f) => (f.type as Dictionary).id);
}

function valuesOfRows(table: Table, names: readonly string[]): unknown[][] {
  const columns = valuesOf(table, names);
  return Array.from({ length: table.numRows }, (_, r) => names.map((n) => columns[n]![r]));
}
