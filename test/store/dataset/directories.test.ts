import test from "ava";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Directories } from "../../../server/src/store/dataset/directories.js";
import { OupsError } from "../../../server/src/store/errors.js";
import { digestTree } from "../../helpers/tree-digest.js";

/** A temporary directory holding `store/` (the root) and whatever the test puts beside it; removed afterwards. */
async function withRoot(body: (parent: string, root: string) => Promise<void>): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), "oups-directories-"));
  const root = join(parent, "store");
  await mkdir(root);
  try {
    await body(parent, root);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

test("prune removes the emptied directory and its empty parents, but not the root", async (t) => {
  await withRoot(async (parent, root) => {
    await mkdir(join(root, "A-2023", "1"), { recursive: true });
    await mkdir(join(root, "B-2023", "1"), { recursive: true });
    await new Directories(root).prune(join(root, "A-2023", "1"));
    t.deepEqual(await digestTree(parent), { store: "dir", "store/B-2023": "dir", "store/B-2023/1": "dir" });
  });
});

test("prune never removes a directory beside the root whose path starts like it", async (t) => {
  await withRoot(async (parent, root) => {
    // `/…/store-other` starts with `/…/store`: a prefix test would take it for a directory inside the store.
    await mkdir(join(parent, "store-other", "a", "b"), { recursive: true });
    const before = await digestTree(parent);
    await new Directories(root).prune(join(parent, "store-other", "a", "b"));
    await new Directories(root).prune(join(root, "..", "store-other", "a"));
    t.deepEqual(await digestTree(parent), before);
  });
});

test("prune never removes a directory reached through a symbolic link below the root", async (t) => {
  await withRoot(async (parent, root) => {
    await mkdir(join(parent, "outside", "empty", "deeper"), { recursive: true });
    await symlink(join(parent, "outside"), join(root, "L-2023"));
    const before = await digestTree(parent);
    await new Directories(root).prune(join(root, "L-2023", "empty", "deeper"));
    await new Directories(root).prune(join(root, "L-2023"));
    t.deepEqual(await digestTree(parent), before);
  });
});

test("ensure refuses to create a directory under a symbolic link below the root, creating nothing", async (t) => {
  await withRoot(async (parent, root) => {
    await mkdir(join(parent, "outside"));
    await symlink(join(parent, "outside"), join(root, "L-2023"));
    const before = await digestTree(parent);
    const err = await t.throwsAsync(new Directories(root).ensure(join(root, "L-2023", "1")), { instanceOf: OupsError });
    t.is(err?.code, "CORRUPT_DATASET");
    t.is(err?.message, "L-2023 is a symbolic link; refusing to follow it out of the store");
    t.deepEqual(await digestTree(parent), before);
  });
});

test("ensure refuses a file where a directory belongs", async (t) => {
  await withRoot(async (_parent, root) => {
    await writeFile(join(root, "F-2023"), "a file");
    const err = await t.throwsAsync(new Directories(root).ensure(join(root, "F-2023", "1")), { instanceOf: OupsError });
    t.is(err?.code, "CORRUPT_DATASET");
    t.is(err?.message, "F-2023 is not a directory");
  });
});

test("ensure creates missing directories and accepts existing real ones", async (t) => {
  await withRoot(async (parent, root) => {
    const directories = new Directories(root);
    await directories.ensure(join(root, "A-2023", "1"));
    await directories.ensure(join(root, "A-2023", "2"));
    t.true(await directories.verify(join(root, "A-2023", "1")));
    t.false(await directories.verify(join(root, "A-2023", "3")));
    t.deepEqual(Object.keys(await digestTree(parent)), ["store", "store/A-2023", "store/A-2023/1", "store/A-2023/2"]);
  });
});

test("the root itself may be a symbolic link", async (t) => {
  await withRoot(async (parent, root) => {
    const linked = join(parent, "linked-store");
    await symlink(root, linked);
    const directories = new Directories(linked);
    await directories.ensure(join(linked, "A-2023", "1"));
    t.true(await directories.verify(join(linked, "A-2023", "1")));
    await directories.prune(join(linked, "A-2023", "1"));
    t.deepEqual(Object.keys(await digestTree(root)), []);
  });
});
