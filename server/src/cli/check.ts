import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { CheckReport } from "../../../client/src/index.js";
import { isOupsError, OupsError } from "../store/errors.js";
import { Store } from "../store/store.js";
import { checkReportJson, formatCheckReport, leavesProblems } from "./check-output.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups check`. */
export const checkHelp = `Usage: oups check (--store DIR | --address HOST:PORT [connection flags]) [--repair] [--format text|json]

Checks every dataset of a store against its files: the manifest is valid; every row-group file it lists is
there, a regular file of the listed size that decodes to its end, with the listed row count and min/max of the
ordered column; and nothing else is in the store: orphaned row-group files, temporary files of interrupted
commits, files with invalid names, stray or empty directories, directories that map to no valid key.

With --store, works on the directory itself and takes its lock: the daemon must be stopped (while one runs,
check through it with --address). With --address, the running daemon checks its own store, each key within its
write queue; files it keeps for readers of older generations are listed apart, not as problems.

Exits 0 when the store is clean, 1 when a problem is left (after the repair, with --repair), 2 on a bad
command line.

  --store DIR           store directory to check, with no daemon running (env OUPS_STORE)
  --repair              remove orphaned row-group files, temporary files and empty directories (and
                        nothing else: never a file a manifest lists, never a file of unknown origin);
                        the report says what was removed
  --format text|json    report for people (default), or one JSON object for scripts

${connectionFlagsHelp}

Examples:
  oups check --store ./data
  oups check --address 127.0.0.1:50051 --repair --format json`;

/** `oups check`: checks a store, offline on its directory or through its running daemon; resolves to the exit status. */
export async function check(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    store: { type: "string" },
    ...connectionFlags,
    repair: { type: "boolean" },
    format: { type: "string" },
  });
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got '${format}'`);
  if (values.store !== undefined && values.address !== undefined) throw new UsageError("give --store or --address, not both");
  const repair = values.repair === true;
  let report: CheckReport;
  let where: string;
  const storeDir = values.store ?? (values.address === undefined ? process.env.OUPS_STORE : undefined);
  if (storeDir !== undefined) {
    where = resolve(storeDir);
    report = await checkOffline(where, repair);
  } else {
    if (values.address === undefined && process.env.OUPS_ADDRESS === undefined) {
      throw new UsageError("give --store DIR (daemon stopped) or --address HOST:PORT (daemon running)");
    }
    const connection = await resolveConnection(values);
    where = `the store of the daemon at ${connection.address}`;
    report = await withClient(connection, (client) => client.checkStore({ repair }));
  }
  process.stdout.write(format === "json" ? checkReportJson(report) : formatCheckReport(report, where, repair));
  return leavesProblems(report) ? 1 : 0;
}

/** Checks the store in `dir` directly, holding its lock for the duration. */
async function checkOffline(dir: string, repair: boolean): Promise<CheckReport> {
  // Store.open creates a missing directory: a mistyped path must not become a clean, empty store.
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new OupsError("NOT_FOUND", `store directory ${dir} does not exist`);
  let store: Store;
  try {
    store = await Store.open(dir);
  } catch (err) {
    if (isOupsError(err, "STORE_LOCKED")) {
      throw new OupsError(
        "STORE_LOCKED",
        `${err.message}; while a daemon serves the store, check it through the daemon: oups check --address HOST:PORT`,
        { cause: err },
      );
    }
    throw err;
  }
  try {
    return await store.check({ repair });
  } finally {
    await store.close();
  }
}
