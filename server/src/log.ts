/**
 * The daemon's log: one line per event on stderr, with an ISO timestamp and level, so that it reads well in a
 * terminal and greps well in a file. Errors print their stack and cause chain.
 */
function write(level: string, message: string, err?: unknown): void {
  let line = `${new Date().toISOString()} ${level} ${message}`;
  for (let cause = err; cause !== undefined; cause = cause instanceof Error ? cause.cause : undefined) {
    line += `\n  ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
  }
  process.stderr.write(`${line}\n`);
}

export const log = {
  info: (message: string) => write("INFO", message),
  warn: (message: string, err?: unknown) => write("WARN", message, err),
  error: (message: string, err?: unknown) => write("ERROR", message, err),
};
