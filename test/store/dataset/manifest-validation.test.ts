import test from "ava";
import type { ExecutionContext } from "ava";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import { OupsError } from "../../../server/src/store/errors.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { KeyFixture } from "../../helpers/engine.js";
import { readAll, rows, sharedStoreTest, span, tableOfRows, writeTable } from "../../helpers/engine.js";
import { digestTree } from "../../helpers/tree-digest.js";

const storeTest = sharedStoreTest();
const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: 4, metadata: { source: "seed" } };

// biome-ignore lint/suspicious/noExplicitAny: a manifest's JSON as read back, mutated freely to break it.
type Json = any;

/** What a case gets: the planted dataset's key and directory, and a directory outside the store. */
interface Planted {
  key: Key;
  dir: string;
  outside: string;
}

/**
 * Writes the test's key (12 rows, 3 row groups), copies its directory to a key the store never touched, with its
 * manifest passed through `tamper`, and runs `body` on that key with a directory outside the store holding
 * `x.parquet` (a valid row-group file: following a name to it would read fine, only a refusal fails).
 */
async function withPlanted(f: KeyFixture, tamper: (json: Json, p: Planted) => Json, body: (p: Planted) => Promise<void>): Promise<void> {
  await writeTable(f.store, f.key, tableOfRows(rows(span(0, 12))), options);
  const key = { symbol: `${f.key.symbol}X` };
  const dir = f.datasetDir(key);
  const outside = await mkdtemp(join(tmpdir(), "oups-outside-"));
  try {
    await cp(f.datasetDir(), dir, { recursive: true });
    const manifestPath = join(dir, "_manifest.json");
    const json = JSON.parse(await readFile(manifestPath, "utf8")) as Json;
    await cp(join(dir, json.rowGroups[0].file as string), join(outside, "x.parquet"));
    const planted = { key, dir, outside };
    const tampered = tamper(json, planted);
    await writeFile(manifestPath, typeof tampered === "string" ? tampered : JSON.stringify(tampered));
    await body(planted);
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
}

/** Every operation on the planted key fails as CORRUPT_DATASET naming the problem; nothing in or out of the store changes. */
async function assertRefused(t: ExecutionContext, f: KeyFixture, p: Planted, message: RegExp): Promise<void> {
  const before = { inside: await digestTree(p.dir), outside: await digestTree(p.outside) };
  const calls: [string, () => Promise<unknown>][] = [
    ["describe", () => f.store.describe(p.key)],
    ["read", () => readAll(f.store, p.key)],
    ["merge", () => writeTable(f.store, p.key, tableOfRows(rows([0, 1, 2, 3, 4, 5, 6, 7, 8])), options)],
    ["updateMetadata", () => f.store.updateMetadata(p.key, { a: "b" }, [])],
    ["remove", () => f.store.remove(p.key)],
  ];
  for (const [name, call] of calls) {
    const err = await t.throwsAsync(call(), { instanceOf: OupsError }, name);
    t.is(err?.code, "CORRUPT_DATASET", `${name}: ${err?.message}`);
    t.regex(err?.message ?? "", new RegExp(`^manifest of ${p.key.symbol} is invalid: ${message.source}`), name);
    t.false(err?.message.includes(f.storeDir), `${name} names no absolute store path`);
  }
  t.deepEqual({ inside: await digestTree(p.dir), outside: await digestTree(p.outside) }, before, "nothing changed");
}

const badFileNames: [string, (p: Planted) => unknown][] = [
  ["a relative path out of the dataset directory", (p) => relative(p.dir, join(p.outside, "x.parquet"))],
  ["an absolute path out of the store", (p) => join(p.outside, "x.parquet")],
  ["/etc/passwd", () => "/etc/passwd"],
  ["a path into a subdirectory", () => "a/b.parquet"],
  ["a name off the row-group pattern", () => "rg-1.parquet"],
  ["a row-group name followed by a path", () => "rg-000000000000.parquet/../../x.parquet"],
  ["the manifest itself", () => "_manifest.json"],
  ["an empty name", () => ""],
  ["a number", () => 7],
];

for (const [what, file] of badFileNames) {
  test(
    `a manifest naming ${what} as a row-group file is corrupt, and nothing in or out of the store is read or deleted`,
    storeTest(async (t, f) => {
      await withPlanted(
        f,
        (json, p) => {
          json.rowGroups[0].file = file(p);
          return json;
        },
        (p) => assertRefused(t, f, p, /row group 0 names file .*, not a row-group file of the dataset's directory/),
      );
    }),
  );
}

const badShapes: [string, (json: Json) => Json, RegExp][] = [
  ["text that is not JSON", () => '{"format":1,', /.+/],
  ["JSON that is not an object", () => '"manifest"', /expected a JSON object, got "manifest"/],
  ["an unknown format", (j) => ({ ...j, format: 2 }), /unknown manifest format 2/],
  ["a negative generation", (j) => ({ ...j, generation: -1 }), /generation must be an integer >= 0, got -1/],
  ["a fractional generation", (j) => ({ ...j, generation: 1.5 }), /generation must be an integer >= 0, got 1\.5/],
  ["no ordered column", (j) => ({ ...j, orderedOn: "" }), /orderedOn must be a column name/],
  ["an ordered column the schema lacks", (j) => ({ ...j, orderedOn: "nope" }), /orderedOn column "nope" is not in the schema/],
  ["a schema that is not text", (j) => ({ ...j, schema: 5 }), /schema must be base64 text or null, got 5/],
  ["an unknown ordinal kind", (j) => ({ ...j, ordinalKind: "date" }), /ordinalKind must be one of number, bigint, string or null, got "date"/],
  ["row groups without a schema", (j) => ({ ...j, schema: null }), /row groups listed without a schema and an ordinal kind/],
  ["row groups that are not a list", (j) => ({ ...j, rowGroups: {} }), /rowGroups must be an array/],
  ["a row group that is not an object", (j) => ({ ...j, rowGroups: [null] }), /row group 0 must be an object, got null/],
  ["a row group of no rows", (j) => withGroup(j, 0, { rows: 0 }), /row group 0 rows must be an integer >= 1, got 0/],
  ["a row count as text", (j) => withGroup(j, 1, { rows: "4" }), /row group 1 rows must be an integer >= 1, got "4"/],
  ["a negative size", (j) => withGroup(j, 2, { bytes: -3 }), /row group 2 bytes must be an integer >= 0, got -3/],
  ["a bound of another kind", (j) => withGroup(j, 0, { min: "abc" }), /row group 0 min "abc" is not a bigint bound/],
  ["a min above the max", (j) => withGroup(j, 0, { min: "3", max: "0" }), /row group 0 has min 3 > max 0/],
  ["row groups out of order", (j) => ({ ...j, rowGroups: [j.rowGroups[1], j.rowGroups[0], j.rowGroups[2]] }), /row groups 0 and 1 are out of order: max 7 > next min 0/],
  ["a file listed twice", (j) => withGroup(j, 1, { file: j.rowGroups[0].file }), /row group 1 names file rg-0+\.parquet again/],
  ["a next file id already used", (j) => ({ ...j, nextFileId: 2 }), /row group 2 names file rg-0+2\.parquet, but nextFileId is 2/],
  ["a negative next file id", (j) => ({ ...j, nextFileId: -1 }), /nextFileId must be an integer >= 0, got -1/],
  ["metadata that is not an object", (j) => ({ ...j, metadata: ["a"] }), /metadata must be an object/],
  ["a metadata value that is not text", (j) => ({ ...j, metadata: { source: 5 } }), /metadata value of "source" must be a string, got 5/],
];

function withGroup(json: Json, i: number, changes: Record<string, unknown>): Json {
  json.rowGroups[i] = { ...json.rowGroups[i], ...changes };
  return json;
}

for (const [what, tamper, message] of badShapes) {
  test(
    `a manifest with ${what} is corrupt, named in the message, and nothing changes`,
    storeTest(async (t, f) => {
      await withPlanted(f, tamper, (p) => assertRefused(t, f, p, message));
    }),
  );
}

test(
  "an untampered copy of a manifest loads (the cases above fail only by what they change)",
  storeTest(async (t, f) => {
    await withPlanted(
      f,
      (json) => json,
      async (p) => {
        t.is((await f.store.describe(p.key)).totalRows, 12);
      },
    );
  }),
);
