import type { Version } from "../../../client/src/index.js";
import { parseIsoTimestamp } from "./parse-iso-timestamp.js";
import { UsageError } from "./usage-error.js";

/** parseArgs options of the version flags. */
export const versionFlags = {
  generation: { type: "string" },
  "as-of": { type: "string" },
  snapshot: { type: "string" },
} as const;

/** Help lines of the version flags, shared by the commands that read a version. */
export const versionFlagsHelp = `  --generation N        read generation N (see oups versions) instead of the current one
  --as-of TIME          read the generation that was current at TIME (ISO-8601; UTC without a zone)
  --snapshot NAME       read the generation snapshot NAME recorded`;

/** The version the flags name (at most one of them), or undefined for the current one. */
export function parseVersionFlags(values: { generation?: string | undefined; "as-of"?: string | undefined; snapshot?: string | undefined }): Version | undefined {
  const given = [values.generation, values["as-of"], values.snapshot].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError("give at most one of --generation, --as-of and --snapshot");
  if (values.generation !== undefined) {
    const n = Number(values.generation);
    if (!/^\d+$/.test(values.generation) || !Number.isSafeInteger(n)) throw new UsageError(`--generation must be a whole number, got '${values.generation}'`);
    return { generation: n };
  }
  if (values["as-of"] !== undefined) {
    const ms = parseIsoTimestamp(values["as-of"]);
    if (ms === undefined) throw new UsageError(`--as-of must be an ISO-8601 date or date-time (2024-03-01T09:30:00Z), got '${values["as-of"]}'`);
    return { asOf: new Date(ms) };
  }
  if (values.snapshot !== undefined) return { snapshot: values.snapshot };
  return undefined;
}
