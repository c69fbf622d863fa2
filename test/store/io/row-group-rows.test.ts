import { openAsBlob } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import type { ExecutionContext } from "ava";
import type { Table } from "apache-arrow";
import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import { Encoding, ParquetFile } from "parquet-wasm";
import { ParquetPool } from "../../../server/src/store/io/parquet-pool.js";
import { describeTable, ticksTable } from "./arrow-fixtures.js";

const pool = ParquetPool.create({ size: 2 });
test.after.always(() => pool.close());

// Enough rows for many data pages per column, so that a cut skips some of them.
const ROWS = 200_000;
const T0 = 1_700_000_000_000n;

async function writtenTicks(t: ExecutionContext, rows = ROWS): Promise<{ path: string; table: Table }> {
  const dir = await mkdtemp(join(tmpdir(), "oups-row-group-rows-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const table = ticksTable(rows, T0);
  const path = join(dir, "ticks.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(table, "stream"), { dictionaryColumns: ["symbol"] });
  return { path, table };
}

function decoded(ipc: Uint8Array | null): Table {
  if (ipc === null) throw new Error("expected rows, got none");
  return tableFromIPC(ipc);
}

test("a cut returns exactly the rows within [start, end), whole columns and values", async (t) => {
  const { path, table } = await writtenTicks(t);
  const back = decoded(await pool.readRowGroupRows(path, { orderedOn: "ts", start: T0 + 123_457n, end: T0 + 161_000n }));
  t.deepEqual(describeTable(back), describeTable(table.slice(123_457, 161_000)));
});

test("an inclusive end keeps the row equal to it; open ends reach the file's first and last rows", async (t) => {
  const { path, table } = await writtenTicks(t);
  const head = decoded(await pool.readRowGroupRows(path, { orderedOn: "ts", end: T0 + 99n, endInclusive: true }));
  t.deepEqual(describeTable(head), describeTable(table.slice(0, 100)));
  const tail = decoded(await pool.readRowGroupRows(path, { orderedOn: "ts", start: T0 + 199_990n }));
  t.deepEqual(describeTable(tail), describeTable(table.slice(199_990)));
});

test("a cut with a projection that leaves out the ordered column still cuts on it, in batches of batchRows", async (t) => {
  const { path, table } = await writtenTicks(t);
  const ipc = await pool.readRowGroupRows(path, { orderedOn: "ts", start: T0 + 50_000n, end: T0 + 60_000n }, { columns: ["qty", "price"], batchRows: 4_096 });
  const back = decoded(ipc);
  t.deepEqual(
    back.schema.fields.map((f) => f.name),
    ["price", "qty"],
  );
  t.deepEqual(
    back.batches.map((b) => b.numRows),
    [4_096, 4_096, 1_808],
  );
  t.deepEqual(describeTable(back), describeTable(table.select(["price", "qty"]).slice(50_000, 60_000)));
});

test("a cut that keeps no row answers null", async (t) => {
  const { path } = await writtenTicks(t, 1_000);
  t.is(await pool.readRowGroupRows(path, { orderedOn: "ts", start: T0 + 5_000n }), null);
  t.is(await pool.readRowGroupRows(path, { orderedOn: "ts", start: T0 + 10n, end: T0 + 10n }), null);
  t.is(await pool.readRowGroupRows(path, { orderedOn: "ts", end: T0 }), null);
});

test("a cut on a text ordered column compares strings", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "oups-row-group-rows-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const names = Array.from({ length: 3_000 }, (_, i) => `k${String(i).padStart(5, "0")}`);
  const table = tableFromArrays({ name: names, n: Int32Array.from(names, (_, i) => i) });
  const path = join(dir, "names.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(table, "stream"));
  const back = decoded(await pool.readRowGroupRows(path, { orderedOn: "name", start: "k00100", end: "k00200", endInclusive: true }));
  t.deepEqual([...back.getChild("n")!.toArray()], Array.from({ length: 101 }, (_, i) => 100 + i));
});

test("integer columns are written delta-encoded in version 2 data pages, floats plain", async (t) => {
  const { path } = await writtenTicks(t, 50_000);
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const metadata = file.metadata();
  const rowGroup = metadata.rowGroup(0);
  const encodings = Object.fromEntries(
    rowGroup.columns().map((column) => {
      const entry = [column.columnPath().join("."), column.encodings()] as const;
      column.free();
      return entry;
    }),
  );
  rowGroup.free();
  metadata.free();
  file.free();
  t.true(encodings.ts!.includes(Encoding.DELTA_BINARY_PACKED));
  t.true(encodings.qty!.includes(Encoding.DELTA_BINARY_PACKED));
  t.true(encodings.symbol!.includes(Encoding.RLE_DICTIONARY));
  t.false(encodings.price!.includes(Encoding.DELTA_BINARY_PACKED));
});
