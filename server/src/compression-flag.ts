import { OupsError } from "./store/errors.js";
import type { Compression } from "./store/io/compression.js";
import { parseCompression } from "./store/io/compression.js";

/** `--compression` (OUPS_COMPRESSION) as a codec, undefined when not given; the message names the flag. */
export function parseCompressionFlag(value: string | undefined): Compression | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCompression(value);
  } catch (err) {
    throw new OupsError("INVALID_ARGUMENT", `--compression (OUPS_COMPRESSION): ${(err as Error).message}`, { cause: err });
  }
}

/** `{ compression }` when one was given, `{}` otherwise (the config lists only settings given). */
export function optionalCompression(compression: Compression | undefined): { compression?: Compression } {
  return compression === undefined ? {} : { compression };
}
