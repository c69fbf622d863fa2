import test from "ava";
import type { Key } from "../../../server/src/store/keys/key.js";
import { isOupsError } from "../../../server/src/store/errors.js";
import type { Store } from "../../../server/src/store/store.js";
import { rows, sharedStoreTest, span, tableOfRows, writeTable } from "../../helpers/engine.js";

const sharedTest = sharedStoreTest();

async function parts(store: Store, keys: Key[], query: Parameters<Store["openIntersections"]>[1] = {}): Promise<[number, number, number[]][]> {
  const walk = await store.openIntersections(keys, query);
  const out: [number, number, number[]][] = [];
  try {
    for await (const part of walk.parts) out.push([part.interval, part.keyIndex, [...part.table.getChild("ts")!].map(Number)]);
  } finally {
    walk.close();
  }
  return out;
}

test(
  "a dataset without a schema yet (metadata-only) takes no part in a walk, whatever the other datasets' type",
  sharedTest(async (t, { store, key }) => {
    const empty = { symbol: `${key.symbol}m` };
    await store.write(empty, { schema: undefined, batches: [] }, { orderedOn: "ts", metadata: { a: "1" } });
    await writeTable(store, key, tableOfRows(rows(span(0, 4))), { orderedOn: "ts" });
    t.deepEqual(await parts(store, [empty, key]), [[0, 1, [0, 1, 2, 3]]]);
    t.deepEqual(await parts(store, [empty]), []);
  }),
);

test(
  "a dataset without a schema yet must still be ordered on a column of the same name",
  sharedTest(async (t, { store, key }) => {
    const empty = { symbol: `${key.symbol}m` };
    await store.write(empty, { schema: undefined, batches: [] }, { orderedOn: "other" });
    await writeTable(store, key, tableOfRows(rows(span(0, 4))), { orderedOn: "ts" });
    const err = await t.throwsAsync(parts(store, [key, empty]));
    t.true(isOupsError(err, "ORDERED_ON_MISMATCH"), String(err));
    t.regex(err!.message, /has "ts", but .* has "other"/);
  }),
);

test(
  "a dataset whose only block spans the whole range without a row in it is left out; with a row, it stays",
  sharedTest(async (t, { store, key }) => {
    const wide = { symbol: `${key.symbol}w` };
    await writeTable(store, key, tableOfRows(rows(span(0, 10))), { orderedOn: "ts", rowGroupTarget: 5 });
    await writeTable(store, wide, tableOfRows(rows([-100, 100])), { orderedOn: "ts" });
    const range = { start: { kind: "int" as const, value: 3n }, end: { kind: "int" as const, value: 7n } };
    t.deepEqual(await parts(store, [wide, key], range), [
      [0, 1, [3, 4]],
      [1, 1, [5, 6]],
    ]);
    await writeTable(store, wide, tableOfRows(rows([6])), { orderedOn: "ts" });
    t.deepEqual(await parts(store, [wide, key], range), [
      [0, 0, []],
      [0, 1, [3, 4]],
      [1, 0, [6]],
      [1, 1, [5, 6]],
    ]);
  }),
);
