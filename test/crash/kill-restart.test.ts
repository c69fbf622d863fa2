/**
 * Crash harness: the built `oups serve` as a child process, clients writing to several keys, SIGKILL at seeded
 * random points of the protocol (after a random number of acknowledged writes, or while a write streams, after a
 * random number of its chunks, the last one included: the daemon is then merging and committing), and a restart
 * at once on the same store. After each restart: every acknowledged write is there, every write is there whole
 * or not at all, and no file is left that no manifest lists.
 *
 * OUPS_CRASH_SEED replays a run (the seed is printed); OUPS_CRASH_KILLS sets the number of kills (default 50).
 */
import type { ExecutionContext } from "ava";
import test from "ava";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { readManifest } from "../../server/src/store/dataset/manifest.js";
import { LOCK_DIR, LOCK_OWNER_FILE, MANIFEST_FILE, STORE_FILE } from "../../server/src/store/keys/layout.js";
import { MAIN } from "../cli/run-cli.js";
import { exited, waitForLine } from "../helpers/child-process.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";
import { VERSIONS_DIR } from "../../server/src/store/keys/layout.js";
import { readVersionRecords } from "../../server/src/store/versions/version-records.js";
import { marketBatch, T0_MS } from "../rpc/helpers/market-data.js";

const KEYS = [0, 1, 2, 3].map((k) => ({ symbol: `K${k}`, year: "2024", month: "1" }));
const KILLS = Number(process.env.OUPS_CRASH_KILLS ?? 50);
const SEED = Number(process.env.OUPS_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** One write of the harness: its rows are known by `qty` (the write's id) and their timestamps. */
interface PlannedWrite {
  id: number;
  key: number;
  /** Offsets after T0_MS, ascending; unique across all writes (the id is in the low bits). */
  timestamps: number[];
  /** Chunk sizes the stream is cut into. */
  chunks: number[];
}

/** Where a kill happens in a round. */
type KillPoint = { after: "acks"; acks: number } | { after: "chunk"; write: number; chunk: number };

class Daemon {
  constructor(
    readonly child: ChildProcess,
    readonly address: string,
  ) {}

  static async start(storeDir: string): Promise<Daemon> {
    const child = spawn(process.execPath, [MAIN, "serve", "--store", storeDir, "--listen", "127.0.0.1:0", "--index", "symbol,year:int/month:int"], {
      stdio: ["ignore", "ignore", "pipe"],
    // The start-up line is logged at info, which the test runner's environment turns off.
    env: { ...process.env, OUPS_LOG_LEVEL: "info" },
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // A restart refused (STORE_LOCKED) ends the stream without this line: the test fails with the daemon's message.
    const line = await waitForLine(child.stderr!, / serving store .* on \S+:\d+/).catch((err: Error) => {
      throw new Error(`${err.message}: ${stderr}`);
    });
    return new Daemon(child, / serving store .* on (\S+:\d+)/.exec(line)![1]!);
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await exited(this.child);
  }
}

function plan(random: () => number, id: number): PlannedWrite {
  const rows = 1 + Math.floor(random() * 400);
  const start = Math.floor(random() * 2_000);
  const step = 1 + Math.floor(random() * 3);
  const timestamps = Array.from({ length: rows }, (_, i) => (start + i * step) * 65_536 + id);
  const chunks: number[] = [];
  for (let left = rows; left > 0; ) {
    const n = Math.min(left, 1 + Math.floor(random() * 150));
    chunks.push(n);
    left -= n;
  }
  return { id, key: Math.floor(random() * KEYS.length), timestamps, chunks };
}

function batchesOf(w: PlannedWrite, onChunk: (chunk: number) => void): AsyncGenerator<RecordBatch> {
  return (async function* () {
    let first = 0;
    for (let c = 0; c < w.chunks.length; c++) {
      const n = w.chunks[c]!;
      yield marketBatch(first, n, { timestampMs: (i) => w.timestamps[i]!, qty: () => w.id, price: (i) => i });
      first += n;
      onChunk(c + 1);
    }
  })();
}

/**
 * Runs one round against `daemon`: writers on every key, each writing its planned writes one after the other, until
 * the kill point; returns the writes acknowledged and those that were under way when the daemon died.
 */
async function round(daemon: Daemon, writes: PlannedWrite[], kill: KillPoint): Promise<{ acked: PlannedWrite[]; unsure: PlannedWrite[] }> {
  const client = new OupsClient(daemon.address);
  const acked: PlannedWrite[] = [];
  const unsure: PlannedWrite[] = [];
  let killing: Promise<void> | undefined;
  const killNow = () => {
    killing ??= daemon.kill();
  };
  if (kill.after === "acks" && kill.acks === 0) killNow();
  const writer = async (key: number) => {
    for (const w of writes.filter((x) => x.key === key)) {
      if (killing) {
        return;
      }
      const onChunk = (chunk: number) => {
        if (kill.after === "chunk" && kill.write === w.id && kill.chunk === chunk) killNow();
      };
      try {
        await client.write(KEYS[key]!, batchesOf(w, onChunk), { orderedOn: "timestamp" });
        acked.push(w);
        if (kill.after === "acks" && acked.length === kill.acks) killNow();
      } catch (err) {
        if (!(err instanceof OupsClientError)) throw err;
        // Sent before or as the daemon died: it may have committed it or not, but never half of it.
        unsure.push(w);
        return;
      }
    }
  };
  await Promise.all(KEYS.map((_, k) => writer(k)));
  // Every write was acknowledged before the kill point came: kill now, between writes.
  killNow();
  await killing;
  client.close();
  return { acked, unsure };
}

/** Checks the store through the restarted daemon: acknowledged writes all there, others whole or absent. */
async function verify(t: ExecutionContext, daemon: Daemon, acked: ReadonlySet<number>, all: ReadonlyMap<number, PlannedWrite>): Promise<Set<number>> {
  const client = new OupsClient(daemon.address);
  const present = new Set<number>();
  try {
    for (let k = 0; k < KEYS.length; k++) {
      let table;
      try {
        table = await client.read(KEYS[k]!);
      } catch (err) {
        if (err instanceof OupsClientError && err.code === "NOT_FOUND") continue;
        throw err;
      }
      const qty = table.getChild("qty")!.toArray() as Int32Array;
      const ts = table.getChild("timestamp")!.toArray() as BigInt64Array;
      const byWrite = new Map<number, number[]>();
      for (let i = 0; i < table.numRows; i++) {
        const list = byWrite.get(qty[i]!) ?? [];
        list.push(Number(ts[i]!) - T0_MS);
        byWrite.set(qty[i]!, list);
      }
      for (const [id, timestamps] of byWrite) {
        const w = all.get(id);
        if (!w || w.key !== k) {
          t.fail(`key ${k} holds rows of write ${id}, never written to it`);
          continue;
        }
        if (timestamps.length !== w.timestamps.length || timestamps.some((x, i) => x !== w.timestamps[i])) {
          t.fail(`write ${id} is half there: ${timestamps.length} of its ${w.timestamps.length} rows`);
        }
        present.add(id);
      }
    }
  } finally {
    client.close();
  }
  for (const id of acked) if (!present.has(id)) t.fail(`acknowledged write ${id} is missing`);
  return present;
}

/** Files of the store that no manifest lists (and are not the store's own): none may be left after a restart. */
async function orphans(storeDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    const manifest = entries.some((e) => e.name === MANIFEST_FILE) ? await readManifest(dir, relative(storeDir, dir)) : null;
    const listed = new Set(manifest?.rowGroups.map((g) => g.file));
    // Files of retained older generations are listed by their records: not orphans.
    if (manifest) for (const r of (await readVersionRecords(dir)).records) for (const g of r.manifest.rowGroups) listed.add(g.file);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.name === VERSIONS_DIR && e.isDirectory()) continue;
      if (dir === storeDir && [STORE_FILE, LOCK_DIR, LOCK_OWNER_FILE].includes(e.name)) continue;
      if (e.isDirectory()) await walk(path);
      else if (!(e.name === MANIFEST_FILE || listed.has(e.name))) found.push(relative(storeDir, path));
    }
  };
  await walk(storeDir);
  return found;
}

test("SIGKILL at random points of the protocol, restart at once: acknowledged writes kept, none half there, no orphan", async (t) => {
  t.timeout(600_000, "a hang guard only");
  t.log(`OUPS_CRASH_SEED=${SEED} OUPS_CRASH_KILLS=${KILLS}`);
  const random = seededRandom(SEED);
  const storeDir = await makeTempDir("oups-crash-");
  t.teardown(() => removeTempDir(storeDir));
  const all = new Map<number, PlannedWrite>();
  const acked = new Set<number>();
  let nextId = 1;
  let daemon = await Daemon.start(storeDir);
  t.teardown(() => {
    daemon.child.kill("SIGKILL");
  });
  let unsureTotal = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const writes = Array.from({ length: 2 + Math.floor(random() * 8) }, () => plan(random, nextId++));
    for (const w of writes) all.set(w.id, w);
    let point: KillPoint;
    if (random() < 0.5) {
      point = { after: "acks", acks: Math.floor(random() * writes.length) };
    } else {
      const w = writes[Math.floor(random() * writes.length)]!;
      point = { after: "chunk", write: w.id, chunk: 1 + Math.floor(random() * w.chunks.length) };
    }
    const result = await round(daemon, writes, point);
    for (const w of result.acked) acked.add(w.id);
    unsureTotal += result.unsure.length;
    // Restart at once: the dead daemon's lock must not stand in the way.
    daemon = await Daemon.start(storeDir);
    await verify(t, daemon, acked, all);
    t.deepEqual(await orphans(storeDir), [], `orphans after kill ${kill + 1}`);
  }
  t.log(`${KILLS} kills, ${acked.size} writes acknowledged, ${unsureTotal} under way at a kill`);
  daemon.child.kill("SIGTERM");
  t.is((await exited(daemon.child)).code, 0);
  t.deepEqual(await orphans(storeDir), []);
});
