import test from "ava";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";
import { eventually, treeOf } from "./helpers/files.js";
import { marketBatch } from "./helpers/market-data.js";

const k = (symbol: string, year: number, month: number) => ({ symbol, year: String(year), month: String(month) });

/** Keys written in a scrambled order; their sorted order is `sorted`. */
const written = [k("B", 2023, 1), k("A", 10000, 1), k("AA", 2023, 10), k("A", 999, 2), k("A", 2023, 10), k("A", 2023, 2), k("a", 1, 1)];
const sorted = [k("A", 999, 2), k("A", 2023, 2), k("A", 2023, 10), k("A", 10000, 1), k("AA", 2023, 10), k("B", 2023, 1), k("a", 1, 1)];

async function writeAll(client: OupsClient, keys: readonly KeyFields[]): Promise<void> {
  await Promise.all(keys.map((key) => client.write(key, marketBatch(0, 3), { orderedOn: "timestamp" })));
}

test(
  "keys are listed sorted field by field, int fields numerically, and filtered on any fields",
  daemonTest(async (t, { client }) => {
    await writeAll(client, written);
    t.deepEqual(await client.listKeys(), sorted);
    const cases: { filter: KeyFields; keys: KeyFields[] }[] = [
      { filter: { symbol: "A" }, keys: sorted.filter((key) => key.symbol === "A") },
      { filter: { year: "2023" }, keys: sorted.filter((key) => key.year === "2023") },
      { filter: { month: "10" }, keys: [k("A", 2023, 10), k("AA", 2023, 10)] },
      { filter: { symbol: "A", year: "2023" }, keys: [k("A", 2023, 2), k("A", 2023, 10)] },
      { filter: { symbol: "A", year: "2023", month: "2" }, keys: [k("A", 2023, 2)] },
      { filter: { symbol: "A", month: "1" }, keys: [k("A", 10000, 1)] },
      { filter: { symbol: "C" }, keys: [] },
      { filter: { symbol: "A", year: "1" }, keys: [] },
    ];
    for (const { filter, keys } of cases) t.deepEqual(await client.listKeys(filter), keys, JSON.stringify(filter));
  }),
);

test(
  "a key is listed once written and no longer once removed, its emptied parent directories removed with it",
  daemonTest(async (t, { client, storeDir }) => {
    t.deepEqual(await client.listKeys(), []);
    await writeAll(client, [k("A", 2023, 1), k("A", 2023, 2), k("B", 2023, 1)]);
    t.deepEqual(await client.listKeys({ symbol: "A" }), [k("A", 2023, 1), k("A", 2023, 2)]);

    await client.remove(k("A", 2023, 1));
    t.deepEqual(await client.listKeys(), [k("A", 2023, 2), k("B", 2023, 1)]);
    t.true(await eventually(async () => !(await treeOf(storeDir)).some((p) => p.startsWith("A-2023/1"))), "the dataset directory is removed");
    t.true((await treeOf(storeDir)).includes("A-2023/2"), "its parent is kept while it holds another dataset");

    await client.remove(k("A", 2023, 2));
    t.true(await eventually(async () => !(await treeOf(storeDir)).some((p) => p.startsWith("A-2023"))), "the emptied parent is removed too");
    t.deepEqual(await client.listKeys(), [k("B", 2023, 1)]);
    t.deepEqual(await treeOf(storeDir), ["B-2023", "B-2023/1", "B-2023/1/_manifest.json", "B-2023/1/rg-000000000000.parquet", "oups-store.json"]);

    const err = await t.throwsAsync(client.remove(k("A", 2023, 2)), { instanceOf: OupsClientError });
    t.is(err?.code, "NOT_FOUND");
    // A removed key can be written again, from scratch.
    const result = await client.write(k("A", 2023, 2), marketBatch(0, 5), { orderedOn: "timestamp" });
    t.is(result.totalRows, 5);
    t.deepEqual(await client.listKeys(), [k("A", 2023, 2), k("B", 2023, 1)]);
  }),
);

test(
  "stray files and folders in the store are ignored",
  daemonTest(async (t, { client, storeDir }) => {
    await writeAll(client, [k("A", 2023, 1)]);
    const manifest = '{"format":1}\n';
    const stray = async (path: string, content?: string) => {
      const full = join(storeDir, path);
      if (content === undefined) await mkdir(full, { recursive: true });
      else {
        await mkdir(join(full, ".."), { recursive: true });
        await writeFile(full, content);
      }
    };
    await stray("README.txt", "not a key");
    await stray("notakey");
    await stray("A-2023/notanint");
    await stray("A-2023/5"); // a key's directory without a manifest: not a dataset
    await stray("A-2023/7/notes.txt", "no manifest here either");
    await stray(".hidden-2023/1/_manifest.json", manifest);
    await stray("A-02023/1/_manifest.json", manifest); // a non-canonical integer
    await stray("A-2023-x/1/_manifest.json", manifest); // too many values for the level
    await stray("A-2023/1/2/_manifest.json", manifest); // one level too deep
    await stray("A.B-2023/1/_manifest.json", manifest); // a character keys cannot hold
    await stray("C-2023", "a file where a level directory would be");
    await symlink(join(storeDir, "A-2023"), join(storeDir, "L-2023"));

    t.deepEqual(await client.listKeys(), [k("A", 2023, 1)]);
    t.deepEqual(await client.listKeys({ symbol: "A" }), [k("A", 2023, 1)]);
    t.deepEqual(await client.listKeys({ symbol: "A", year: "2023", month: "5" }), []);
    const err = await t.throwsAsync(client.describe(k("A", 2023, 5)), { instanceOf: OupsClientError });
    t.is(err?.code, "NOT_FOUND");
    // The stray entries stay as they were, and the dataset next to them works.
    await client.write(k("A", 2023, 1), marketBatch(3, 3));
    t.is((await client.describe(k("A", 2023, 1))).totalRows, 6);
    t.true((await treeOf(storeDir)).includes("A-2023/7/notes.txt"));
  }),
);

test(
  "removing a key while its sibling under the same parent directory is first written leaves the sibling whole",
  daemonTest(async (t, { client }) => {
    // Pruning the removed key's emptied parent must not pull the directory from under the sibling's first write.
    for (let round = 0; round < 10; round++) {
      await writeAll(client, [k("R", round, 1)]);
      const [removed, written] = await Promise.allSettled([client.remove(k("R", round, 1)), client.write(k("R", round, 2), marketBatch(0, 3), { orderedOn: "timestamp" })]);
      t.is(removed.status, "fulfilled");
      t.is(written.status, "fulfilled", written.status === "rejected" ? String(written.reason) : "");
    }
    t.deepEqual(await client.listKeys(), Array.from({ length: 10 }, (_, round) => k("R", round, 2)));
    for (let round = 0; round < 10; round++) t.is((await client.describe(k("R", round, 2))).totalRows, 3);
  }),
);
