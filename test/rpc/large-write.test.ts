import test from "ava";
import { daemonTest } from "../helpers/with-daemon.js";
import { columnValues, firstDifference, marketBatch, marketBatches, marketSchema } from "./helpers/market-data.js";

const key = { symbol: "MKT", year: "2024", month: "1" };
const ROWS = 1_000_000;
const BATCH_ROWS = 64 * 1024;

test(
  "a million rows streamed in 64K-row batches from an async generator read back identical",
  daemonTest(async (t, { client }) => {
    const result = await client.write(key, marketBatches(ROWS, BATCH_ROWS), { orderedOn: "timestamp" });
    t.is(result.rowsReceived, ROWS);
    t.is(result.totalRows, ROWS);
    t.is(result.generation, 1);

    const back = await client.read(key);
    t.is(back.numRows, ROWS);
    t.deepEqual(
      back.schema.fields.map((f) => [f.name, String(f.type)]),
      marketSchema.fields.map((f) => [f.name, String(f.type)]),
    );
    const expected = marketBatch(0, ROWS);
    for (const name of ["timestamp", "symbol", "price", "qty"]) {
      t.is(firstDifference(columnValues(back, name), columnValues(expected, name)), -1, `column ${name}`);
    }
    const description = await client.describe(key);
    t.is(description.totalRows, ROWS);
    t.is(
      description.rowGroups.reduce((n, g) => n + g.rows, 0),
      ROWS,
    );
  }),
);
