import type { OupsClient } from "../../../client/src/index.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs, parsePairs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups meta`. */
export const metaHelp = `Usage: oups meta get --key FIELDS [--json] [connection flags]
       oups meta set --key FIELDS [NAME=VALUE]... [--remove NAME]... [--json] [connection flags]

get prints a dataset's key/value metadata, one NAME=VALUE per line, sorted by name ("no metadata" on stderr
when it has none).
set adds or replaces the NAME=VALUE pairs given and removes the --remove names, in one commit, then prints
the metadata as get does.

${keyFlagsHelp}
  --remove NAME         (set) metadata name to remove; repeatable
  --json                print the metadata as one JSON object
${connectionFlagsHelp}

Examples:
  oups meta get --key symbol=AAPL,year=2023,month=1
  oups meta set --key symbol=AAPL,year=2023,month=1 source=feed-a --remove draft`;

/** `oups meta get|set`: reads or changes a dataset's metadata. */
export async function meta(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action !== "get" && action !== "set") {
    throw new UsageError(action === undefined ? "missing action: get or set" : `unknown action '${action}': expected get or set`);
  }
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      key: { type: "string", short: "k", multiple: true },
      remove: { type: "string", multiple: true },
      json: { type: "boolean" },
      ...connectionFlags,
    },
    true,
  );
  const key = parseKeyFlags(values.key);
  let run: (client: OupsClient) => Promise<Record<string, string>>;
  if (action === "get") {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.remove !== undefined) throw new UsageError("--remove is for 'oups meta set'");
    run = (client) => client.getMetadata(key);
  } else {
    const set = parsePairs(positionals, "meta set");
    const remove = values.remove ?? [];
    if (positionals.length === 0 && remove.length === 0) {
      throw new UsageError("nothing to set: give NAME=VALUE pairs or --remove NAME");
    }
    run = (client) => client.updateMetadata(key, { set, remove });
  }
  const metadata = await withClient(await resolveConnection(values), run);
  const names = Object.keys(metadata).sort();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(names.map((n) => [n, metadata[n]])))}\n`);
  } else if (names.length > 0) {
    process.stdout.write(`${names.map((n) => `${n}=${metadata[n]}`).join("\n")}\n`);
  } else {
    // On stderr: stdout stays one NAME=VALUE line per name, none here, for scripts that read it.
    process.stderr.write("no metadata\n");
  }
}
