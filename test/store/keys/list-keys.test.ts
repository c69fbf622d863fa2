import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutionContext } from "ava";
import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { IndexSchema } from "../../../server/src/store/keys/index-schema.js";
import { parseIndexSpec } from "../../../server/src/store/keys/index-schema.js";
import { keyToPath } from "../../../server/src/store/keys/key.js";
import { MANIFEST_FILE } from "../../../server/src/store/keys/layout.js";
import { listKeys } from "../../../server/src/store/keys/list-keys.js";

const nested = parseIndexSpec("symbol,year:int/month:int");

async function tempStore(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "oups-list-keys-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function addDataset(storeDir: string, relPath: string): Promise<void> {
  await mkdir(join(storeDir, relPath), { recursive: true });
  await writeFile(join(storeDir, relPath, MANIFEST_FILE), "{}");
}

async function paths(storeDir: string, schema: IndexSchema, filter?: Record<string, string>): Promise<string[]> {
  return (await listKeys(storeDir, schema, filter)).map((key) => keyToPath(schema, key));
}

test("listKeys finds toplevel-only datasets", async (t) => {
  const dir = await tempStore(t);
  const schema = parseIndexSpec("city,kind");
  await addDataset(dir, "paris-temperature");
  await addDataset(dir, "london-pressure");
  t.deepEqual(await listKeys(dir, schema), [
    { city: "london", kind: "pressure" },
    { city: "paris", kind: "temperature" },
  ]);
});

test("listKeys skips stray folders, files, hidden entries, symlinks and folders without manifest", async (t) => {
  const dir = await tempStore(t);
  await addDataset(dir, "AAPL-2024/3");
  // Stray or incomplete entries, each at a depth where a key could be.
  await mkdir(join(dir, "AAPL-2024", "4")); // no manifest
  await addDataset(dir, "AAPL-2024/05"); // non-canonical int
  await addDataset(dir, "AAPL-2024/3-1"); // extra piece
  await addDataset(dir, "AAPL/3"); // missing piece
  await addDataset(dir, "forgotten dir/3"); // wrong number of pieces
  await addDataset(dir, "AAPL-2024/3/7"); // too deep (inside a dataset)
  await addDataset(dir, ".hidden-2024/3");
  await addDataset(dir, "AAPL-2024/.7");
  await addDataset(dir, "MSFT-2024"); // too shallow
  await mkdir(join(dir, ".oups.lock"));
  await writeFile(join(dir, "oups-store.json"), "{}");
  await writeFile(join(dir, "IBM-2024"), "a file where a level directory would be");
  await symlink(join(dir, "AAPL-2024"), join(dir, "LINK-2024"));
  t.deepEqual(await paths(dir, nested), ["AAPL-2024/3"]);
});

test("listKeys returns nothing for a missing store directory", async (t) => {
  const dir = await tempStore(t);
  t.deepEqual(await listKeys(join(dir, "absent"), nested), []);
});

test("listKeys sorts ints numerically level by level", async (t) => {
  const dir = await tempStore(t);
  for (const path of ["b-2/1", "a-10/2", "a-2/10", "a-2/2", "B-1/1", "a-10/1"]) await addDataset(dir, path);
  t.deepEqual(await paths(dir, nested), ["B-1/1", "a-2/2", "a-2/10", "a-10/1", "a-10/2", "b-2/1"]);
});

const filterCases: [title: string, filter: Record<string, string>, expected: string[]][] = [
  ["a prefix field", { symbol: "a" }, ["a-2/2", "a-2/10", "a-10/1"]],
  ["a full prefix level", { symbol: "a", year: "2" }, ["a-2/2", "a-2/10"]],
  ["the full key", { symbol: "a", year: "2", month: "10" }, ["a-2/10"]],
  ["a non-prefix field of the first level", { year: "2" }, ["a-2/2", "a-2/10", "b-2/2"]],
  ["a field of the last level only", { month: "2" }, ["a-2/2", "b-2/2"]],
  ["a non-contiguous subset", { symbol: "b", month: "2" }, ["b-2/2"]],
  ["values with no match", { symbol: "zzz" }, []],
  ["a full key with no dataset", { symbol: "a", year: "10", month: "2" }, []],
  ["an empty filter", {}, ["a-2/2", "a-2/10", "a-10/1", "b-2/2"]],
];

for (const [title, filter, expected] of filterCases) {
  test(`listKeys filters on ${title}`, async (t) => {
    const dir = await tempStore(t);
    for (const path of ["a-2/2", "a-2/10", "a-10/1", "b-2/2"]) await addDataset(dir, path);
    t.deepEqual(await paths(dir, nested, filter), expected);
  });
}

test("listKeys does not follow a symlink named by a full filter", async (t) => {
  const dir = await tempStore(t);
  await addDataset(dir, "a-2/2");
  await symlink(join(dir, "a-2"), join(dir, "b-2"));
  t.deepEqual(await paths(dir, nested, { symbol: "b", year: "2" }), []);
});

test("listKeys lists no key through a symbolic link to a dataset outside the store, at any level", async (t) => {
  const dir = await tempStore(t);
  const outside = await tempStore(t);
  await addDataset(dir, "a-2/2");
  await addDataset(outside, "x/3");
  await addDataset(outside, "y/3");
  await symlink(join(outside, "x", "3"), join(dir, "a-2", "3")); // a dataset directory
  await symlink(join(outside, "y"), join(dir, "b-2")); // a parent key directory
  t.deepEqual(await paths(dir, nested), ["a-2/2"]);
  t.deepEqual(await paths(dir, nested, { symbol: "a", year: "2", month: "3" }), []);
  t.deepEqual(await paths(dir, nested, { symbol: "b", year: "2", month: "3" }), []);
});

const badFilters: [title: string, filter: Record<string, string>, field: string][] = [
  ["an unknown field", { day: "1" }, "day"],
  ["a non-canonical int", { year: "02" }, "year"],
  ["a value with a slash", { symbol: "../a" }, "symbol"],
  ["an empty value", { symbol: "" }, "symbol"],
];

for (const [title, filter, field] of badFilters) {
  test(`listKeys rejects a filter with ${title}`, async (t) => {
    const dir = await tempStore(t);
    const err = await t.throwsAsync(listKeys(dir, nested, filter), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_KEY");
    t.true(err?.message.includes(`"${field}"`), err?.message);
  });
}

test("listKeys asks isDataset about each candidate key directory", async (t) => {
  const dir = await tempStore(t);
  await mkdir(join(dir, "a-1", "1"), { recursive: true });
  await mkdir(join(dir, "a-1", "2"), { recursive: true });
  const asked: string[] = [];
  const keys = await listKeys(dir, nested, undefined, async (datasetDir) => {
    asked.push(datasetDir);
    return datasetDir.endsWith("2");
  });
  t.deepEqual(asked.sort(), [join(dir, "a-1", "1"), join(dir, "a-1", "2")]);
  t.deepEqual(keys, [{ symbol: "a", year: "1", month: "2" }]);
});

test("listKeys over more entries than one slice of the walk finds exactly the datasets, skipping dot-names, files and folders without manifest, and lets the event loop turn", async (t) => {
  const dir = await tempStore(t);
  const schema = parseIndexSpec("symbol,day:int");
  const expected: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const name = `S${i}-${i % 7}`;
    if (i % 10 === 3) await mkdir(join(dir, name)); // an interrupted first write: no manifest
    else if (i % 10 === 5) await writeFile(join(dir, name), "a file"); // not a directory
    else {
      await addDataset(dir, name);
      expected.push(name);
    }
  }
  // The engine's own names beside the keys, and inside a key directory.
  for (const hidden of [".versions", ".snapshots", ".tmp-S1-1-123", ".oups.lock"]) await addDataset(dir, hidden);
  await addDataset(dir, "S0-0/.versions");
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const listed = await paths(dir, schema);
  clearInterval(ticker);
  t.deepEqual(listed.sort(), expected.sort());
  t.true(turns > 0, "timers ran while the walk went on");
});
