import test from "ava";
import type { IndexSchema } from "../../../server/src/store/keys/index-schema.js";
import { indexFieldNames, parseIndexSpec } from "../../../server/src/store/keys/index-schema.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import { compareKeys, keyFromValues } from "../../../server/src/store/keys/key.js";
import type { KeyValues } from "../../../server/src/store/keys/key-tree.js";
import { KeyTree } from "../../../server/src/store/keys/key-tree.js";
import { compileKeyFilter } from "../../../server/src/store/keys/list-keys.js";
import { seededRandom } from "../../helpers/seeded-random.js";

const schemas: IndexSchema[] = [
  parseIndexSpec("symbol,day"),
  // "_" rather than "-" between fields: negative integers are among the values.
  parseIndexSpec("symbol,year:int/month:int", "index", "_"),
  parseIndexSpec("a:int/b/c:int", "index", "_"),
];

/** A random key of `schema` from a small alphabet, so that keys collide and share prefixes often. */
function randomValues(schema: IndexSchema, random: () => number): string[] {
  const strings = ["A", "AA", "B", "a", "Z9", "é", "\u{1F600}"];
  const ints = ["-5", "0", "1", "2", "10", "999", "10000"];
  return indexFieldNames(schema).map((name) => {
    const field = schema.levels.flat().find((f) => f.name === name)!;
    const pool = field.type === "int" ? ints : strings;
    return pool[Math.floor(random() * pool.length)]!;
  });
}

/** The model: a sorted list of keys, filtered and cut by brute force. */
function modelList(schema: IndexSchema, model: Map<string, Key>, filter: Record<string, string>, after: Key | undefined): Key[] {
  return [...model.values()]
    .filter((key) => Object.entries(filter).every(([name, value]) => key[name] === value))
    .filter((key) => after === undefined || compareKeys(schema, key, after) > 0)
    .sort((a, b) => compareKeys(schema, a, b));
}

function treeList(tree: KeyTree, schema: IndexSchema, filter: Record<string, string>, after: Key | undefined, limit = Infinity): Key[] {
  const keys: Key[] = [];
  const afterValues = after === undefined ? undefined : indexFieldNames(schema).map((name) => after[name]!);
  tree.forEach(compileKeyFilter(schema, filter), afterValues, (values) => {
    if (keys.length === limit) return false;
    keys.push(keyFromValues(schema, values));
    return true;
  });
  return keys;
}

function randomFilter(schema: IndexSchema, random: () => number): Record<string, string> {
  const values = randomValues(schema, random);
  const filter: Record<string, string> = {};
  for (const [i, name] of indexFieldNames(schema).entries()) if (random() < 0.3) filter[name] = values[i]!;
  return filter;
}

for (const schema of schemas) {
  const spec = schema.levels.map((level) => level.map((f) => `${f.name}:${f.type}`).join(",")).join("/");

  test(`a key tree (${spec}) lists exactly the model's keys, in order, through random adds and removes, filters and cursors`, (t) => {
    const random = seededRandom(spec.length * 7919);
    const initial = Array.from({ length: 60 }, () => randomValues(schema, random));
    const tree = KeyTree.of(schema, initial);
    const model = new Map<string, Key>();
    const id = (values: KeyValues) => values.join("\u0000");
    for (const values of initial) model.set(id(values), keyFromValues(schema, values));
    t.is(tree.size, model.size);
    for (let step = 0; step < 400; step++) {
      const values = randomValues(schema, random);
      if (random() < 0.55) {
        t.is(tree.add(values), !model.has(id(values)), `add ${values}`);
        model.set(id(values), keyFromValues(schema, values));
      } else {
        t.is(tree.delete(values), model.delete(id(values)), `delete ${values}`);
      }
      t.is(tree.size, model.size);
      t.is(tree.has(values), model.has(id(values)));
      const filter = randomFilter(schema, random);
      // A cursor that may or may not be a key of the tree.
      const after = random() < 0.5 ? undefined : keyFromValues(schema, randomValues(schema, random));
      t.deepEqual(treeList(tree, schema, filter, after), modelList(schema, model, filter, after), `step ${step}: filter ${JSON.stringify(filter)} after ${JSON.stringify(after)}`);
    }
    // Pages of every size put together give the whole listing.
    const whole = modelList(schema, model, {}, undefined);
    for (const size of [1, 2, 3, 7, whole.length]) {
      const pages: Key[] = [];
      let after: Key | undefined;
      for (;;) {
        const page = treeList(tree, schema, {}, after, size);
        pages.push(...page);
        if (page.length < size || page.length === 0) break;
        after = page[page.length - 1];
      }
      t.deepEqual(pages, whole, `pages of ${size}`);
    }
  });
}

test("a key tree built with duplicates holds each key once", (t) => {
  const schema = schemas[1]!;
  const tree = KeyTree.of(schema, [
    ["A", "2024", "1"],
    ["A", "2024", "1"],
    ["A", "2024", "2"],
  ]);
  t.is(tree.size, 2);
  t.deepEqual(treeList(tree, schema, {}, undefined), [keyFromValues(schema, ["A", "2024", "1"]), keyFromValues(schema, ["A", "2024", "2"])]);
});

test("removing a level's last key removes its branch: the level no longer lists it", (t) => {
  const schema = schemas[2]!;
  const tree = KeyTree.of(schema, [["1", "x", "1"]]);
  t.true(tree.delete(["1", "x", "1"]));
  t.false(tree.delete(["1", "x", "1"]));
  t.is(tree.size, 0);
  t.deepEqual(treeList(tree, schema, {}, undefined), []);
  t.true(tree.add(["1", "x", "2"]));
  t.deepEqual(treeList(tree, schema, { a: "1" }, undefined), [keyFromValues(schema, ["1", "x", "2"])]);
});
