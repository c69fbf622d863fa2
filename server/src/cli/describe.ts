import type { DatasetDescription } from "../../../client/src/index.js";
import { alignedTable } from "./aligned-table.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { formatBound, toJsonValue } from "./format-value.js";
import { formatKey, keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { parseVersionFlags, versionFlags, versionFlagsHelp } from "./version-args.js";

/** Help text of `oups describe`. */
export const describeHelp = `Usage: oups describe --key FIELDS [--generation N | --as-of TIME | --snapshot NAME] [--json]
                     [connection flags]

Describes a dataset: its ordered column, schema, row and byte counts, generation (commits so far), metadata,
and a table of its row groups in order (file, rows, min and max of the ordered column, bytes).

${keyFlagsHelp}
${versionFlagsHelp}
  --json                one JSON object instead (64-bit integers as strings, timestamps as ISO-8601)
${connectionFlagsHelp}

Example:
  oups describe --key symbol=AAPL,year=2023,month=1`;

/** `oups describe`: prints what a dataset holds. */
export async function describe(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    json: { type: "boolean" },
    ...versionFlags,
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  const version = parseVersionFlags(values);
  await withClient(await resolveConnection(values), async (client) => {
    const [description, schema] = await Promise.all([client.describe(key, { version }), client.getIndexSchema()]);
    const text = values.json
      ? JSON.stringify(describeJson(description))
      : describeText(description, formatKey(description.key, schema));
    process.stdout.write(`${text}\n`);
  });
}

function describeJson(d: DatasetDescription): unknown {
  return {
    key: d.key,
    orderedOn: d.orderedOn,
    schema: d.schema?.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })) ?? [],
    totalRows: d.totalRows,
    totalBytes: d.totalBytes,
    generation: d.generation,
    currentGeneration: d.currentGeneration,
    committedAt: d.committedAt?.toISOString() ?? null,
    currentBytes: d.currentBytes,
    olderVersionsBytes: d.olderVersionsBytes,
    retainedVersions: d.retainedVersions,
    oldestRetainedGeneration: d.oldestRetainedGeneration,
    retention: d.retention,
    metadata: d.metadata,
    rowGroups: d.rowGroups.map((g) => ({ ...g, min: toJsonValue(g.min) ?? null, max: toJsonValue(g.max) ?? null })),
  };
}

function describeText(d: DatasetDescription, key: string): string {
  const lines = [
    `key          ${key}`,
    `ordered on   ${d.orderedOn}`,
    `rows         ${d.totalRows}`,
    `bytes        ${d.totalBytes} (${formatBytes(d.totalBytes)})`,
    `generation   ${d.generation}${d.generation === d.currentGeneration ? "" : ` (current: ${d.currentGeneration})`}`,
    `versions     ${d.retainedVersions} retained (oldest generation ${d.oldestRetainedGeneration}), ${formatBytes(d.olderVersionsBytes)} held only by older ones`,
    "",
    "schema",
  ];
  const fields = d.schema?.fields ?? [];
  const nameWidth = Math.max(0, ...fields.map((f) => f.name.length));
  for (const f of fields) lines.push(`  ${f.name.padEnd(nameWidth)}  ${String(f.type)}${f.nullable ? "" : " not null"}`);
  const names = Object.keys(d.metadata).sort();
  lines.push("", names.length === 0 ? "metadata     (none)" : "metadata");
  for (const name of names) lines.push(`  ${name}=${d.metadata[name]}`);
  lines.push("", `row groups   ${d.rowGroups.length}`);
  if (d.rowGroups.length > 0) {
    const rows = d.rowGroups.map((g, i) => [String(i), g.file, String(g.rows), formatBound(g.min), formatBound(g.max), String(g.bytes)]);
    const table = alignedTable(["#", "file", "rows", "min", "max", "bytes"], rows, [true, false, true, false, false, true]);
    lines.push(...table.map((line) => `  ${line}`));
  }
  return lines.join("\n");
}

/** A byte count with a binary unit, for people. */
function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
