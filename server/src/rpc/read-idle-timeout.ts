import { formatDuration } from "../duration.js";
import { OupsError } from "../store/errors.js";
import type { ServiceOptions } from "./typed-service.js";

/**
 * The response idle timeout of `--read-idle-timeout`: a RangeQuery or QueryIntersections whose client reads
 * nothing for `ms` is ended with IDLE_TIMEOUT (DEADLINE_EXCEEDED), naming the method and the flag.
 */
export function readIdleTimeout(ms: number): NonNullable<ServiceOptions["responseIdleTimeout"]> {
  const error = (method: string) =>
    new OupsError("IDLE_TIMEOUT", `the ${method} client read nothing for ${formatDuration(ms)} (the daemon's --read-idle-timeout): the query was ended`);
  return { ms, error };
}
