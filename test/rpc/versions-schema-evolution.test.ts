import test from "ava";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromArrays } from "apache-arrow";
import type { OupsClient, Version } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";

// Versions and schema evolution together: a version keeps the schema (and its history) it was committed with.

const key = { symbol: "EVO", year: "2024", month: "1" };
const range = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

/** Rows ts = first .. first + n - 1, v = ts, and, when given, a nullable text column `note`. */
function rows(first: number, n: number, note?: (ts: number) => string) {
  const ts = BigInt64Array.from(range(first, n), BigInt);
  const v = Float64Array.from(range(first, n));
  return note ? tableFromArrays({ ts, v, note: range(first, n).map(note) }) : tableFromArrays({ ts, v });
}

async function columnsAndNotes(client: OupsClient, version?: Version) {
  const table = await client.read(key, version ? { version } : {});
  return {
    columns: table.schema.fields.map((f) => f.name),
    ts: [...(table.getChild("ts")?.toArray() ?? [])].map(Number),
    notes: table.getChild("note")?.toArray() as (string | null)[] | undefined,
  };
}

test(
  "an older version reads with its own schema, and restoring it brings that schema back, history included",
  daemonTest(async (t, { client }) => {
    await client.write(key, rows(0, 30), { orderedOn: "ts", rowGroupTarget: 10 });
    const evolved = await client.write(key, rows(30, 10, (ts) => `n${ts}`), { schemaEvolution: "add-columns" });
    t.is(evolved.generation, 2);

    const first = await columnsAndNotes(client, { generation: 1 });
    t.deepEqual(first.columns, ["ts", "v"]);
    t.deepEqual(first.ts, range(0, 30));
    t.is((await client.describe(key, { version: { generation: 1 } })).schemaHistory.length, 1);

    const current = await columnsAndNotes(client);
    t.deepEqual(current.columns, ["ts", "v", "note"]);
    t.deepEqual([...(current.notes ?? [])], [...range(0, 30).map(() => null), ...range(30, 10).map((ts) => `n${ts}`)]);

    // Undo the evolving write: the schema goes back to the two columns.
    const undone = await client.restoreVersion(key, { generation: 1 });
    t.is(undone.generation, 3);
    const afterUndo = await client.describe(key);
    t.deepEqual(afterUndo.schema?.fields.map((f) => f.name), ["ts", "v"]);
    t.is(afterUndo.schemaHistory.length, 1);
    t.deepEqual((await columnsAndNotes(client)).ts, range(0, 30));

    // Undo the undo: the evolved schema, its history and the nulls of the older row groups come back.
    await client.restoreVersion(key, { generation: 2 });
    const redone = await client.describe(key);
    t.deepEqual(redone.schema?.fields.map((f) => f.name), ["ts", "v", "note"]);
    t.deepEqual(redone.schemaHistory.map((v) => v.addedColumns), [["ts", "v"], ["note"]]);
    t.deepEqual(await columnsAndNotes(client), current);

    // A write after restoring the older schema again needs no schema evolution.
    await client.restoreVersion(key, { generation: 1 });
    await client.write(key, rows(30, 5));
    t.deepEqual((await columnsAndNotes(client)).ts, range(0, 35));

    t.deepEqual((await client.checkStore()).findings, []);
  }),
);

test(
  "the files ListFiles gives for a version of several schemas read in DuckDB by name, nulls filled",
  daemonTest(async (t, { client }) => {
    await client.write(key, rows(0, 30), { orderedOn: "ts", rowGroupTarget: 10 });
    await client.write(key, rows(30, 10, (ts) => `n${ts}`), { schemaEvolution: "add-columns" });
    const listing = await client.listFiles(key);
    try {
      const list = listing.files.map((f) => `'${join(listing.storeDir, f.path).replaceAll("'", "''")}'`).join(", ");
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      try {
        const result = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER, count(note)::INTEGER, min(note), sum(v)::DOUBLE FROM read_parquet([${list}], union_by_name = true)`,
        );
        t.deepEqual(result.getRowsJS(), [[40, 10, "n30", range(0, 40).reduce((a, b) => a + b, 0)]]);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    } finally {
      await listing.lease.release();
    }
  }),
);
