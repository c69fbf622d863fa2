import test from "ava";
import type { ExecutionContext } from "ava";
import { status } from "@grpc/grpc-js";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import type { DatasetDescription, KeyFields, OupsClient, WriteOptions } from "../../client/src/index.js";
import { OupsClient as Client, OupsClientError } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import type { EvolvingColumn } from "../helpers/evolving-columns.js";
import { evolvingBatch, readRows } from "../helpers/evolving-columns.js";
import type { DaemonFixture } from "../helpers/with-daemon.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { datasetDir, treeOf } from "./helpers/files.js";
import { useSharedDaemon } from "./helpers/shared-daemon.js";

const shared = useSharedDaemon(test);
let nextKey = 0;
const newKey = (): KeyFields & { symbol: string; year: string; month: string } => ({ symbol: `SE${nextKey++}`, year: "2024", month: "1" });

const ts = (values: number[]): EvolvingColumn => ({ name: "ts", kind: "i64", nullable: false, values });
const col = (name: string, kind: EvolvingColumn["kind"], values: EvolvingColumn["values"], nullable = true): EvolvingColumn => ({ name, kind, nullable, values });

/** A dataset of `ts` (int64, not null), `px` (float32), `n` (int32), `q` (int64, not null), in two row groups. */
async function seed(client: OupsClient, key: KeyFields): Promise<void> {
  const batch = evolvingBatch([ts([1, 2, 3, 4]), col("px", "f32", [1.5, 2.5, null, 4.5]), col("n", "i32", [10, 20, 30, 40]), col("q", "i64", [7, 7, 7, 7], false)]);
  await client.write(key, batch, { orderedOn: "ts", rowGroupTarget: 2 });
}

function committed(d: DatasetDescription) {
  return { ...d, schema: d.schema?.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? "" : " not null"}`), schemaHistory: d.schemaHistory.map((v) => ({ ...v, schema: String(v.schema) })) };
}

async function stateOf(c: DaemonFixture, key: KeyFields & { symbol: string; year: string; month: string }) {
  return { dataset: committed(await c.client.describe(key)), rows: readRows(await c.client.read(key)), files: await treeOf(datasetDir(c.storeDir, key)) };
}

/** Asserts that writing `columns` with `options` fails with SCHEMA_MISMATCH matching `message`, and changes nothing. */
async function assertRefused(t: ExecutionContext, columns: EvolvingColumn[], options: WriteOptions, message: RegExp): Promise<string> {
  const c = shared();
  const key = newKey();
  await seed(c.client, key);
  const before = await stateOf(c, key);
  const err = OupsClientError.from(await t.throwsAsync(c.client.write(key, evolvingBatch(columns), options)));
  t.is(err.grpcCode, status.FAILED_PRECONDITION, err.message);
  t.is(err.code, "SCHEMA_MISMATCH", err.message);
  t.regex(err.message, message);
  t.deepEqual(await stateOf(c, key), before, "nothing stored changes");
  return err.message;
}

const base = (n = [50]) => [ts([5]), col("px", "f32", [5.5]), col("n", "i32", n), col("q", "i64", [1], false)];
const evolve: WriteOptions = { schemaEvolution: "add-columns" };

test("a new column without the option is refused, listing it and hinting at the option", async (t) => {
  const message = await assertRefused(t, [...base(), col("venue", "utf8", ["x"])], {}, /extra column "venue"/);
  t.regex(message, /schema_evolution ADD_COLUMNS/);
  t.regex(message, /--schema-evolution add-columns/);
});

test("a widening without the option is refused with the hint", async (t) => {
  const message = await assertRefused(t, [ts([5]), col("px", "f64", [5.5]), col("n", "i32", [1]), col("q", "i64", [1], false)], {}, /column "px": expected Float32, got Float64 \(a widening\)/);
  t.regex(message, /schemaEvolution: "add-columns"/);
});

test("a new column that is not nullable is refused under ADD_COLUMNS, naming it", async (t) => {
  const message = await assertRefused(t, [...base(), col("venue", "utf8", ["x"], false)], evolve, /new column "venue" is not nullable/);
  t.notRegex(message, /schema_evolution ADD_COLUMNS/, "no hint: the option would not help");
});

test("a narrowing is refused under ADD_COLUMNS", async (t) => {
  await assertRefused(t, [ts([5]), col("px", "f32", [5.5]), col("n", "i32", [1]), col("q", "i32", [1], false)], evolve, /column "q": expected Int64, got Int32 \(a narrowing\)/);
});

test("other type changes are refused under ADD_COLUMNS, with the list of differences", async (t) => {
  await assertRefused(
    t,
    [ts([5]), col("px", "utf8", ["x"]), col("n", "f64", [1]), col("q", "i64", [1], false), col("extra", "i32", [1])],
    evolve,
    /column "px": expected Float32, got Utf8; column "n": expected Int32, got Float64/,
  );
});

test("the ordered column keeps its type, even for a widening", async (t) => {
  const c = shared();
  const key = newKey();
  await c.client.write(key, evolvingBatch([col("t", "i32", [1, 2], false), col("v", "f64", [1, 2])]), { orderedOn: "t" });
  const err = OupsClientError.from(await t.throwsAsync(c.client.write(key, evolvingBatch([col("t", "i64", [3], false), col("v", "f64", [3])]), evolve)));
  t.is(err.code, "SCHEMA_MISMATCH");
  t.regex(err.message, /column "t": expected Int32, got Int64 \(the ordered column keeps its type\)/);
});

test("a write leaving out a column that is not nullable is refused naming it, with or without the option", async (t) => {
  for (const options of [{}, evolve]) {
    await assertRefused(t, [ts([5]), col("px", "f32", [5.5]), col("n", "i32", [1])], options, /missing column "q" \(not nullable/);
  }
});

test("columns of the dataset in another order are still refused", async (t) => {
  await assertRefused(t, [ts([5]), col("n", "i32", [1]), col("px", "f32", [5.5]), col("q", "i64", [1], false)], evolve, /columns in another order/);
});

test("a write may leave out nullable columns without the option: they read back as nulls", async (t) => {
  const c = shared();
  const key = newKey();
  await seed(c.client, key);
  const result = await c.client.write(key, evolvingBatch([ts([5, 6]), col("q", "i64", [8, 9], false)]), {});
  t.is(result.totalRows, 6);
  const d = await c.client.describe(key);
  t.is(d.schemaHistory.length, 1, "the schema does not change");
  t.deepEqual(readRows(await c.client.read(key, { start: 4n })), [
    ["i64:4", "num:4.5", "num:40", "i64:7"],
    ["i64:5", "null", "null", "i64:8"],
    ["i64:6", "null", "null", "i64:9"],
  ]);
});

test("ADD_COLUMNS appends nullable columns and widens types; old row groups stay as they were and read with nulls", async (t) => {
  const c = shared();
  const key = newKey();
  await seed(c.client, key);
  const before = await c.client.describe(key);
  // The new column comes first in the write: the dataset appends it after its own columns.
  const write = evolvingBatch([col("venue", "dict", ["X", null]), ts([10, 11]), col("px", "f64", [0.1, 0.2]), col("n", "i64", [2 ** 40, 3]), col("q", "i64", [1, 2], false)]);
  const result = await c.client.write(key, write, { ...evolve, rowGroupTarget: 2, maxNOffTargetRgs: 0 });
  t.is(result.rowGroupsRewritten, 0, "the row groups stored before are not rewritten");
  const d = await c.client.describe(key);
  t.deepEqual(d.schema?.fields.map((f) => `${f.name}: ${String(f.type)}`), ["ts: Int64", "px: Float64", "n: Int64", "q: Int64", "venue: Dictionary<Int32, Utf8>"]);
  t.deepEqual(
    d.schemaHistory.map((v) => ({ generation: v.generation, added: v.addedColumns, widened: v.widenedColumns, rowGroups: v.rowGroups })),
    [
      { generation: before.generation, added: ["ts", "px", "n", "q"], widened: [], rowGroups: 2 },
      { generation: result.generation, added: ["venue"], widened: ["px", "n"], rowGroups: 1 },
    ],
  );
  t.deepEqual(d.rowGroups.map((g) => [g.file, g.schemaVersion]), [...before.rowGroups.map((g) => [g.file, 0]), [d.rowGroups[2]!.file, 1]]);
  const all = await c.client.read(key);
  t.deepEqual(all.schema.fields.map((f) => String(f.type)), ["Int64", "Float64", "Int64", "Int64", "Dictionary<Int32, Utf8>"]);
  t.deepEqual(readRows(all), [
    ["i64:1", "num:1.5", "i64:10", "i64:7", "null"],
    ["i64:2", "num:2.5", "i64:20", "i64:7", "null"],
    ["i64:3", "null", "i64:30", "i64:7", "null"],
    ["i64:4", "num:4.5", "i64:40", "i64:7", "null"],
    ["i64:10", `num:${0.1}`, `i64:${2 ** 40}`, "i64:1", "str:X"],
    ["i64:11", `num:${0.2}`, "i64:3", "i64:2", "null"],
  ]);
  // A projection of only the new column, over row groups that lack it, and a cut one.
  t.deepEqual(readRows(await c.client.read(key, { start: 2n, end: 11n, columns: ["venue"] })), [["null"], ["null"], ["null"], ["str:X"]]);
  t.deepEqual(readRows(await c.client.read(key, { start: 2n, end: 3n, columns: ["n", "venue", "ts"] })), [["i64:20", "null", "i64:2"]]);
  // A merge into the old row groups rewrites them in the new schema.
  const merge = await c.client.write(key, evolvingBatch([ts([2]), col("px", "f64", [9]), col("q", "i64", [9], false)]), { duplicatesOn: ["ts"], rowGroupTarget: 2, maxNOffTargetRgs: 0 });
  t.true(merge.rowGroupsRewritten > 0);
  const after = await c.client.describe(key);
  t.deepEqual(after.rowGroups.map((g) => g.schemaVersion), [1, 0, 1], "the rewritten row group has the new schema, the other keeps its own");
  t.deepEqual(readRows(await c.client.read(key, { end: 4n })), [
    ["i64:1", "num:1.5", "i64:10", "i64:7", "null"],
    ["i64:2", "num:9", "null", "i64:9", "null"],
    ["i64:3", "null", "i64:30", "i64:7", "null"],
  ]);
  t.deepEqual((await c.client.checkStore()).findings, [], "oups check is clean");
});

test("DuckDB reads an evolved dataset's row-group files with union_by_name, columns aligned", async (t) => {
  const c = shared();
  const key = newKey();
  await seed(c.client, key);
  await c.client.write(key, evolvingBatch([ts([10]), col("px", "f32", [0.5]), col("n", "i32", [1]), col("q", "i64", [1], false), col("venue", "utf8", ["X"])]), evolve);
  const d = await c.client.describe(key);
  const files = d.rowGroups.map((g) => join(datasetDir(c.storeDir, key), g.file));
  const duckdb = await DuckDBInstance.create(":memory:");
  const connection = await duckdb.connect();
  try {
    const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ")}]`;
    const reader = await connection.runAndReadAll(`SELECT ts, px, n, q, venue FROM read_parquet(${list}, union_by_name = true) ORDER BY ts`);
    t.deepEqual(
      reader.getRowObjectsJS().map((row) => Object.values(row).map((v) => (typeof v === "bigint" ? Number(v) : v))),
      [
        [1, 1.5, 10, 7, null],
        [2, 2.5, 20, 7, null],
        [3, null, 30, 7, null],
        [4, 4.5, 40, 7, null],
        [10, 0.5, 1, 1, "X"],
      ],
    );
    const columns = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`);
    t.deepEqual(columns.getRowObjectsJS().map((r) => r.column_name), ["ts", "px", "n", "q", "venue"]);
  } finally {
    connection.closeSync();
    duckdb.closeSync();
  }
});

test("a restarted daemon keeps the schema history and reads old row groups with nulls", async (t) => {
  const storeDir = await makeTempDir();
  const key = newKey();
  let daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
  let client = new Client(daemon.address);
  try {
    await seed(client, key);
    await client.write(key, evolvingBatch([ts([10]), col("px", "f64", [0.5]), col("n", "i32", [1]), col("q", "i64", [1], false), col("venue", "utf8", ["X"])]), evolve);
    const before = committed(await client.describe(key));
    const rows = readRows(await client.read(key));
    client.close();
    await daemon.stop(5_000);
    daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
    client = new Client(daemon.address);
    t.deepEqual(committed(await client.describe(key)), before);
    t.deepEqual(readRows(await client.read(key)), rows);
    t.deepEqual((await client.checkStore()).findings, []);
  } finally {
    client.close();
    await daemon.stop(5_000);
    await removeTempDir(storeDir);
  }
});

test("the SDK refuses an unknown schemaEvolution before calling", async (t) => {
  const c = shared();
  const err = await t.throwsAsync(c.client.write(newKey(), evolvingBatch(base()), { orderedOn: "ts", schemaEvolution: "add" as never }));
  t.is(OupsClientError.from(err).code, "INVALID_ARGUMENT");
  t.regex(err!.message, /schemaEvolution must be "none" or "add-columns"/);
});

test("QueryIntersections projects a column that older row groups lack as nulls there", async (t) => {
  const c = shared();
  const keys = [newKey(), newKey()];
  for (const [i, key] of keys.entries()) {
    await seed(c.client, key);
    await c.client.write(key, evolvingBatch([ts([5 + i]), col("px", "f32", [0.5]), col("n", "i32", [1]), col("q", "i64", [1], false), col("venue", "utf8", [`V${i}`])]), { ...evolve, rowGroupTarget: 2, maxNOffTargetRgs: 0 });
  }
  const rows = keys.map(() => [] as string[][]);
  for await (const part of c.client.queryIntersections(keys, { start: 2n, columns: ["venue", "n"] })) {
    t.deepEqual(part.table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`), ["venue: Utf8", "n: Int32"]);
    rows[part.keyIndex]!.push(...readRows(part.table));
  }
  t.deepEqual(rows, [
    [["null", "num:20"], ["null", "num:30"], ["null", "num:40"], ["str:V0", "num:1"]],
    [["null", "num:20"], ["null", "num:30"], ["null", "num:40"], ["str:V1", "num:1"]],
  ]);
});
