import { readFile } from "node:fs/promises";
import { errnoOf } from "../../store/io/fs-error.js";
import { OupsError } from "../../store/errors.js";

/**
 * Reads a file named on the command line (`what` names its flag or role, e.g. "--tls-key"), failing with a one-line
 * INVALID_ARGUMENT that says why in words, without Node's wording. The content never appears in a message.
 */
export async function readConfigFile(what: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new OupsError("INVALID_ARGUMENT", `cannot read ${what} ${file}: ${reasonOf(err)}`, { cause: err });
  }
}

function reasonOf(err: unknown): string {
  const code = errnoOf(err);
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return code ?? "unknown error";
}
