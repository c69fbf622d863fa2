#!/usr/bin/env node
import { serve, serveHelp } from "./cli/serve.js";
import { isOupsError } from "./store/errors.js";

interface Command {
  run(args: string[]): Promise<void>;
  help: string;
  summary: string;
}

const commands: Record<string, Command> = {
  serve: { run: serve, help: serveHelp, summary: "run the daemon on a store directory" },
};

const usage = `Usage: oups <command> [options]

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
  const command = commands[name];
  if (!command) {
    process.stderr.write(`oups: unknown command '${name}'\n${usage}\n`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    await command.run(args);
    return 0;
  } catch (err) {
    // One line for the user; the daemon's own log has the details of internal failures.
    const message = isOupsError(err) || err instanceof Error ? err.message : String(err);
    process.stderr.write(`oups ${name}: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
