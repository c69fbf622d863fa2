import type { VersionInfo } from "../../../client/src/index.js";
import { alignedTable } from "./aligned-table.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";

/** Help text of `oups versions`. */
export const versionsHelp = `Usage: oups versions --key FIELDS [--json] [connection flags]

Lists the retained versions of a dataset, oldest first, the current one last: generation, commit time, rows,
bytes, what the commit did (write: rows received, row groups rewritten and added; update-metadata; restore: the
generation restored; retention) and the snapshots holding it. Read one with --generation on oups query and oups
describe, undo to one with oups restore.

${keyFlagsHelp}
  --json                one JSON object instead
${connectionFlagsHelp}

Example:
  oups versions --key symbol=AAPL`;

/** `oups versions`: lists a dataset's retained versions. */
export async function versions(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    json: { type: "boolean" },
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  await withClient(await resolveConnection(values), async (client) => {
    const list = await client.listVersions(key);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...list, versions: list.versions.map((v) => ({ ...v, committedAt: v.committedAt?.toISOString() ?? null })) })}\n`);
      return;
    }
    const rows = list.versions.map((v) => [
      `${v.generation}${v.current ? "*" : ""}`,
      v.committedAt?.toISOString() ?? "",
      String(v.totalRows),
      String(v.totalBytes),
      describeChange(v),
      v.snapshots.join(","),
    ]);
    const lines = alignedTable(["generation", "committed", "rows", "bytes", "change", "snapshots"], rows, [true, false, true, true, false, false]);
    const { generations, durationMs } = list.retention;
    lines.push(`* current; retention: the last ${generations} generations, and those replaced less than ${durationMs / 1000} s ago`);
    process.stdout.write(`${lines.join("\n")}\n`);
  });
}

function describeChange(v: VersionInfo): string {
  const c = v.change;
  if (!c) return "";
  switch (c.operation) {
    case "write":
      return `write: ${c.rowsReceived} rows, ${c.rowGroupsRewritten} rewritten, ${c.rowGroupsAdded} added${c.metadataChanged ? ", metadata" : ""}`;
    case "restore":
      return `restore of ${c.restoredFrom}`;
    default:
      return c.operation;
  }
}
