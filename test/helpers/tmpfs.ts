import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Why a small tmpfs cannot be mounted here (not root, no mount(8)), or undefined when it can: tests of a full or
 * read-only file system need one. Probed once, by mounting and unmounting one.
 */
export const tmpfsUnavailable: string | undefined = (() => {
  const dir = mkdtempSync(join(tmpdir(), "oups-tmpfs-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "pipe" });
    execFileSync("umount", [dir], { stdio: "pipe" });
    return undefined;
  } catch (err) {
    return `mounting a tmpfs failed (${(err as Error).message.split("\n")[0]}): it needs root`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Mounts a tmpfs of `size` (mount(8) syntax: "2m") at `dir`, creating the directory. */
export async function mountTmpfs(dir: string, size: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
}

/** Remounts the tmpfs at `dir` read-only (`ro`) or writable again (`rw`). */
export function remount(dir: string, mode: "ro" | "rw"): void {
  execFileSync("mount", ["-o", `remount,${mode}`, dir], { stdio: "pipe" });
}

/** Unmounts `dir` (lazily when busy, so that a failed test never leaves a mount behind). */
export function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "pipe" });
  }
}

/** A temporary directory for a test's store. */
export function tempStoreDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "oups-fs-test-"));
}

export async function removeStoreDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Why the immutable attribute (`chattr +i`, which refuses changes with EPERM even to root) cannot be set under the
 * temporary directory, or undefined when it can.
 */
export const immutableUnavailable: string | undefined = (() => {
  const dir = mkdtempSync(join(tmpdir(), "oups-chattr-probe-"));
  try {
    execFileSync("chattr", ["+i", dir], { stdio: "pipe" });
    execFileSync("chattr", ["-i", dir], { stdio: "pipe" });
    return undefined;
  } catch (err) {
    return `chattr +i failed (${(err as Error).message.split("\n")[0]}): it needs root and a file system with attributes`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Sets (`+i`) or clears (`-i`) the immutable attribute of `path`. */
export function setImmutable(path: string, on: boolean): void {
  execFileSync("chattr", [on ? "+i" : "-i", path], { stdio: "pipe" });
}
