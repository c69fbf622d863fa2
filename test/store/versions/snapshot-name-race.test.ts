/**
 * Two snapshots of one name created at the same time over keys that share no write turn: exactly one may be created;
 * the other is ALREADY_EXISTS, and what the store holds after a restart is the snapshot that was reported created.
 */
import test from "ava";
import { engineTest, rows, tableOfRows, writeTable } from "../../helpers/engine.js";

test(
  "concurrent CreateSnapshot calls of one name over disjoint keys: one is created, the other is ALREADY_EXISTS, and a restart keeps the one created",
  engineTest(async (t, { store, reopen }) => {
    const a = { symbol: "A" };
    const b = { symbol: "B" };
    await writeTable(store, a, tableOfRows(rows([1, 2, 3])), { orderedOn: "ts" });
    await writeTable(store, b, tableOfRows(rows([1, 2])), { orderedOn: "ts" });
    const outcomes = await Promise.allSettled([store.createSnapshot("same", { keys: [a] }), store.createSnapshot("same", { keys: [b] })]);
    const created = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    t.is(created.length, 1, "exactly one snapshot of the name is created");
    t.is(refused.length, 1);
    t.is((refused[0]?.reason as { code?: string } | undefined)?.code, "ALREADY_EXISTS");
    const reported = created[0]?.status === "fulfilled" ? created[0].value : undefined;
    const restarted = await reopen();
    const [kept] = restarted.listSnapshots();
    t.deepEqual(kept?.datasets.map((d) => d.key), reported?.datasets.map((d) => d.key));
  }),
);
