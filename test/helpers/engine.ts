import test from "ava";
import type { ExecutionContext } from "ava";
import type { DataType, Int64, RecordBatch, Schema, Vector } from "apache-arrow";
import { Table, Type, Utf8, makeData, makeVector, vectorFromArray } from "apache-arrow";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RangeQuery, StoreOpenOptions } from "../../server/src/store/store.js";
import { Store } from "../../server/src/store/store.js";
import type { RowGroupEntry } from "../../server/src/store/dataset/manifest.js";
import type { WriteResult } from "../../server/src/store/dataset/write-dataset.js";
import type { WriteOptions } from "../../server/src/store/dataset/write-options.js";
import type { IndexSchema } from "../../server/src/store/keys/index-schema.js";
import type { Key } from "../../server/src/store/keys/key.js";
import { keyToPath } from "../../server/src/store/keys/key.js";

/** The index schema of engine tests: one level, one string field. */
export const engineIndex: IndexSchema = {
  name: "EngineTest",
  fieldSeparator: "-",
  levels: [[{ name: "symbol", type: "string" }]],
};

/** The key most engine tests write to. */
export const testKey: Key = { symbol: "AAPL" };

/** What a test gets: a store, and a key of its own in it. */
export interface KeyFixture {
  readonly store: Store;
  readonly storeDir: string;
  /** The test's own key: no other test of the store writes to it. */
  readonly key: Key;
  /** Absolute directory of a key's dataset (default: the test's key). */
  datasetDir(key?: Key): string;
}

/** What a test running against a store of its own gets. */
export interface EngineFixture extends KeyFixture {
  /** The open store (a new object after {@link EngineFixture.reopen}). */
  readonly store: Store;
  /**
   * Closes the store (which waits for its pending file deletions) and opens the same directory again, as a
   * restarted daemon would; the fixture's `store` is the new one from then on.
   */
  reopen(options?: StoreOpenOptions): Promise<Store>;
}

/** An ava implementation taking a fixture. */
export type FixtureTest<F> = (body: (t: ExecutionContext, fixture: F) => Promise<void>) => (t: ExecutionContext) => Promise<void>;

/** A new temporary directory for a store. */
function makeStoreDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "oups-engine-"));
}

function removeStoreDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

// Retention 0: engine tests watch which files a write deletes; the tests of versions give their own policy.
const defaultOpenOptions: StoreOpenOptions = { indexSchema: engineIndex, lock: false, parquetWorkers: 1, retention: { generations: 0, durationMs: 0 } };

function datasetDirOf(storeDir: string, key: Key): string {
  return join(storeDir, keyToPath(engineIndex, key));
}

/**
 * Runs `body` against a fresh store in a temporary directory (no store lock, one Parquet worker unless
 * `options` says otherwise), with {@link testKey} as its key; the store is closed and the directory removed
 * afterwards, whatever happens.
 */
export async function withEngineStore<T>(
  body: (fixture: EngineFixture) => Promise<T>,
  options: StoreOpenOptions = {},
): Promise<T> {
  const storeDir = await makeStoreDir();
  let store = await Store.open(storeDir, { ...defaultOpenOptions, ...options });
  const fixture: EngineFixture = {
    get store() {
      return store;
    },
    storeDir,
    key: testKey,
    datasetDir: (key = testKey) => datasetDirOf(storeDir, key),
    reopen: async (reopenOptions = options) => {
      await store.close();
      store = await Store.open(storeDir, { ...defaultOpenOptions, ...reopenOptions });
      return store;
    },
  };
  try {
    return await body(fixture);
  } finally {
    await store.close();
    await removeStoreDir(storeDir);
  }
}

/**
 * An ava implementation running against a fresh temporary store of its own (see {@link withEngineStore}): for
 * tests that restart the store or watch file deletions, which only a store's close waits for.
 */
export function engineTest(
  body: (t: ExecutionContext, fixture: EngineFixture) => Promise<void>,
  options?: StoreOpenOptions,
): (t: ExecutionContext) => Promise<void> {
  return (t) => withEngineStore((fixture) => body(t, fixture), options);
}

/**
 * Declares a store shared by the tests of one file (opened on first use, closed and removed after the file's
 * tests), and returns a wrapper giving each test a key of its own in it. Opening a store starts a Parquet worker
 * that compiles parquet-wasm, which costs more than most engine tests: sharing keeps the suite fast. Call it at
 * the top level of a test file.
 */
export function sharedStoreTest(options: StoreOpenOptions = {}): FixtureTest<KeyFixture> {
  let opened: Promise<{ store: Store; storeDir: string }> | undefined;
  let keys = 0;
  test.after.always(async () => {
    if (!opened) return;
    const { store, storeDir } = await opened;
    await store.close();
    await removeStoreDir(storeDir);
  });
  return (body) => async (t) => {
    opened ??= (async () => {
      const storeDir = await makeStoreDir();
      return { storeDir, store: await Store.open(storeDir, { ...defaultOpenOptions, ...options }) };
    })();
    const { store, storeDir } = await opened;
    const key: Key = { symbol: `T${++keys}` };
    await body(t, { store, storeDir, key, datasetDir: (other = key) => datasetDirOf(storeDir, other) });
  };
}

/** One row of the standard test table: `ts` (int64, the ordered column), `v` (float64) and `tag` (utf8). */
// A type alias rather than an interface, so that rows are assignable to the model's plain records.
export type Row = {
  ts: bigint;
  v: number;
  tag: string;
};

/** A table of `rows` with columns `ts: Int64`, `v: Float64`, `tag: Utf8`, in one record batch. */
export function tableOfRows(rows: readonly Row[]): Table {
  return new Table({
    ts: makeVector(BigInt64Array.from(rows, (r) => r.ts)),
    v: makeVector(Float64Array.from(rows, (r) => r.v)),
    tag: vectorFromArray(
      rows.map((r) => r.tag),
      new Utf8(),
    ),
  });
}

/** Rows with ordered values `ts`; `v` defaults to the position and `tag` to `"x"`. */
export function rows(
  ts: readonly (number | bigint)[],
  v?: readonly number[] | ((i: number) => number),
  tag: string | ((i: number) => string) = "x",
): Row[] {
  return ts.map((value, i) => ({
    ts: BigInt(value),
    v: typeof v === "function" ? v(i) : (v?.[i] ?? i),
    tag: typeof tag === "function" ? tag(i) : tag,
  }));
}

/** Integers `[start, end)`, every `step`. */
export function span(start: number, end: number, step = 1): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i += step) out.push(i);
  return out;
}

/** A table of the given columns, each of `type` holding `values` (64-bit integers and timestamps as bigints). */
export function columnTable(columns: Record<string, { type: DataType; values: unknown[] }>): Table {
  const vectors: Record<string, Vector> = {};
  for (const [name, { type, values }] of Object.entries(columns)) {
    if (type.typeId === Type.Timestamp || (type.typeId === Type.Int && (type as Int64).bitWidth === 64)) {
      const data = BigInt64Array.from(values as bigint[]);
      vectors[name] = makeVector(makeData({ type: type as Int64, length: values.length, data }));
    } else {
      // vectorFromArray's overloads tie the value type to the data type statically; these are checked at run time.
      vectors[name] = (vectorFromArray as (values: unknown[], type: DataType) => Vector)(values, type);
    }
  }
  return new Table(vectors);
}

/** Splits `table` into record batches of at most `size` rows (slices, no copy). */
export function batchesOf(table: Table, size: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (const batch of table.batches) {
    for (let offset = 0; offset < batch.numRows; offset += size) out.push(batch.slice(offset, Math.min(batch.numRows, offset + size)));
  }
  return out;
}

/** Writes `table` to `key` through the store's public write, as batches of `batchRows` rows when given. */
export function writeTable(store: Store, key: Key, table: Table, options: WriteOptions, batchRows?: number): Promise<WriteResult> {
  return store.write(key, { schema: table.schema, batches: batchRows ? batchesOf(table, batchRows) : table.batches }, options);
}

/** Reads a range of `key` to the end and returns it as one table (of the read's schema when it holds no row). */
/** The record batches of a range read, as the engine yields them. */
export async function readBatches(store: Store, key: Key, query: RangeQuery = {}): Promise<RecordBatch[]> {
  return (await readBatchesAndSchema(store, key, query)).batches;
}

async function readBatchesAndSchema(store: Store, key: Key, query: RangeQuery): Promise<{ batches: RecordBatch[]; schema: Schema }> {
  const read = await store.openRange(key, query);
  const batches: RecordBatch[] = [];
  try {
    for await (const batch of read.batches()) batches.push(batch);
  } finally {
    read.close();
  }
  return { batches, schema: read.schema };
}

export async function readAll(store: Store, key: Key, query: RangeQuery = {}): Promise<Table> {
  const { batches, schema } = await readBatchesAndSchema(store, key, query);
  // Batches decoded from IPC carry generic type classes (`Int_`) where the read's schema may hold the specific
  // ones (`Int64`), which Arrow's Table constructor refuses to mix: build from the batches when there are some.
  return batches.length > 0 ? new Table(batches) : new Table(schema);
}

/**
 * The rows of `table` as plain objects, comparable with `deepEqual`: timestamps as their raw bigint (getters would
 * turn them into lossy milliseconds), other values as Arrow's getters give them.
 */
export function rowsOf(table: Table): Record<string, unknown>[] {
  const columns = table.schema.fields.map((field) => [field.name, columnValues(table.getChild(field.name)!)] as const);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, values] of columns) row[name] = values[i];
    out.push(row);
  }
  return out;
}

/** The rows of a standard test table as {@link Row}s. */
export function testRowsOf(table: Table): Row[] {
  return rowsOf(table) as unknown as Row[];
}

function columnValues(vector: Vector): unknown[] {
  if (vector.type.typeId !== Type.Timestamp) return [...vector];
  const out: unknown[] = [];
  for (const chunk of vector.data) {
    const values = chunk.values as BigInt64Array;
    // A sliced Data's value buffer is already cut at its offset (only bitmaps keep the offset).
    for (let i = 0; i < chunk.length; i++) out.push(chunk.getValid(i) ? values[i] : null);
  }
  return out;
}

/** One file of a dataset directory as a test compares it. */
export interface FileState {
  bytes: Buffer;
  mtimeMs: number;
  ino: number;
}

/** Every file of a dataset directory (row groups, manifest, anything else) with its bytes and mtime. */
export async function snapshotFiles(dir: string): Promise<Map<string, FileState>> {
  const files = new Map<string, FileState>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return files;
    throw err;
  }
  for (const name of names.sort()) {
    // The engine's own directories (`.versions/`) are not files of the dataset.
    if (name === ".versions") continue;
    const path = join(dir, name);
    try {
      const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
      files.set(name, { bytes, mtimeMs: info.mtimeMs, ino: info.ino });
    } catch (err) {
      // Deleted between the listing and the read: the previous write's garbage collection runs in the background.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return files;
}

/** Names of the files in `dir`, sorted; empty when it does not exist. */
export async function fileNames(dir: string): Promise<string[]> {
  return [...(await snapshotFiles(dir)).keys()];
}

/** Names of the files `before` held that `after` holds unchanged (same bytes, same mtime, same inode). */
export function unchangedFiles(before: Map<string, FileState>, after: Map<string, FileState>): string[] {
  const unchanged: string[] = [];
  for (const [name, a] of before) {
    const b = after.get(name);
    if (b !== undefined && b.bytes.equals(a.bytes) && b.mtimeMs === a.mtimeMs && b.ino === a.ino) unchanged.push(name);
  }
  return unchanged;
}

/** Files of a dataset's row groups, in order, as its committed manifest lists them. */
export async function listedFiles(store: Store, key: Key = testKey): Promise<string[]> {
  return (await store.describe(key)).rowGroups.map((g) => g.file);
}

/** Row counts of a dataset's row groups, in order. */
export async function rowGroupSizes(store: Store, key: Key = testKey): Promise<number[]> {
  return (await store.describe(key)).rowGroups.map((g) => g.rows);
}

/**
 * What is wrong with a dataset's row-group list, empty when nothing: empty row groups, min above max, or row
 * groups overlapping (a max above the next min; equal is allowed, a run of equal values may straddle).
 */
export function rowGroupProblems(rowGroups: readonly RowGroupEntry[]): string[] {
  const problems: string[] = [];
  rowGroups.forEach((g, i) => {
    if (g.rows <= 0) problems.push(`row group ${i} has ${g.rows} rows`);
    if (g.min > g.max) problems.push(`row group ${i} has min ${g.min} > max ${g.max}`);
    const next = rowGroups[i + 1];
    if (next && g.max > next.min) problems.push(`row groups ${i} and ${i + 1} overlap: ${g.max} > ${next.min}`);
  });
  return problems;
}
