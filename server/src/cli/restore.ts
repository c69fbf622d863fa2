import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { formatKey, keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";
import { parseVersionFlags, versionFlags, versionFlagsHelp } from "./version-args.js";

/** Help text of `oups restore`. */
export const restoreHelp = `Usage: oups restore --key FIELDS (--generation N | --as-of TIME | --snapshot NAME) [connection flags]

Makes an older version of a dataset current again: commits a new generation whose rows and metadata equal that
version's. The restore is a commit like any other, so it can itself be undone (restore the generation before it).

${keyFlagsHelp}
${versionFlagsHelp}
${connectionFlagsHelp}

Example:
  oups restore --key symbol=AAPL --generation 41`;

/** `oups restore`: commits an older version again. */
export async function restore(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    ...versionFlags,
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  const version = parseVersionFlags(values);
  if (!version) throw new UsageError("missing --generation, --as-of or --snapshot: which version to restore");
  await withClient(await resolveConnection(values), async (client) => {
    const r = await client.restoreVersion(key, version);
    process.stdout.write(`restored generation ${r.restoredGeneration} of ${formatKey(key)} as generation ${r.generation} (${r.totalRows} rows)\n`);
  });
}
