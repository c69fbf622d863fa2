// Writes a dataset with the Node SDK and prints its rows as JSON: node write-dataset.mjs ADDRESS SYMBOL
import { OupsClient } from "@oups-store/oups/client";
import { tableFromArrays, vectorFromArray, Dictionary, Utf8, Int32, TimestampMillisecond, Int64, Float64, Bool } from "apache-arrow";
import { rowsAsJson } from "./rows-as-json.mjs";

const [address, symbol] = process.argv.slice(2);
const client = new OupsClient(address);
const n = 7;
const table = tableFromArrays({
  ts: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2023, 0, 2, 9, 30 + i)), new TimestampMillisecond()),
  i64: vectorFromArray([-(2n ** 63n), 2n ** 63n - 1n, 0n, null, -1n, 42n, 7n], new Int64()),
  f64: vectorFromArray([1.5, -0, Infinity, null, 1e300, -2.25, 3], new Float64()),
  text: vectorFromArray(["a", "", null, "é", "\u{1F600}", "\uFFFF", "z"], new Utf8()),
  dict: vectorFromArray(["x", "y", null, "x", "z", "y", "x"], new Dictionary(new Utf8(), new Int32())),
  flag: vectorFromArray([true, false, null, true, true, false, true], new Bool()),
});
const key = { symbol, year: "2023", month: "1" };
await client.write(key, table, { orderedOn: "ts" });
console.log(JSON.stringify(rowsAsJson(await client.read(key))));
client.close();
