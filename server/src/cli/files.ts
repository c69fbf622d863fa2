import { join } from "node:path";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { toJsonValue } from "./format-value.js";
import { keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";
import { parseVersionFlags, versionFlags, versionFlagsHelp } from "./version-args.js";
import { parseLongDuration } from "../version-config.js";

const FORMATS = ["list", "json", "duckdb"] as const;

/** Help text of `oups files`. */
export const filesHelp = `Usage: oups files --key FIELDS [--generation N | --as-of TIME | --snapshot NAME]
                  [--format list|json|duckdb] [--relative] [--lease-duration DURATION] [connection flags]

Prints the Parquet files of one version of a dataset, in order, for another engine (DuckDB, pyarrow, Spark) to
read while the daemon keeps writing. The daemon keeps them on disk for a lease (default its --lease-duration,
5 minutes): read them within it, or renew the lease (its id is printed) through the SDK. Paths are absolute, on
the daemon's host (its store directory joined with each file's store-relative path), unless --relative.

${keyFlagsHelp}
${versionFlagsHelp}
  --format F            list: one path per line, then the lease on stderr (default)
                        json: generation, rows, files (path, absolutePath, rows, min, max, bytes) and lease
                        duckdb: a ready query, SELECT * FROM read_parquet([...], union_by_name = true)
  --relative            paths relative to the store directory instead of absolute
  --lease-duration D    how long the daemon keeps the files (30s, 5m, 2h)
${connectionFlagsHelp}

Examples:
  oups files --key symbol=AAPL --format duckdb | duckdb
  oups files --key symbol=AAPL --snapshot eod-2024-03-01 --format json`;

/** `oups files`: lists a version's files with a lease on them. */
export async function files(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    ...versionFlags,
    format: { type: "string" },
    relative: { type: "boolean" },
    "lease-duration": { type: "string" },
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  const version = parseVersionFlags(values);
  const format = values.format ?? "list";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`);
  let leaseDurationMs: number | undefined;
  try {
    leaseDurationMs = values["lease-duration"] === undefined ? undefined : parseLongDuration(values["lease-duration"], "--lease-duration");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await withClient(await resolveConnection(values), async (client) => {
    const listing = await client.listFiles(key, { version, leaseDurationMs });
    const pathOf = (path: string) => (values.relative ? path : join(listing.storeDir, path));
    const lease = { id: listing.lease.id, expiresAt: listing.lease.expiresAt?.toISOString() ?? null };
    switch (format) {
      case "json":
        process.stdout.write(
          `${JSON.stringify({
            generation: listing.generation,
            orderedOn: listing.orderedOn,
            totalRows: listing.totalRows,
            storeDir: listing.storeDir,
            files: listing.files.map((f) => ({ ...f, absolutePath: join(listing.storeDir, f.path), min: toJsonValue(f.min) ?? null, max: toJsonValue(f.max) ?? null })),
            lease,
          })}\n`,
        );
        break;
      case "duckdb": {
        const list = listing.files.map((f) => `'${pathOf(f.path).replaceAll("'", "''")}'`).join(", ");
        // An empty version has no file: a query over no file is an error in DuckDB, so say so instead.
        if (listing.files.length === 0) process.stderr.write(`oups files: generation ${listing.generation} has no row group\n`);
        // union_by_name: files written before a schema change (ADD_COLUMNS) lack its columns; DuckDB then fills
        // them with nulls and widens types instead of binding columns by position.
        else process.stdout.write(`SELECT * FROM read_parquet([${list}], union_by_name = true);\n`);
        process.stderr.write(`lease ${lease.id} until ${lease.expiresAt}\n`);
        break;
      }
      default:
        for (const f of listing.files) process.stdout.write(`${pathOf(f.path)}\n`);
        process.stderr.write(`generation ${listing.generation}, ${listing.files.length} files, ${listing.totalRows} rows; lease ${lease.id} until ${lease.expiresAt}\n`);
    }
  });
}
