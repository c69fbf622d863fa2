import type { ExecutionContext } from "ava";
import test from "ava";
import { cp, mkdir, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import type { IndexSchema } from "../../server/src/store/keys/index-schema.js";
import { validateIndexSchema } from "../../server/src/store/keys/index-schema.js";
import { compareKeys, keyToPath } from "../../server/src/store/keys/key.js";
import { LOCK_DIR } from "../../server/src/store/keys/layout.js";
import { listKeys } from "../../server/src/store/keys/list-keys.js";
import { Store } from "../../server/src/store/store.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";

const schema: IndexSchema = validateIndexSchema({
  ...testIndex,
  levels: testIndex.levels.map((level) => level.map((f) => ({ name: f.name, type: f.type }))),
});

async function tempStore(t: ExecutionContext): Promise<string> {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  return storeDir;
}

async function start(storeDir: string, extra: { lockUpdateMs?: number; lockRetryMs?: number } = {}): Promise<{ daemon: Daemon; client: OupsClient }> {
  const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex, ...extra });
  return { daemon, client: new OupsClient(daemon.address) };
}

async function stop({ daemon, client }: { daemon: Daemon; client: OupsClient }): Promise<void> {
  client.close();
  await daemon.stop(5_000);
}

const sorted = (keys: Iterable<KeyFields>) => [...keys].sort((a, b) => compareKeys(schema, a, b));
const idOf = (key: KeyFields) => keyToPath(schema, key);

/** What a walk of the store's directories finds now (the listing before the key index existed). */
async function walked(storeDir: string): Promise<KeyFields[]> {
  return (await listKeys(storeDir, schema)).map((key) => ({ ...key }));
}

/** Rows not sorted on the ordered column: a write of them fails with UNORDERED_INPUT and commits nothing. */
const unordered = () => marketBatch(0, 5, { timestampMs: (i) => 10 - i });

test("ListKeys equals a walk of the directories through random writes, removes and failed first writes, and a fresh daemon on the store lists the same", async (t) => {
  const storeDir = await tempStore(t);
  let running = await start(storeDir);
  t.teardown(() => stop(running).catch(() => undefined));
  const random = seededRandom(20261202);
  const pool = Array.from({ length: 24 }, (_, i): KeyFields => ({ symbol: ["A", "AA", "B", "b"][i % 4]!, year: String(2020 + (Math.floor(i / 4) % 3)), month: String(1 + Math.floor(i / 12)) }));
  const model = new Map<string, KeyFields>();
  for (let round = 0; round < 12; round++) {
    // A few operations on distinct keys at once, so that first writes, removals and failures interleave.
    const picked = [...new Set(Array.from({ length: 5 }, () => Math.floor(random() * pool.length)))].map((i) => pool[i]!);
    await Promise.all(
      picked.map(async (key) => {
        const id = idOf(key);
        const roll = random();
        if (roll < 0.45) {
          await running.client.write(key, marketBatch(round * 10, 3), { orderedOn: "timestamp" });
          model.set(id, key);
        } else if (roll < 0.7) {
          const err = await t.throwsAsync(running.client.write(key, unordered(), { orderedOn: "timestamp" }), { instanceOf: OupsClientError });
          t.is(err?.code, "UNORDERED_INPUT");
        } else if (model.has(id)) {
          await running.client.remove(key);
          model.delete(id);
        } else {
          const err = await t.throwsAsync(running.client.remove(key), { instanceOf: OupsClientError });
          t.is(err?.code, "NOT_FOUND");
        }
      }),
    );
    const expected = sorted(model.values());
    t.deepEqual(await running.client.listKeys(), expected, `round ${round}`);
    t.deepEqual(await walked(storeDir), expected, `round ${round}: the walk`);
    t.deepEqual(await running.client.listKeys({ symbol: "A" }), expected.filter((k) => k.symbol === "A"));
  }
  await stop(running);
  // A directory a crash left without a manifest is no dataset, before and after the restart.
  await mkdir(join(storeDir, "Z-2024", "1"), { recursive: true });
  running = await start(storeDir);
  t.deepEqual(await running.client.listKeys(), sorted(model.values()), "rebuilt from the directories at open");
});

test("a key removed while a reader pins its generation is no longer listed, and its reader reads to the end", async (t) => {
  const storeDir = await tempStore(t);
  const running = await start(storeDir);
  t.teardown(() => stop(running));
  const key = { symbol: "P", year: "2024", month: "1" };
  await running.client.write(key, marketBatch(0, 200_000), { orderedOn: "timestamp" });
  const reader = running.client.rangeQuery(key, { maxRowsPerChunk: 1000 })[Symbol.asyncIterator]();
  let rows = (await reader.next()).value?.numRows ?? 0;
  await running.client.remove(key);
  t.deepEqual(await running.client.listKeys(), []);
  t.deepEqual(await walked(storeDir), []);
  for (let next = await reader.next(); !next.done; next = await reader.next()) rows += next.value.numRows;
  t.is(rows, 200_000);
  t.deepEqual(await running.client.listKeys(), []);
});

test("after the store lock was lost and taken again, ListKeys shows what another process wrote and removed meanwhile", async (t) => {
  const storeDir = await tempStore(t);
  const running = await start(storeDir, { lockUpdateMs: 1000, lockRetryMs: 20 });
  t.teardown(() => stop(running));
  const kept = { symbol: "K", year: "2024", month: "1" };
  const removed = { symbol: "R", year: "2024", month: "1" };
  const added = { symbol: "N", year: "2024", month: "2" };
  for (const key of [kept, removed]) await running.client.write(key, marketBatch(0, 5), { orderedOn: "timestamp" });
  t.deepEqual(await running.client.listKeys(), sorted([kept, removed]));

  // Another process takes the lock directory, writes one key and removes another.
  await mkdir(join(storeDir, LOCK_DIR), { recursive: true }).catch(() => undefined);
  const other = join(storeDir, ".other-lock");
  await mkdir(other);
  const future = new Date(Date.now() + 3_600_000);
  const { utimes, rename } = await import("node:fs/promises");
  await utimes(other, future, future);
  await rename(other, join(storeDir, LOCK_DIR));
  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 5_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return condition();
  };
  t.true(await waitFor(() => running.daemon.store.lockCompromised), "the daemon noticed the lost lock");
  const store = await Store.open(storeDir, { lock: false, parquetWorkers: 1 });
  const batch = marketBatch(0, 4);
  await store.write(added, { schema: batch.schema, batches: [batch] }, { orderedOn: "timestamp" });
  await store.remove(removed);
  await store.close();
  t.deepEqual(await running.client.listKeys(), sorted([kept, removed]), "until the lock is taken again, the index is the daemon's own");
  await rmdir(join(storeDir, LOCK_DIR));
  t.true(await waitFor(() => !running.daemon.store.lockCompromised), "the lock was taken again");
  t.deepEqual(await running.client.listKeys(), sorted([added, kept]));
  t.deepEqual(await walked(storeDir), sorted([added, kept]));
});

test("datasets put in place while the daemon is stopped are listed after it starts; emptied directories repaired away change nothing", async (t) => {
  const storeDir = await tempStore(t);
  let running = await start(storeDir);
  const key = { symbol: "S", year: "2024", month: "1" };
  await running.client.write(key, marketBatch(0, 5), { orderedOn: "timestamp" });
  await stop(running);
  await cp(join(storeDir, "S-2024", "1"), join(storeDir, "T-2024", "3"), { recursive: true });
  await mkdir(join(storeDir, "U-2024", "4"), { recursive: true });
  running = await start(storeDir);
  t.teardown(() => stop(running));
  const copied = { symbol: "T", year: "2024", month: "3" };
  t.deepEqual(await running.client.listKeys(), [key, copied]);
  const report = await running.client.checkStore({ repair: true });
  t.true(report.findings.some((f) => f.path.startsWith("U-2024")), JSON.stringify(report.findings));
  t.deepEqual(await running.client.listKeys(), [key, copied]);
  t.deepEqual(await walked(storeDir), [key, copied]);
});
