import test from "ava";
import { Table } from "apache-arrow";
import { daemonTest } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";

const values = (table: Table, name: string) => [...table.getChild(name)!];

test(
  "writes cut in chunks at every awkward size, of whole and sliced batches, read back exactly",
  daemonTest(async (t, { client }) => {
    const whole = marketBatch(0, 5000);
    // Batches of odd lengths starting at odd offsets (sliced views: their buffers begin inside the parent's).
    const batches = [whole.slice(0, 1), whole.slice(1, 778), whole.slice(778, 779), whole.slice(779, 3001), whole.slice(3001, 5000)];
    const expected = new Table(batches);
    const bytesPerRow = whole.data.byteLength / whole.numRows;
    const sizes = [1, 7, 24, 100, Math.floor(bytesPerRow), Math.ceil(bytesPerRow * 777), Math.floor(bytesPerRow * 778), 65_536, 4 * 1024 * 1024];
    for (const [i, maxChunkBytes] of sizes.entries()) {
      const key = { symbol: "CH", year: "2024", month: String(i + 1) };
      const result = await client.write(key, batches, { orderedOn: "timestamp", maxChunkBytes });
      t.is(result.totalRows, 5000, `maxChunkBytes ${maxChunkBytes}`);
      const read = await client.read(key);
      for (const field of expected.schema.fields) t.deepEqual(values(read, field.name), values(expected, field.name), `${field.name}, maxChunkBytes ${maxChunkBytes}`);
    }
  }),
);
