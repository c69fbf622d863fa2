import type { SnapshotScope } from "../../../client/src/index.js";
import { alignedTable } from "./aligned-table.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { formatKey, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups snapshot`. */
export const snapshotHelp = `Usage: oups snapshot create NAME (--key FIELDS... | --prefix FIELDS | --all) [connection flags]
       oups snapshot list [--datasets] [--json] [connection flags]
       oups snapshot rm NAME [connection flags]

A snapshot records the current generation of a set of datasets under a name, atomically with respect to
commits, and keeps those generations' files whatever the retention policy until it is deleted. Read a dataset as
of a snapshot with --snapshot NAME on oups query, describe and files. A dataset a snapshot holds cannot be
removed until the snapshot is deleted.

  NAME                  1 to 128 letters, digits, "-", "_" or ".", not starting with "."
  --key, -k FIELDS      a dataset to hold (repeat -k for several: each -k is one key)
  --prefix FIELDS       every dataset whose key has these field values (symbol=AAPL)
  --all                 every dataset of the store
  --datasets            list each snapshot's datasets and generations too
  --json                one JSON object instead
${connectionFlagsHelp}

Examples:
  oups snapshot create before-backfill --all
  oups snapshot create aapl-2024 --prefix symbol=AAPL,year=2024
  oups snapshot list --datasets
  oups snapshot rm before-backfill`;

/** `oups snapshot`: creates, lists and deletes snapshots. */
export async function snapshot(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      key: { type: "string", short: "k", multiple: true },
      prefix: { type: "string" },
      all: { type: "boolean" },
      datasets: { type: "boolean" },
      json: { type: "boolean" },
      ...connectionFlags,
    },
    true,
  );
  const [action, name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const needName = () => {
    if (name === undefined) throw new UsageError(`oups snapshot ${action} needs a snapshot name`);
    return name;
  };
  switch (action) {
    case "create": {
      const snapshotName = needName();
      const scope = scopeOf(values);
      await withClient(await resolveConnection(values), async (client) => {
        const s = await client.createSnapshot(snapshotName, scope);
        if (values.json) process.stdout.write(`${JSON.stringify({ ...s, createdAt: s.createdAt?.toISOString() ?? null })}\n`);
        else process.stdout.write(`created snapshot ${s.name} of ${s.datasetCount} dataset${s.datasetCount === 1 ? "" : "s"}\n`);
      });
      return;
    }
    case "list": {
      if (name !== undefined) throw new UsageError(`unexpected argument '${name}'`);
      await withClient(await resolveConnection(values), async (client) => {
        const list = await client.listSnapshots({ includeDatasets: values.datasets === true });
        if (values.json) {
          process.stdout.write(`${JSON.stringify({ snapshots: list.map((s) => ({ ...s, createdAt: s.createdAt?.toISOString() ?? null })) })}\n`);
          return;
        }
        const lines =
          list.length === 0 ? ["no snapshots"] : alignedTable(["name", "created", "datasets"], list.map((s) => [s.name, s.createdAt?.toISOString() ?? "", String(s.datasetCount)]), [false, false, true]);
        if (values.datasets) {
          for (const s of list) {
            lines.push("", `${s.name}:`);
            for (const d of s.datasets) lines.push(`  ${formatKey(d.key)}  generation ${d.generation}`);
          }
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      });
      return;
    }
    case "rm": {
      const snapshotName = needName();
      await withClient(await resolveConnection(values), async (client) => {
        await client.deleteSnapshot(snapshotName);
        process.stdout.write(`deleted snapshot ${snapshotName}\n`);
      });
      return;
    }
    default:
      throw new UsageError(action === undefined ? "missing action: create, list or rm" : `unknown action '${action}': create, list or rm`);
  }
}

function scopeOf(values: { key?: string[] | undefined; prefix?: string | undefined; all?: boolean | undefined }): SnapshotScope {
  const given = [values.key !== undefined, values.prefix !== undefined, values.all === true].filter(Boolean).length;
  if (given !== 1) throw new UsageError("give exactly one of --key (repeatable), --prefix or --all: the datasets the snapshot holds");
  if (values.all) return { all: true };
  if (values.prefix !== undefined) return { prefix: parseKeyFlags([values.prefix], "--prefix") };
  return { keys: values.key!.map((k) => parseKeyFlags([k])) };
}
