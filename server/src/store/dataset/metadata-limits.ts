import { OupsError } from "../errors.js";

/** Bounds on a dataset's key/value metadata, in UTF-8 bytes. */
export interface MetadataLimits {
  /** Keys a dataset's metadata holds at most. */
  readonly maxKeys: number;
  /** UTF-8 bytes of one key at most. */
  readonly maxKeyBytes: number;
  /** UTF-8 bytes of one value at most. */
  readonly maxValueBytes: number;
  /** UTF-8 bytes of all keys and values together at most. */
  readonly maxTotalBytes: number;
}

/**
 * Defaults: metadata describes a dataset (source, units, a note), it is no place for data. The total bound is the
 * one that matters: Describe, GetMetadata and UpdateMetadata answer with the whole metadata in one gRPC message
 * (64 MiB at most), next to the schema and the row-group list for Describe, so 1 MiB keeps them far below it and
 * below the 4 MiB that other languages' gRPC clients accept by default.
 */
export const DEFAULT_METADATA_LIMITS: MetadataLimits = {
  maxKeys: 1000,
  maxKeyBytes: 256,
  maxValueBytes: 64 * 1024,
  maxTotalBytes: 1024 * 1024,
};

/**
 * Throws `METADATA_TOO_LARGE` (naming the limit and the offending key) when the change from `current` to `next`,
 * which set the keys of `set`, breaks a limit. Key and value bounds apply to the keys set; count and total bounds
 * to the result, unless the change does not grow it: metadata over limits lowered since it was written can always
 * shrink back under them, and a write that leaves it alone is never refused.
 */
export function checkMetadataLimits(
  current: Readonly<Record<string, string>>,
  next: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>> | undefined,
  limits: MetadataLimits,
): void {
  for (const [key, value] of Object.entries(set ?? {})) {
    const keyBytes = utf8Bytes(key);
    if (keyBytes > limits.maxKeyBytes) {
      throw tooLarge(`metadata key ${shown(key)} is ${keyBytes} bytes, over the limit of ${limits.maxKeyBytes} bytes per key`);
    }
    const valueBytes = utf8Bytes(value);
    if (valueBytes > limits.maxValueBytes) {
      throw tooLarge(`metadata value of key ${shown(key)} is ${valueBytes} bytes, over the limit of ${limits.maxValueBytes} bytes per value`);
    }
  }
  const added = Object.keys(next).filter((key) => !Object.hasOwn(current, key));
  const count = Object.keys(next).length;
  if (count > limits.maxKeys && count > Object.keys(current).length) {
    throw tooLarge(`metadata would hold ${count} keys, over the limit of ${limits.maxKeys} keys (adding ${shown(added.at(-1) ?? "")})`);
  }
  const total = totalBytes(next);
  if (total > limits.maxTotalBytes && total > totalBytes(current)) {
    throw tooLarge(
      `metadata would total ${total} bytes of keys and values, over the limit of ${limits.maxTotalBytes} bytes (setting ${shown(largestSet(set, next))})`,
    );
  }
}

/** Validates configured limits: each a positive whole number. */
export function validateMetadataLimits(limits: MetadataLimits): MetadataLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new OupsError("INVALID_ARGUMENT", `metadata limit ${name} must be a positive whole number, got ${String(value)}`);
    }
  }
  return limits;
}

function tooLarge(message: string): OupsError {
  return new OupsError("METADATA_TOO_LARGE", message);
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function totalBytes(metadata: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [key, value] of Object.entries(metadata)) total += utf8Bytes(key) + utf8Bytes(value);
  return total;
}

/** The key set by the change that weighs most: the one to blame when the total is over. */
function largestSet(set: Readonly<Record<string, string>> | undefined, next: Readonly<Record<string, string>>): string {
  let largest = "";
  let largestBytes = -1;
  for (const key of Object.keys(set ?? {})) {
    const bytes = utf8Bytes(key) + utf8Bytes(next[key] ?? "");
    if (bytes > largestBytes) [largest, largestBytes] = [key, bytes];
  }
  return largest;
}

/** A key as a message shows it: quoted, and cut short when long (the message must stay small). */
function shown(key: string): string {
  const cut = [...key];
  return JSON.stringify(cut.length > 64 ? `${cut.slice(0, 64).join("")}…` : key);
}
