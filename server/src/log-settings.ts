import { OupsError } from "./store/errors.js";

/** Levels of `--log-level`, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line, for collectors; `text`: one coloured line per event, for people. */
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** The level named by `value` (`--log-level`, OUPS_LOG_LEVEL); undefined when not given. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return parseChoice(value, LOG_LEVELS, "--log-level (OUPS_LOG_LEVEL)");
}

/** The format named by `value` (`--log-format`, OUPS_LOG_FORMAT); undefined when not given. */
export function parseLogFormat(value: string | undefined): LogFormat | undefined {
  return parseChoice(value, LOG_FORMATS, "--log-format (OUPS_LOG_FORMAT)");
}

/** The format used when none is given: text for a person at a terminal, JSON for a file or a collector. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY ? "text" : "json";
}

function parseChoice<T extends string>(value: string | undefined, choices: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  const choice = value.trim().toLowerCase();
  if ((choices as readonly string[]).includes(choice)) return choice as T;
  throw new OupsError("INVALID_ARGUMENT", `${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(value)}`);
}
