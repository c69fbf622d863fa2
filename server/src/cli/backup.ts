import { resolve } from "node:path";
import { backupStoppedStore } from "../store/backup/backup-stopped-store.js";
import { isOupsError, OupsError } from "../store/errors.js";
import { backupThroughDaemon } from "./backup-through-daemon.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups backup`. */
export const backupHelp = `Usage: oups backup (--address HOST:PORT [connection flags] | --store DIR) --to DIR [--format text|json]

Copies a consistent state of the whole store into a new (or empty) directory, which 'oups serve --store DIR'
serves as it is. Row-group files are hard links to the store's when both are on the same file system (they are
immutable: a link costs no space and stays exact), copies otherwise; each dataset gets the manifest of the version
copied, and the store descriptor is written last (a backup without oups-store.json is incomplete). Everything is
flushed to the disk before the command ends. Older versions, snapshots and leases are not copied: the backup holds
one version of each dataset.

With --address, the running daemon keeps serving and committing: a temporary snapshot of every dataset fixes the
version copied (no commit lands while it is taken) and keeps its files on disk during the copy; it is deleted
afterwards, whether the backup succeeded or not. The files are read from the store's directory at the path the
daemon reports: run the backup on the daemon's host.

With --store, works on the directory of a stopped store and takes its lock (as 'oups check --store' does): each
dataset is copied as its current manifest says.

  --to DIR              the backup's directory: created if missing, refused unless empty
  --store DIR           store directory to back up, with no daemon running (env OUPS_STORE)
  --format text|json    report for people (default), or one JSON object for scripts

${connectionFlagsHelp}

Examples:
  oups backup --address 127.0.0.1:50051 --to /backups/oups-2024-06-01
  oups backup --store ./data --to /mnt/other-disk/oups-copy`;

/** `oups backup`: copies a consistent state of a store, through its daemon or from its stopped directory. */
export async function backup(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    store: { type: "string" },
    to: { type: "string" },
    format: { type: "string" },
    ...connectionFlags,
  });
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got '${format}'`);
  if (values.to === undefined || values.to.trim() === "") throw new UsageError("give the backup's directory: --to DIR");
  if (values.store !== undefined && values.address !== undefined) throw new UsageError("give --store or --address, not both");
  const storeDir = values.store ?? (values.address === undefined ? process.env.OUPS_STORE : undefined);
  let report: { target: string; datasets: number; linkedFiles: number; copiedFiles: number; bytes: number; snapshot?: string; snapshotLeft?: string | undefined };
  let source: string;
  if (storeDir !== undefined) {
    source = resolve(storeDir);
    try {
      report = await backupStoppedStore(source, values.to);
    } catch (err) {
      if (isOupsError(err, "STORE_LOCKED")) {
        throw new OupsError("STORE_LOCKED", `${err.message}; while a daemon serves the store, back it up through the daemon: oups backup --address HOST:PORT --to DIR`, { cause: err });
      }
      throw err;
    }
  } else {
    if (values.address === undefined && process.env.OUPS_ADDRESS === undefined) {
      throw new UsageError("give --address HOST:PORT (daemon running) or --store DIR (daemon stopped)");
    }
    const connection = await resolveConnection(values);
    source = `the store of the daemon at ${connection.address}`;
    report = await withClient(connection, (client) => backupThroughDaemon(client, values.to!));
  }
  if (report.snapshotLeft !== undefined) process.stderr.write(`oups backup: the temporary snapshot ${report.snapshotLeft} could not be deleted: delete it with oups snapshot rm\n`);
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const files = report.linkedFiles + report.copiedFiles;
  process.stdout.write(
    `backed up ${source} to ${report.target}: ${report.datasets} datasets, ${files} row-group files ` +
      `(${report.linkedFiles} hard-linked, ${report.copiedFiles} copied), ${report.bytes} bytes\n`,
  );
}
