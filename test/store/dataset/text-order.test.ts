import test from "ava";
import type { Table } from "apache-arrow";
import { Dictionary, Float64, Int32, Utf8 } from "apache-arrow";
import { isOupsError } from "../../../server/src/store/errors.js";
import type { RangeQuery } from "../../../server/src/store/store.js";
import { batchesOf, columnTable, readAll, sharedStoreTest, writeTable } from "../../helpers/engine.js";

// Code point (UTF-8 byte) order, as pyarrow sorts them: "\uFFFF" (EF BF BF) < "\u{1F600}" (F0 9F 98 80).
// JavaScript's `<` compares UTF-16 units and puts the surrogate pair of U+1F600 (D83D DE00) before U+FFFF.
const A = "a";
const MAX_BMP = "\uffff";
const EMOJI = "\u{1f600}";
const EMOJI_Z = "\u{1f600}z";
const codePointOrder = [A, MAX_BMP, EMOJI, EMOJI_Z];

const sharedTest = sharedStoreTest();
const uncachedTest = sharedStoreTest({ rowGroupCacheBytes: 0 });

const text = (keys: readonly string[], v: readonly number[] = keys.map((_, i) => i)): Table =>
  columnTable({ k: { type: new Utf8(), values: [...keys] }, v: { type: new Float64(), values: [...v] } });

const keysOf = (table: Table): string[] => [...table.getChild("k")!].map(String);
const str = (value: string) => ({ kind: "string" as const, value });

test(
  "text written in code point order is accepted, stored in that order and described with those bounds",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text(codePointOrder), { orderedOn: "k", rowGroupTarget: 1 });
    t.deepEqual(keysOf(await readAll(store, key)), codePointOrder);
    t.deepEqual((await store.describe(key)).rowGroups.map((g) => g.min), codePointOrder);
  }),
);

test(
  "text in UTF-16 order but not in code point order is refused with UNORDERED_INPUT, and nothing is stored",
  sharedTest(async (t, { store, key }) => {
    const err = await t.throwsAsync(writeTable(store, key, text([A, EMOJI, MAX_BMP]), { orderedOn: "k" }));
    t.true(isOupsError(err, "UNORDERED_INPUT"), String(err));
    t.regex(err!.message, /rows not ordered on "k": batch 1, row 3 /);
    t.true(isOupsError(await store.describe(key).catch((e: unknown) => e), "NOT_FOUND"));
  }),
);

test(
  "text out of code point order across two batches is refused with UNORDERED_INPUT",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text([A]), { orderedOn: "k" });
    const err = await t.throwsAsync(writeTable(store, key, text([A, EMOJI, MAX_BMP]), { orderedOn: "k" }, 2));
    t.true(isOupsError(err, "UNORDERED_INPUT"), String(err));
    t.deepEqual(keysOf(await readAll(store, key)), [A]);
  }),
);

const rangeCases: [string, RangeQuery, string[]][] = [
  ["[\\uFFFF, \\u{1F600})", { start: str(MAX_BMP), end: str(EMOJI) }, [MAX_BMP]],
  ["[\\u{1F600}, open)", { start: str(EMOJI) }, [EMOJI, EMOJI_Z]],
  ["[open, \\u{1F600}]", { end: str(EMOJI), endInclusive: true }, [A, MAX_BMP, EMOJI]],
  ["[\\uFFFF, \\uFFFF]", { start: str(MAX_BMP), end: str(MAX_BMP), endInclusive: true }, [MAX_BMP]],
  ["[\\uE000, \\u{10000})", { start: str("\ue000"), end: str("\u{10000}") }, [MAX_BMP]],
];
for (const [name, fixtureTest] of [["", sharedTest], [" (no row-group cache)", uncachedTest]] as const) {
  for (const [range, query, expected] of rangeCases) {
    test(
      `a range ${range} of a text column selects rows by code point${name}`,
      fixtureTest(async (t, { store, key }) => {
        // Row groups of two rows: the range both skips row groups on their bounds and cuts inside them.
        await writeTable(store, key, text(codePointOrder), { orderedOn: "k", rowGroupTarget: 2 });
        t.deepEqual(keysOf(await readAll(store, key, query)), expected);
      }),
    );
  }
}

test(
  "a start after the end on a text column is compared by code point",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text(codePointOrder), { orderedOn: "k" });
    const err = await t.throwsAsync(readAll(store, key, { start: str(EMOJI), end: str(MAX_BMP) }));
    t.true(isOupsError(err, "INVALID_ARGUMENT"), String(err));
    t.regex(err!.message, /is after end bound/);
  }),
);

test(
  "a merge places incoming text between stored rows by code point",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text([A, EMOJI, EMOJI_Z]), { orderedOn: "k" });
    await writeTable(store, key, text([MAX_BMP]), { orderedOn: "k" });
    t.deepEqual(keysOf(await readAll(store, key)), codePointOrder);
  }),
);

test(
  "a merge into one-row row groups inserts text by code point, between the right row groups",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text([A, EMOJI, EMOJI_Z]), { orderedOn: "k", rowGroupTarget: 1 });
    await writeTable(store, key, text([MAX_BMP]), { orderedOn: "k", rowGroupTarget: 1 });
    t.deepEqual(keysOf(await readAll(store, key)), codePointOrder);
    t.deepEqual((await store.describe(key)).rowGroups.map((g) => g.min), codePointOrder);
  }),
);

test(
  "dropping duplicates on a text column keeps the newest rows, in code point order",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text([A, MAX_BMP, EMOJI], [1, 2, 3]), { orderedOn: "k" });
    await writeTable(store, key, text([MAX_BMP, EMOJI, EMOJI_Z], [20, 30, 40]), { orderedOn: "k", duplicatesOn: ["k"] });
    const table = await readAll(store, key);
    t.deepEqual(keysOf(table), codePointOrder);
    t.deepEqual([...table.getChild("v")!], [1, 20, 30, 40]);
  }),
);

test(
  "a write with sort orders text by code point",
  sharedTest(async (t, { store, key }) => {
    await writeTable(store, key, text([EMOJI_Z, MAX_BMP, EMOJI, A]), { orderedOn: "k", sort: true });
    t.deepEqual(keysOf(await readAll(store, key)), codePointOrder);
  }),
);

test(
  "a dictionary-encoded text column is ordered by code point too",
  sharedTest(async (t, { store, key }) => {
    const type = new Dictionary(new Utf8(), new Int32());
    const table = (keys: string[]) => columnTable({ k: { type, values: keys } });
    await writeTable(store, key, table([A, MAX_BMP, EMOJI]), { orderedOn: "k" });
    t.deepEqual(keysOf(await readAll(store, key)), [A, MAX_BMP, EMOJI]);
    const err = await t.throwsAsync(writeTable(store, key, table([EMOJI_Z, EMOJI, MAX_BMP]), { orderedOn: "k" }));
    t.true(isOupsError(err, "UNORDERED_INPUT"), String(err));
  }),
);

test(
  "QueryIntersections cuts text intervals in code point order",
  sharedTest(async (t, { store, key }) => {
    const other = { symbol: `${key.symbol}b` };
    await writeTable(store, key, text([A, MAX_BMP, EMOJI]), { orderedOn: "k", rowGroupTarget: 1 });
    await writeTable(store, other, text([A, EMOJI_Z]), { orderedOn: "k" });
    const walk = await store.openIntersections([key, other], {});
    const parts: [number, number, string[]][] = [];
    try {
      for await (const part of walk.parts) parts.push([part.interval, part.keyIndex, keysOf(part.table)]);
    } finally {
      walk.close();
    }
    t.deepEqual(parts, [
      [0, 0, [A]],
      [0, 1, [A]],
      [1, 0, [MAX_BMP]],
      [1, 1, []],
      [2, 0, [EMOJI]],
      [2, 1, [EMOJI_Z]],
    ]);
  }),
);

test(
  "a write in many small batches of text checks order across batch boundaries by code point",
  sharedTest(async (t, { store, key }) => {
    const many = Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, "0")}`, `k${String(i).padStart(2, "0")}\uffff`, `k${String(i).padStart(2, "0")}\u{1f600}`]).flat();
    await store.write(key, { schema: text(many).schema, batches: batchesOf(text(many), 1) }, { orderedOn: "k" });
    t.deepEqual(keysOf(await readAll(store, key)), many);
  }),
);
