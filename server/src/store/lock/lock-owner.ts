import { randomBytes } from "node:crypto";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { LOCK_DIR, LOCK_OWNER_FILE } from "../keys/layout.js";
import type { ProcessIdentity } from "./process-identity.js";
import { currentProcessIdentity } from "./process-identity.js";

/** The owner record kept beside the lock directory: who holds it, since when, and which lock directory it is for. */
export interface LockOwner extends ProcessIdentity {
  hostname: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /**
   * Inode and birth time of the lock directory the record describes: a record left by a crashed owner must not
   * be taken for the record of a lock directory made since (by proper-lockfile's own stale takeover, say).
   */
  lockDirId: string;
}

/** A record as read, with its exact text (what a takeover compares when it claims it). */
export interface OwnerRecord {
  owner: LockOwner;
  text: string;
}

/** `<storeDir>/.oups.lock.owner` */
export function ownerFile(storeDir: string): string {
  return join(storeDir, LOCK_OWNER_FILE);
}

/** Identity of the lock directory as it is now, or undefined when there is none. */
export function lockDirId(storeDir: string): Promise<string | undefined> {
  return dirId(join(storeDir, LOCK_DIR));
}

/** Inode and birth time of the directory at `path` (the lock directory, or one renamed from it), or undefined when none. */
export async function dirId(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.ino}:${s.birthtimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** A unique name for this process's temporary files beside the lock: `<base>.<pid>.<random>.<suffix>`. */
export function privateName(storeDir: string, base: string, suffix: string): string {
  return join(storeDir, `${base}.${process.pid}.${randomBytes(6).toString("hex")}.${suffix}`);
}

/** Writes the record of this process as owner of the lock directory `dirId`, atomically (temporary file, rename). */
export async function writeOwnerRecord(storeDir: string, dirId: string): Promise<string> {
  const owner: LockOwner = { ...currentProcessIdentity(), hostname: hostname(), since: new Date().toISOString(), lockDirId: dirId };
  const text = `${JSON.stringify(owner)}\n`;
  const temporary = privateName(storeDir, LOCK_OWNER_FILE, "tmp");
  await writeFile(temporary, text, { flag: "wx" });
  try {
    await rename(temporary, ownerFile(storeDir));
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  return text;
}

/** Reads an owner record at `path`; undefined when missing or not a record (a foreign or truncated file). */
export async function readOwnerRecord(path: string): Promise<OwnerRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const owner = parseOwner(text);
  return owner ? { owner, text } : undefined;
}

function parseOwner(text: string): LockOwner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const nullableString = (x: unknown) => x === null || typeof x === "string";
  if (
    !Number.isSafeInteger(v.pid) ||
    (v.pid as number) <= 0 ||
    typeof v.hostname !== "string" ||
    typeof v.since !== "string" ||
    typeof v.lockDirId !== "string" ||
    !nullableString(v.startTime) ||
    !nullableString(v.bootId)
  ) {
    return undefined;
  }
  return value as LockOwner;
}

/** "pid N on host H since T", as lock errors name the holder. */
export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on host ${owner.hostname} since ${owner.since}`;
}
