import { OupsError } from "./store/errors.js";

/** Milliseconds per unit of the forms {@link parseDuration} accepts. */
const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration given to a flag: `500ms`, `30s`, `1.5m`, `2h`, or a plain number of seconds; returns
 * milliseconds (whole). `0` (in any unit) is allowed: callers read it as "off". `source` names the flag and its
 * environment variable in the error, e.g. `--write-idle-timeout (OUPS_WRITE_IDLE_TIMEOUT)`.
 */
export function parseDuration(value: string, source: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) {
    throw new OupsError("INVALID_ARGUMENT", `${source} must be a duration such as 500ms, 30s, 5m, 1h or a number of seconds, got ${JSON.stringify(value)}`);
  }
  const ms = Math.round(Number(match[1]) * MS_PER_UNIT[match[2] ?? "s"]!);
  // setTimeout fires at once past 2^31-1 ms (about 24.8 days): refuse rather than time out immediately.
  if (ms > 2 ** 31 - 1) throw new OupsError("INVALID_ARGUMENT", `${source} must be at most 24 days, got ${JSON.stringify(value)}`);
  return ms;
}

/** A duration in the unit that reads best: `500ms`, `30s`, `5m`, `1.5h`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000 || ms % 1_000 !== 0) return `${ms / 1_000}s`;
  if (ms < 3_600_000 || ms % 60_000 !== 0) return `${ms / 60_000}m`;
  return `${ms / 3_600_000}h`;
}
