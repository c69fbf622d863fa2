import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { formatKey, orderKeyFields, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";

/** Help text of `oups keys`. */
export const keysHelp = `Usage: oups keys [--filter FIELDS] [--json] [connection flags]

Lists the keys holding a dataset, sorted, one per line as field=value words in the order of the index schema
(symbol=AAPL year=2023 month=1).

  --filter FIELDS       keep the keys with these field values: field=value pairs, comma-separated;
                        repeatable (-f symbol=AAPL -f year=2023)
  --json                one JSON object per line instead ({"symbol":"AAPL","year":"2023","month":"1"};
                        values are always strings, as keys travel)
${connectionFlagsHelp}

Example:
  oups keys --filter symbol=AAPL`;

/** `oups keys`: lists the keys of the datasets of a store. */
export async function keys(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    filter: { type: "string", short: "f", multiple: true },
    json: { type: "boolean" },
    ...connectionFlags,
  });
  const filter = parseKeyFlags(values.filter, "--filter", false);
  await withClient(await resolveConnection(values), async (client) => {
    const [schema, found] = await Promise.all([client.getIndexSchema(), client.listKeys(filter)]);
    const lines = found.map((key) =>
      values.json ? JSON.stringify(Object.fromEntries(orderKeyFields(key, schema))) : formatKey(key, schema),
    );
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
  });
}
