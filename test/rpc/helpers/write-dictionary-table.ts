/**
 * Run as a child process by the dictionary-id tests: another process, with apache-arrow's dictionary counter in
 * a state of its own, writes rows through the SDK. Arguments: daemon address, key as JSON, ids to burn first,
 * first row, last row (exclusive), row-group target.
 * @module
 */
import { OupsClient } from "../../../client/src/index.js";
import { burnDictionaryIds, dictionaryTable } from "./dictionary-tables.js";

const [address, keyJson, burn, first, end, target] = process.argv.slice(2);
burnDictionaryIds(Number(burn));
const rows = Array.from({ length: Number(end) - Number(first) }, (_, i) => Number(first) + i);
const client = new OupsClient(address);
try {
  await client.write(JSON.parse(keyJson!) as Record<string, string>, dictionaryTable(rows, { kind: "ids" }), {
    orderedOn: "ts",
    rowGroupTarget: Number(target),
  });
} finally {
  client.close();
}
