import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import type { ExecutionContext } from "ava";
import { tableFromIPC, tableToIPC } from "apache-arrow";
import { Compression as WasmCompression, ParquetFile, readParquet } from "parquet-wasm";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Compression } from "../../../server/src/store/io/parquet-pool.js";
import { ParquetPool } from "../../../server/src/store/io/parquet-pool.js";
import { allTypesTable, describeTable, ticksTable } from "./arrow-fixtures.js";

const pool = ParquetPool.create({ size: 2 });
test.after.always(() => pool.close());

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oups-parquet-pool-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Row-group count and each column's codec, read in this thread straight from the file. */
async function fileLayout(path: string): Promise<{ rowGroups: number; rows: number; codecs: WasmCompression[] }> {
  const { openAsBlob } = await import("node:fs");
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const metadata = file.metadata();
  try {
    const rowGroups = metadata.numRowGroups();
    const rowGroup = metadata.rowGroup(0);
    const rows = rowGroup.numRows();
    const codecs = rowGroup.columns().map((column) => {
      const codec = column.compression();
      column.free();
      return codec;
    });
    rowGroup.free();
    return { rowGroups, rows, codecs };
  } finally {
    metadata.free();
    file.free();
  }
}

test("a table of every stored type reads back with identical types and values", async (t) => {
  const dir = await tempDir(t);
  const table = allTypesTable();
  const path = join(dir, "all.parquet");
  const { bytes } = await pool.writeRowGroupFile(path, tableToIPC(table, "stream"));
  t.is(bytes, (await readFile(path)).byteLength);
  const back = tableFromIPC(await pool.readRowGroupFile(path));
  t.deepEqual(describeTable(back), describeTable(table));
});

test("the written file is a plain Parquet file that readParquet reads whole", async (t) => {
  const dir = await tempDir(t);
  const table = allTypesTable();
  const path = join(dir, "plain.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(table, "stream"));
  const back = tableFromIPC(readParquet(await readFile(path)).intoIPCStream());
  t.deepEqual(describeTable(back), describeTable(table));
});

const projections: { columns: string[]; expected: string[] }[] = [
  { columns: ["qty"], expected: ["qty"] },
  { columns: ["price", "ts_ns", "symbol"], expected: ["ts_ns", "symbol", "price"] },
  { columns: ["day", "ts_ms_utc"], expected: ["ts_ms_utc", "day"] },
  { columns: [], expected: [] },
];
for (const { columns, expected } of projections) {
  test(`a projection on [${columns.join(", ")}] returns only those columns, in file order`, async (t) => {
    const dir = await tempDir(t);
    const table = allTypesTable();
    const path = join(dir, "projected.parquet");
    await pool.writeRowGroupFile(path, tableToIPC(table, "stream"));
    const back = tableFromIPC(await pool.readRowGroupFile(path, { columns }));
    t.deepEqual(
      back.schema.fields.map((field) => field.name),
      expected,
    );
    t.is(back.numRows, table.numRows);
    t.deepEqual(describeTable(back), describeTable(table.select(expected)));
  });
}

test("a projection naming a column the file lacks is rejected naming the column", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "lacking.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(ticksTable(10), "stream"));
  const err = await t.throwsAsync(pool.readRowGroupFile(path, { columns: ["price", "volume"] }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", /"volume"/);
});

test("a projection naming a column twice is rejected", async (t) => {
  const err = await t.throwsAsync(pool.readRowGroupFile("unused.parquet", { columns: ["ts", "ts"] }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", /"ts" is requested twice/);
});

const codecs: { compression: Compression; codec: WasmCompression }[] = [
  { compression: "zstd", codec: WasmCompression.ZSTD },
  { compression: "snappy", codec: WasmCompression.SNAPPY },
  { compression: "lz4", codec: WasmCompression.LZ4_RAW },
  { compression: "gzip", codec: WasmCompression.GZIP },
  { compression: "brotli", codec: WasmCompression.BROTLI },
  { compression: "none", codec: WasmCompression.UNCOMPRESSED },
];
for (const { compression, codec } of codecs) {
  test(`compression "${compression}" writes a valid file of one row group with that codec`, async (t) => {
    const dir = await tempDir(t);
    const table = ticksTable(5_000);
    const path = join(dir, `${compression}.parquet`);
    await pool.writeRowGroupFile(path, tableToIPC(table, "stream"), { compression });
    const layout = await fileLayout(path);
    t.deepEqual(layout, { rowGroups: 1, rows: 5_000, codecs: [codec, codec, codec, codec] });
    const back = tableFromIPC(readParquet(await readFile(path)).intoIPCStream());
    t.deepEqual(describeTable(back), describeTable(table));
  });
}

test("snappy is the default compression", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "default.parquet");
  await pool.writeRowGroupFile(path, tableToIPC(ticksTable(10), "stream"));
  t.deepEqual((await fileLayout(path)).codecs, [
    WasmCompression.SNAPPY,
    WasmCompression.SNAPPY,
    WasmCompression.SNAPPY,
    WasmCompression.SNAPPY,
  ]);
});

test("an unknown compression is rejected and writes nothing", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "lzo.parquet");
  const err = await t.throwsAsync(
    pool.writeRowGroupFile(path, tableToIPC(ticksTable(10), "stream"), { compression: "lzo" as Compression }),
    { instanceOf: OupsError },
  );
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", /unknown compression "lzo"/);
  t.false(existsSync(path));
});

test("a file holds one row group even above the writer's default of 1Mi rows, from several batches", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "big.parquet");
  const rows = 1_100_000;
  const table = ticksTable(rows);
  const batched = table.batches.length === 1 ? table.slice(0, 600_000).concat(table.slice(600_000)) : table;
  t.true(batched.batches.length > 1);
  await pool.writeRowGroupFile(path, tableToIPC(batched, "stream"), { compression: "none" });
  const layout = await fileLayout(path);
  t.is(layout.rowGroups, 1);
  t.is(layout.rows, rows);
});

test("an empty table round-trips with its schema", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "empty.parquet");
  const table = ticksTable(0);
  await pool.writeRowGroupFile(path, tableToIPC(table, "stream"));
  const back = tableFromIPC(await pool.readRowGroupFile(path));
  t.is(back.numRows, 0);
  t.deepEqual(describeTable(back).fields, describeTable(table).fields);
});

test("writing over an existing file is rejected and leaves it intact", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "taken.parquet");
  await writeFile(path, "precious");
  const err = await t.throwsAsync(pool.writeRowGroupFile(path, tableToIPC(ticksTable(10), "stream")), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "ALREADY_EXISTS");
  t.is(await readFile(path, "utf8"), "precious");
});

test("reading a missing file is rejected as not found, naming the path", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "missing.parquet");
  const err = await t.throwsAsync(pool.readRowGroupFile(path), { instanceOf: OupsError });
  t.is(err?.code, "NOT_FOUND");
  t.true(err?.message.includes(path));
  t.is((err?.cause as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
});

test("reading a file that is not Parquet is rejected as internal with parquet-wasm's error as cause", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "garbage.parquet");
  await writeFile(path, "not a parquet file at all");
  const err = await t.throwsAsync(pool.readRowGroupFile(path), { instanceOf: OupsError });
  t.is(err?.code, "INTERNAL");
  t.regex(String((err?.cause as Error | undefined)?.message), /Parquet error/);
});

test("20 concurrent writes then 20 concurrent reads all complete with the right rows", async (t) => {
  const dir = await tempDir(t);
  const tables = Array.from({ length: 20 }, (_, i) => ticksTable(1_000 + i, BigInt(i) * 1_000_000n));
  const paths = tables.map((_, i) => join(dir, `file_${i}.parquet`));
  const written = await Promise.all(
    tables.map((table, i) => pool.writeRowGroupFile(paths[i]!, tableToIPC(table, "stream"))),
  );
  t.true(written.every(({ bytes }) => bytes > 0));
  const read = await Promise.all(paths.map((path) => pool.readRowGroupFile(path, { columns: ["ts", "qty"] })));
  read.forEach((ipc, i) => {
    t.deepEqual(describeTable(tableFromIPC(ipc)), describeTable(tables[i]!.select(["ts", "qty"])));
  });
});

test("an IPC buffer is moved to the worker when the view spans it, and copied when it does not", async (t) => {
  const dir = await tempDir(t);
  const whole = tableToIPC(ticksTable(10), "stream");
  t.is(whole.byteOffset, 0);
  t.is(whole.byteLength, whole.buffer.byteLength);
  await pool.writeRowGroupFile(join(dir, "moved.parquet"), whole);
  t.is(whole.byteLength, 0);

  const ipc = tableToIPC(ticksTable(10), "stream");
  const larger = new Uint8Array(ipc.byteLength + 16);
  larger.set(ipc, 8);
  const view = larger.subarray(8, 8 + ipc.byteLength);
  await pool.writeRowGroupFile(join(dir, "copied.parquet"), view);
  t.is(view.byteLength, ipc.byteLength);
  t.deepEqual(view, ipc);
});

test("a worker that dies fails its job as internal and is replaced", async (t) => {
  const dir = await tempDir(t);
  const crashing = ParquetPool.create({
    size: 1,
    workerUrl: new URL("./crashing-parquet-worker.js", import.meta.url),
  });
  t.teardown(() => crashing.close());
  const err = await t.throwsAsync(crashing.readRowGroupFile(join(dir, "crash")), { instanceOf: OupsError });
  t.is(err?.code, "INTERNAL");
  t.regex(err?.message ?? "", /exited with code 3/);
  const path = join(dir, "after.parquet");
  await crashing.writeRowGroupFile(path, tableToIPC(ticksTable(10), "stream"));
  t.is(tableFromIPC(await crashing.readRowGroupFile(path)).numRows, 10);
});

test("close lets running jobs finish, cancels queued ones, and refuses new ones", async (t) => {
  const dir = await tempDir(t);
  const single = ParquetPool.create({ size: 1 });
  const paths = [0, 1, 2].map((i) => join(dir, `closing_${i}.parquet`));
  const jobs = paths.map((path) => single.writeRowGroupFile(path, tableToIPC(ticksTable(1_000), "stream")));
  await single.close();
  const [running, ...queued] = await Promise.allSettled(jobs);
  t.is(running?.status, "fulfilled");
  t.true(existsSync(paths[0]!));
  for (const result of queued) {
    t.is(result.status, "rejected");
    t.is(((result as PromiseRejectedResult).reason as OupsError).code, "CANCELLED");
  }
  const err = await t.throwsAsync(single.readRowGroupFile(paths[0]!), { instanceOf: OupsError });
  t.is(err?.code, "CANCELLED");
});

test("an idle pool does not keep the process alive", async (t) => {
  const dir = await tempDir(t);
  const poolUrl = new URL("../../../server/src/store/io/parquet-pool.js", import.meta.url).href;
  const arrowUrl = import.meta.resolve("apache-arrow");
  const script = join(dir, "idle-pool.mjs");
  // A script file rather than --eval: workers inherit the parent's flags and reject --input-type.
  await writeFile(
    script,
    `import { tableFromArrays, tableToIPC, tableFromIPC } from ${JSON.stringify(arrowUrl)};
    import { ParquetPool } from ${JSON.stringify(poolUrl)};
    const pool = ParquetPool.create({ size: 1 });
    const path = ${JSON.stringify(join(dir, "alive.parquet"))};
    await pool.writeRowGroupFile(path, tableToIPC(tableFromArrays({ a: new Float64Array([1, 2, 3]) }), "stream"));
    console.log(tableFromIPC(await pool.readRowGroupFile(path)).numRows);
    `,
  );
  // Without unref the child never exits: the timeout turns that hang into a failure.
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 60_000 });
  t.is(stdout.trim(), "3");
});

test("the pool reports each worker's wasm memory size", async (t) => {
  const dir = await tempDir(t);
  const single = ParquetPool.create({ size: 1 });
  t.teardown(() => single.close());
  t.deepEqual(single.wasmMemoryBytes(), []);
  await single.writeRowGroupFile(join(dir, "memory.parquet"), tableToIPC(ticksTable(10), "stream"));
  const sizes = single.wasmMemoryBytes();
  t.is(sizes.length, 1);
  t.true(sizes[0]! > 0 && sizes[0]! % 65_536 === 0);
});

test("a pool size that is not a positive integer is rejected", (t) => {
  for (const size of [0, -1, 1.5, Number.NaN]) {
    const err = t.throws(() => ParquetPool.create({ size }), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
  }
});
