/**
 * A command line the command cannot run with: an unknown or malformed flag, a missing argument. `oups` reports it
 * on one line and exits with status 2, apart from the failures of a command that did run (status 1).
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** True for a {@link UsageError}, or for the errors `parseArgs` of node:util throws on a bad command line. */
export function isUsageError(err: unknown): err is Error {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
