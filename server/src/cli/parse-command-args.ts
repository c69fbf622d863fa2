import type { ParseArgsConfig } from "node:util";
import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What {@link parseCommandArgs} returns: the `values` and `positionals` of `parseArgs`, typed by the options. */
export type ParsedCommandArgs<O extends Options, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: P; strict: true }>
>;

/**
 * `parseArgs` of node:util in strict mode, with its errors turned into one-line {@link UsageError}s naming the
 * flag (node's own messages can span several lines).
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  args: string[],
  options: O,
  allowPositionals?: P,
): ParsedCommandArgs<O, P> {
  try {
    return parseArgs({ args, options, allowPositionals: allowPositionals ?? (false as P), strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw err;
    const firstLine = (err as Error).message.split("\n")[0] ?? "";
    // Node names an option with a short alias as '-k, --key <value>': name the long form.
    const name = /'(?:-\w, )?(--?[\w-]+)/.exec(firstLine)?.[1];
    const positional = /^Unexpected argument '([^']*)'/.exec(firstLine)?.[1];
    let message: string;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") message = `unknown option ${name ?? firstLine}`;
    else if (positional !== undefined) message = `unexpected argument '${positional}'`;
    else if (/does not take an argument/.test(firstLine)) message = `option ${name} takes no value`;
    else if (name !== undefined) message = `option ${name} needs a value`;
    else message = firstLine;
    throw new UsageError(message, { cause: err });
  }
}

/** Splits a comma-separated list flag (`a,b,c`), dropping empty items. */
export function splitList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parses a non-negative integer flag, or throws a {@link UsageError} naming `flag`. */
export function parseCount(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} expects a non-negative integer, got '${text}'`);
  }
  return Number(text);
}

/**
 * Parses `name=value` pairs (each item of `items`; the value may contain `=`) into a record, or throws a
 * {@link UsageError} naming `flag`.
 */
export function parsePairs(items: readonly string[], flag: string): Record<string, string> {
  const entries = items.map((item): [string, string] => {
    const eq = item.indexOf("=");
    const name = eq < 0 ? "" : item.slice(0, eq).trim();
    if (name.length === 0) throw new UsageError(`${flag} expects name=value, got '${item}'`);
    return [name, item.slice(eq + 1)];
  });
  // fromEntries defines own properties, so a name like "__proto__" cannot reach the prototype.
  return Object.fromEntries(entries);
}
