// Reads a dataset with the Node SDK and prints its rows as JSON: node read-dataset.mjs ADDRESS SYMBOL
import { OupsClient } from "@oups-store/oups/client";
import { rowsAsJson } from "./rows-as-json.mjs";

const [address, symbol] = process.argv.slice(2);
const client = new OupsClient(address);
const table = await client.read({ symbol, year: "2023", month: "1" });
console.log(JSON.stringify({ types: table.schema.fields.map((f) => `${f.name}:${f.type}`), rows: rowsAsJson(table) }));
client.close();
