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
and a table of its row groups in order (file, rows, min and max of the ordered column, bytes). A dataset whose
schema evolved (writes with --schema-evolution add-columns) also shows its schema history: the generation at
which each column appeared or was widened, and the schema version of each row group.

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
    schemaHistory: d.schemaHistory.map((v) => ({
      generation: v.generation,
      schema: v.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
      addedColumns: v.addedColumns,
      widenedColumns: v.widenedColumns,
      rowGroups: v.rowGroups,
    })),
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
  const evolved = d.schemaHistory.length > 1;
  for (const f of fields) {
    const since = evolved ? columnHistory(d, f.name) : "";
    lines.push(`  ${f.name.padEnd(nameWidth)}  ${String(f.type)}${f.nullable ? "" : " not null"}${since}`);
  }
  if (evolved) {
    lines.push("", `schema history   ${d.schemaHistory.length} versions`);
    const rows = d.schemaHistory.map((v, i) => [String(i), String(v.generation), v.addedColumns.join(", ") || "-", v.widenedColumns.join(", ") || "-", String(v.rowGroups)]);
    const table = alignedTable(["#", "generation", "added", "widened", "row groups"], rows, [true, true, false, false, true]);
    lines.push(...table.map((line) => `  ${line}`));
  }
  const names = Object.keys(d.metadata).sort();
  lines.push("", names.length === 0 ? "metadata     (none)" : "metadata");
  for (const name of names) lines.push(`  ${name}=${d.metadata[name]}`);
  lines.push("", `row groups   ${d.rowGroups.length}`);
  if (d.rowGroups.length > 0) {
    const rows = d.rowGroups.map((g, i) => [String(i), g.file, String(g.rows), formatBound(g.min), formatBound(g.max), String(g.bytes), ...(evolved ? [String(g.schemaVersion)] : [])]);
    const headers = ["#", "file", "rows", "min", "max", "bytes", ...(evolved ? ["schema"] : [])];
    const table = alignedTable(headers, rows, [true, false, true, false, false, true, true]);
    lines.push(...table.map((line) => `  ${line}`));
  }
  return lines.join("\n");
}

/** When a column appeared and was widened, as the schema listing says it: `  (since generation 4)`. */
function columnHistory(d: DatasetDescription, name: string): string {
  const added = d.schemaHistory.find((v) => v.addedColumns.includes(name));
  const widened = d.schemaHistory.filter((v) => v.widenedColumns.includes(name)).map((v) => `widened at generation ${v.generation}`);
  const since = added && added !== d.schemaHistory[0] ? [`since generation ${added.generation}`] : [];
  const notes = [...since, ...widened];
  return notes.length > 0 ? `  (${notes.join(", ")})` : "";
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
