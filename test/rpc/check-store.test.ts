import test from "ava";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { tableFromArrays } from "apache-arrow";
import { Store, toplevel } from "../../client/src/index.js";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { damageDataset, expectedFindings, kindsByPath } from "../helpers/store-damage.js";
import { digestTree } from "../helpers/tree-digest.js";
import { daemonTest, noRetention, testIndex } from "../helpers/with-daemon.js";

const aapl = { symbol: "AAPL", year: "2023", month: "1" };
const aaplDir = "AAPL-2023/1";

/** Rows `ts` = from..to-1 (`v` = `value`), in row groups of 10. */
async function writeRows(client: OupsClient, key: KeyFields, from: number, to: number, value = 0): Promise<void> {
  const ts = Array.from({ length: to - from }, (_, i) => BigInt(from + i));
  const table = tableFromArrays({ ts: BigInt64Array.from(ts), v: Float64Array.from(ts, () => value) });
  await client.write(key, table, { orderedOn: "ts", rowGroupTarget: 10, duplicatesOn: ["ts"] });
}

test(
  "CheckStore finds a damaged dataset's problems in the running daemon, and its repair removes only the leftovers",
  daemonTest(async (t, { client, storeDir }) => {
    await writeRows(client, aapl, 0, 40);
    await writeRows(client, { ...aapl, month: "2" }, 0, 40);
    const damage = await damageDataset(join(storeDir, aaplDir), aaplDir);
    const report = await client.checkStore();
    t.is(report.datasets, 2);
    t.is(report.rowGroups, 8);
    t.deepEqual(kindsByPath(report.findings), expectedFindings(damage));
    t.deepEqual(report.findings[0]!.key, aapl);

    const before = await digestTree(storeDir);
    const repaired = await client.checkStore({ repair: true });
    t.deepEqual(repaired.findings.filter((f) => f.repaired).map((f) => f.path).sort(), [damage.orphan, damage.temp].sort());
    const expected = { ...before };
    delete expected[damage.orphan];
    delete expected[damage.temp];
    t.deepEqual(await digestTree(storeDir), expected);
    const again = await client.checkStore();
    t.true(again.findings.length > 0 && again.findings.every((f) => !f.repairable));
  }),
);

test(
  "a clean store checks clean through Store.check of the typed SDK",
  daemonTest(async (t, { daemon, client }) => {
    for (const month of ["1", "2", "3"]) await writeRows(client, { ...aapl, month }, 0, 25);
    const store = await Store.connect(daemon.address, toplevel(testIndex.name, { symbol: "string", year: "int" }, { month: "int" }));
    t.teardown(() => store.close());
    const report = await store.check();
    t.deepEqual(report, { datasets: 3, rowGroups: 9, findings: [], heldFiles: [], retainedVersions: 0 });
  }),
);

test(
  "files kept for a reader of an older generation are listed as held, not as orphans, and the repair leaves them",
  daemonTest(async (t, { daemon, client, storeDir }) => {
    await writeRows(client, aapl, 0, 40);
    const old = (await client.describe(aapl)).rowGroups.map((g) => g.file);
    const read = await daemon.store.openRange(aapl, {});
    t.teardown(() => read.close());
    await writeRows(client, aapl, 0, 40, 1);
    const report = await client.checkStore({ repair: true });
    t.deepEqual(report.findings, []);
    t.deepEqual(report.heldFiles, old.map((file) => ({ key: aapl, path: `${aaplDir}/${file}`, heldBy: "reader" })));
    t.true((await readdir(join(storeDir, aaplDir))).includes(old[0]!));
  }, noRetention),
);

test(
  "files of retained older generations are listed as held by a version, not as orphans, and the repair leaves them",
  daemonTest(async (t, { client, storeDir }) => {
    await writeRows(client, aapl, 0, 40);
    const old = (await client.describe(aapl)).rowGroups.map((g) => g.file);
    await writeRows(client, aapl, 0, 40, 1);
    const report = await client.checkStore({ repair: true });
    t.deepEqual(report.findings, []);
    t.is(report.retainedVersions, 1);
    t.deepEqual(report.heldFiles, old.map((file) => ({ key: aapl, path: `${aaplDir}/${file}`, heldBy: "version" })));
    t.true((await readdir(join(storeDir, aaplDir))).includes(old[0]!));
  }),
);

test(
  "checks with repair running alongside writes never report nor remove a write's files",
  daemonTest(async (t, { client }) => {
    const keys = ["1", "2", "3"].map((month) => ({ ...aapl, month }));
    const writes = (async () => {
      for (let round = 0; round < 8; round++) {
        await Promise.all(keys.map((key) => writeRows(client, key, round * 15, round * 15 + 30, round)));
      }
    })();
    const reports = [];
    let writing = true;
    const stop = () => {
      writing = false;
    };
    writes.then(stop, stop);
    do reports.push(await client.checkStore({ repair: true }));
    while (writing);
    await writes;
    t.true(reports.length > 0);
    t.deepEqual(reports.flatMap((r) => r.findings), []);
    for (const key of keys) t.is((await client.read(key)).numRows, 135);
    t.deepEqual((await client.checkStore()).findings, []);
  }),
);
