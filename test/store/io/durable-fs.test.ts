import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import type { ExecutionContext } from "ava";
import {
  fsyncDir,
  removeQuietly,
  replaceFileDurable,
  writeFileDurable,
} from "../../../server/src/store/io/durable-fs.js";

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oups-durable-fs-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("writeFileDurable creates a file holding exactly the bytes", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "data.bin");
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  await writeFileDurable(path, data);
  // Buffer.equals rather than deepEqual, which walks megabytes element by element very slowly.
  t.true((await readFile(path)).equals(data));
});

test("writeFileDurable writes only the bytes of a partial view", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "view.bin");
  const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
  await writeFileDurable(path, backing.subarray(2, 5));
  t.deepEqual(new Uint8Array(await readFile(path)), new Uint8Array([1, 2, 3]));
});

test("writeFileDurable refuses to overwrite an existing file and leaves it intact", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "taken.bin");
  await writeFile(path, "precious");
  const err = await t.throwsAsync(writeFileDurable(path, new Uint8Array([1, 2, 3])));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, "EEXIST");
  t.is(await readFile(path, "utf8"), "precious");
});

test("writeFileDurable into a missing directory rejects and creates nothing", async (t) => {
  const dir = await tempDir(t);
  const err = await t.throwsAsync(writeFileDurable(join(dir, "absent", "data.bin"), new Uint8Array([1])));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
  t.deepEqual(await readdir(dir), []);
});

test("replaceFileDurable puts the new file in place of the old one", async (t) => {
  const dir = await tempDir(t);
  const finalPath = join(dir, "metadata");
  const tmpPath = join(dir, "metadata.tmp");
  await writeFileDurable(finalPath, new TextEncoder().encode("old"));
  await writeFileDurable(tmpPath, new TextEncoder().encode("new"));
  await replaceFileDurable(tmpPath, finalPath);
  t.is(await readFile(finalPath, "utf8"), "new");
  t.false(existsSync(tmpPath));
});

test("replaceFileDurable moves a file across directories of one file system", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "staging"));
  const tmpPath = join(dir, "staging", "file");
  const finalPath = join(dir, "file");
  await writeFileDurable(tmpPath, new TextEncoder().encode("moved"));
  await replaceFileDurable(tmpPath, finalPath);
  t.is(await readFile(finalPath, "utf8"), "moved");
  t.deepEqual(await readdir(join(dir, "staging")), []);
});

test("replaceFileDurable of a missing file rejects and leaves the target intact", async (t) => {
  const dir = await tempDir(t);
  const finalPath = join(dir, "metadata");
  await writeFile(finalPath, "kept");
  const err = await t.throwsAsync(replaceFileDurable(join(dir, "absent.tmp"), finalPath));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
  t.is(await readFile(finalPath, "utf8"), "kept");
});

test("fsyncDir flushes an existing directory and rejects a missing one", async (t) => {
  const dir = await tempDir(t);
  await t.notThrowsAsync(fsyncDir(dir));
  const err = await t.throwsAsync(fsyncDir(join(dir, "absent")));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
});

test("removeQuietly removes a file and ignores one that does not exist", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "doomed");
  await writeFile(path, "x");
  await removeQuietly(path);
  t.false(existsSync(path));
  await t.notThrowsAsync(removeQuietly(path));
});

test("removeQuietly still reports failures other than a missing file", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "a-directory"));
  const err = await t.throwsAsync(removeQuietly(join(dir, "a-directory")));
  t.not((err as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
});
