#!/usr/bin/env node
import { isUsageError } from "./cli/usage-error.js";
import { isOupsError } from "./store/errors.js";

/** A command's entry point and help text, as its module exports them. */
interface CommandModule {
  /** Resolves to the exit status, or to nothing for 0. */
  run(args: string[]): Promise<number | void>;
  help: string;
}

interface Command {
  summary: string;
  // Loaded on demand: a client command need not load the storage engine (nor serve the CLI commands' code).
  load(): Promise<CommandModule>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: "run the daemon on a store directory",
    load: async () => {
      const m = await import("./cli/serve.js");
      return { run: m.serve, help: m.serveHelp };
    },
  },
  init: {
    summary: "declare a store's index schema (on the directory, no daemon)",
    load: async () => {
      const m = await import("./cli/init.js");
      return { run: m.init, help: m.initHelp };
    },
  },
  keys: {
    summary: "list the keys of the datasets",
    load: async () => {
      const m = await import("./cli/keys.js");
      return { run: m.keys, help: m.keysHelp };
    },
  },
  describe: {
    summary: "show a dataset's schema, row groups and metadata",
    load: async () => {
      const m = await import("./cli/describe.js");
      return { run: m.describe, help: m.describeHelp };
    },
  },
  write: {
    summary: "merge a Parquet, Arrow or CSV file into a dataset",
    load: async () => {
      const m = await import("./cli/write.js");
      return { run: m.write, help: m.writeHelp };
    },
  },
  query: {
    summary: "read a range of a dataset as a table, CSV, Parquet or Arrow",
    load: async () => {
      const m = await import("./cli/query.js");
      return { run: m.query, help: m.queryHelp };
    },
  },
  meta: {
    summary: "get or set a dataset's metadata",
    load: async () => {
      const m = await import("./cli/meta.js");
      return { run: m.meta, help: m.metaHelp };
    },
  },
  rm: {
    summary: "delete a dataset",
    load: async () => {
      const m = await import("./cli/rm.js");
      return { run: m.rm, help: m.rmHelp };
    },
  },
  versions: {
    summary: "list a dataset's retained versions",
    load: async () => {
      const m = await import("./cli/versions.js");
      return { run: m.versions, help: m.versionsHelp };
    },
  },
  restore: {
    summary: "make an older version of a dataset current again",
    load: async () => {
      const m = await import("./cli/restore.js");
      return { run: m.restore, help: m.restoreHelp };
    },
  },
  snapshot: {
    summary: "create, list or delete snapshots of datasets",
    load: async () => {
      const m = await import("./cli/snapshot.js");
      return { run: m.snapshot, help: m.snapshotHelp };
    },
  },
  files: {
    summary: "print the Parquet files of a version, leased, for DuckDB or pyarrow",
    load: async () => {
      const m = await import("./cli/files.js");
      return { run: m.files, help: m.filesHelp };
    },
  },
  backup: {
    summary: "copy a consistent state of the store to a new directory (hard links where possible)",
    load: async () => {
      const m = await import("./cli/backup.js");
      return { run: m.backup, help: m.backupHelp };
    },
  },
  check: {
    summary: "check every dataset against its files; --repair removes orphans",
    load: async () => {
      const m = await import("./cli/check.js");
      return { run: m.check, help: m.checkHelp };
    },
  },
};

const usage = `Usage: oups <command> [options]
       oups --version

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run 'oups <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-V") {
    const { VERSION } = await import("./version.js");
    process.stdout.write(`oups ${VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`oups: unknown command '${name}'\n${usage}\n`);
    return 2;
  }
  const { run, help } = await command.load();
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  try {
    return (await run(args)) ?? 0;
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`oups ${name}: ${err.message} (see 'oups ${name} --help')\n`);
      return 2;
    }
    // One line for the user; the daemon's own log has the details of internal failures.
    const message = isOupsError(err) || err instanceof Error ? err.message : String(err);
    process.stderr.write(`oups ${name}: ${firstLine(message)}\n`);
    return 1;
  }
}

function firstLine(message: string): string {
  const [first = "", ...rest] = message.trim().split("\n");
  return rest.length > 0 ? `${first.trimEnd()} …` : first;
}

process.exitCode = await main(process.argv.slice(2));
