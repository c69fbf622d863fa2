import test from "ava";
import { DuckDBInstance } from "@duckdb/node-api";
import { Float64, Int32, Table, TimestampMillisecond, Utf8, vectorFromArray } from "apache-arrow";
import { join } from "node:path";
import type { Compression } from "../../server/src/store/io/compression.js";
import { DEFAULT_COMPRESSION } from "../../server/src/store/io/compression.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { datasetDir } from "./helpers/files.js";

const key = { symbol: "AAPL", year: "2023", month: "1" };
const ROWS = 3_000;
const T0 = Date.UTC(2023, 0, 2, 9, 30);

/** Names DuckDB's parquet_metadata gives each codec. */
const duckNames: Record<Compression, string> = {
  zstd: "ZSTD",
  snappy: "SNAPPY",
  lz4: "LZ4_RAW",
  gzip: "GZIP",
  brotli: "BROTLI",
  none: "UNCOMPRESSED",
};

function ticks(): Table {
  const symbols = ["AAPL", "MSFT", "GOOG"];
  return new Table({
    ts: vectorFromArray(Array.from({ length: ROWS }, (_, i) => T0 + i * 1000), new TimestampMillisecond()),
    sym: vectorFromArray(Array.from({ length: ROWS }, (_, i) => symbols[i % 3]!), new Utf8()),
    px: vectorFromArray(Array.from({ length: ROWS }, (_, i) => 100 + Math.sin(i) * 3), new Float64()),
    qty: vectorFromArray(Array.from({ length: ROWS }, (_, i) => (i * 7919) % 1000), new Int32()),
  });
}

function plainRows(table: Table): unknown[] {
  return table.toArray().map((row) => JSON.stringify(row.toJSON()));
}

/** What DuckDB reads of the files: row count, sums and bounds, and the codecs of their column chunks. */
async function duckRead(files: readonly string[]): Promise<{ summary: unknown; codecs: string[] }> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ")}]`;
    const summary = (
      await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, sum(qty)::BIGINT::VARCHAR AS qty, round(sum(px), 6)::VARCHAR AS px, ` +
          `epoch_ms(min(ts))::VARCHAR AS first, epoch_ms(max(ts))::VARCHAR AS last, count(DISTINCT sym)::INTEGER AS syms FROM read_parquet(${list})`,
      )
    ).getRowObjectsJson()[0];
    const codecs = (await connection.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${list})`))
      .getRowObjectsJson()
      .map((row) => String(row.compression));
    return { summary, codecs };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function expectedSummary(table: Table): unknown {
  const qty = [...table.getChild("qty")!].reduce((a: number, b) => a + Number(b), 0);
  const px = [...table.getChild("px")!].reduce((a: number, b) => a + Number(b), 0);
  return { n: ROWS, qty: String(qty), px: String(Math.round(px * 1e6) / 1e6), first: String(T0), last: String(T0 + (ROWS - 1) * 1000), syms: 3 };
}

async function filesOf(storeDir: string, client: { describe(k: typeof key): Promise<{ rowGroups: { file: string }[] }> }): Promise<string[]> {
  const dir = datasetDir(storeDir, key);
  return (await client.describe(key)).rowGroups.map((g) => join(dir, g.file));
}

for (const compression of Object.keys(duckNames) as Compression[]) {
  test(
    `rows written with compression "${compression}" read back identical through the daemon and through DuckDB`,
    daemonTest(async (t, { client, storeDir }) => {
      const table = ticks();
      await client.write(key, table, { orderedOn: "ts", compression, rowGroupTarget: 1_000 });
      t.deepEqual(plainRows(await client.read(key)), plainRows(table));
      // A slice cutting row groups decodes only part of their pages.
      const slice = await client.read(key, { start: new Date(T0 + 500_000), end: new Date(T0 + 2_500_000) });
      t.deepEqual(plainRows(slice), plainRows(table.slice(500, 2_500)));
      const files = await filesOf(storeDir, client);
      t.is(files.length, 3);
      const { summary, codecs } = await duckRead(files);
      t.deepEqual(summary, expectedSummary(table));
      t.deepEqual(codecs, [duckNames[compression]]);
    }),
  );
}

test(
  `a write naming no codec uses the daemon's default, ${DEFAULT_COMPRESSION}`,
  daemonTest(async (t, { client, storeDir }) => {
    await client.write(key, ticks(), { orderedOn: "ts" });
    t.deepEqual((await duckRead(await filesOf(storeDir, client))).codecs, [duckNames[DEFAULT_COMPRESSION]]);
  }),
);

test(
  "a daemon started with another default codec writes it when a write names none, and a write naming one wins",
  daemonTest(
    async (t, { client, storeDir }) => {
      const table = ticks();
      await client.write(key, table.slice(0, 1_500), { orderedOn: "ts" });
      t.deepEqual((await duckRead(await filesOf(storeDir, client))).codecs, ["LZ4_RAW"]);
      // Appended rows land in new row groups of their own codec: the dataset then mixes both, which readers accept.
      await client.write(key, table.slice(1_500), { orderedOn: "ts", compression: "zstd", rowGroupTarget: 1_500 });
      const { summary, codecs } = await duckRead(await filesOf(storeDir, client));
      t.deepEqual(codecs.sort(), ["LZ4_RAW", "ZSTD"]);
      t.deepEqual(summary, expectedSummary(table));
      t.deepEqual(plainRows(await client.read(key)), plainRows(table));
    },
    { compression: "lz4" },
  ),
);
