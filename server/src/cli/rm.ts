import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { formatKey, keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";

/** Help text of `oups rm`. */
export const rmHelp = `Usage: oups rm --key FIELDS [connection flags]

Deletes a dataset: its rows, row groups and metadata. There is no undo.

${keyFlagsHelp}
${connectionFlagsHelp}

Example:
  oups rm --key symbol=AAPL,year=2023,month=1`;

/** `oups rm`: deletes a dataset. */
export async function rm(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  await withClient(await resolveConnection(values), async (client) => {
    await client.remove(key);
    process.stdout.write(`removed ${formatKey(key)}\n`);
  });
}
