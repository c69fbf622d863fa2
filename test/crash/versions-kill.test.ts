/**
 * Crash harness for versions: the built `oups serve` as a child process keeping 2 older generations for no time
 * (`--retain-generations 2 --retain-for 0`, so commits free files and the garbage collection deletes them), a round of
 * seeded random operations (writes that append or rewrite row groups, snapshots created and deleted), and SIGKILL at a
 * seeded random point: while a snapshot is being created, while one is being deleted (its files being freed), or just
 * after a write that frees files (the garbage collection running). After each restart: every version ListVersions
 * lists and every dataset of every snapshot reads back whole and exactly as the writes made it, and the store check
 * finds no missing, damaged or unreadable file.
 *
 * OUPS_VERSIONS_CRASH_SEED replays a run (the seed is printed); OUPS_VERSIONS_CRASH_ROUNDS sets the number of kills.
 */
import test from "ava";
import type { ExecutionContext } from "ava";
import { join } from "node:path";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import type { KeyFields } from "../../client/src/index.js";
import { listedGenerations, generation as atGeneration, readVersion, snapshot as atSnapshot } from "../helpers/read-version.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { ServeProcess } from "../helpers/serve-process.js";
import { formatSummary, summarizeTable, VersionLedger } from "../helpers/version-ledger.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";

const KEYS: KeyFields[] = [0, 1, 2].map((k) => ({ symbol: `K${k}`, year: "2024", month: "1" }));
const ROUNDS = Number(process.env.OUPS_VERSIONS_CRASH_ROUNDS ?? 15);
const SEED = Number(process.env.OUPS_VERSIONS_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const OPS_PER_ROUND = 8;
/** Check findings that mean a file a version needs is gone or damaged. */
const LOSS = new Set(["missing-file", "size-mismatch", "unreadable-file", "not-regular-file", "row-count-mismatch", "bounds-mismatch", "manifest-invalid", "version-invalid", "snapshot-invalid"]);

/** A write sent when the daemon was killed: it committed (the next generation) or not, never half. */
interface Pending {
  key: number;
  timestamps: number[];
  id: number;
}

async function start(storeDir: string): Promise<ServeProcess> {
  return ServeProcess.start(
    ["--store", storeDir, "--listen", "127.0.0.1:0", "--index", "symbol,year:int/month:int", "--retain-generations", "2", "--retain-for", "0"],
    { OUPS_LOG_LEVEL: "info" },
  );
}

/** Checks every retained version and every snapshot against the ledgers; resolves with the snapshots' names. */
async function verify(t: ExecutionContext, client: OupsClient, ledgers: VersionLedger[], pending: Pending | undefined, round: number): Promise<string[]> {
  for (let k = 0; k < KEYS.length; k++) {
    const ledger = ledgers[k]!;
    let generations: number[];
    try {
      generations = await listedGenerations(client, KEYS[k]!);
    } catch (err) {
      if (err instanceof OupsClientError && err.code === "NOT_FOUND" && ledger.generations.length === 0) continue;
      throw err;
    }
    const current = generations.at(-1)!;
    const lastAcked = ledger.generations.at(-1) ?? 0;
    if (pending?.key === k && current > lastAcked) ledger.apply(current, pending.timestamps, pending.id);
    for (const g of generations) {
      const expected = ledger.summaryOf(g);
      if (!expected) {
        t.fail(`round ${round}: ${KEYS[k]!.symbol} lists generation ${g}, which no write committed`);
        continue;
      }
      const actual = summarizeTable(await readVersion(client, KEYS[k]!, atGeneration(g)));
      if (formatSummary(actual) !== formatSummary(expected)) t.fail(`round ${round}: ${KEYS[k]!.symbol} generation ${g} reads ${formatSummary(actual)}, expected ${formatSummary(expected)}`);
    }
  }
  const { snapshots } = await client.rpc.listSnapshots({ includeDatasets: true });
  for (const s of snapshots) {
    for (const d of s.datasets) {
      const k = KEYS.findIndex((key) => key.symbol === d.key?.fields.symbol);
      const expected = ledgers[k]?.summaryOf(Number(d.generation));
      const actual = summarizeTable(await readVersion(client, KEYS[k]!, atSnapshot(s.name)));
      if (!expected || formatSummary(actual) !== formatSummary(expected)) {
        t.fail(`round ${round}: snapshot ${s.name} of ${KEYS[k]!.symbol} (generation ${d.generation}) reads ${formatSummary(actual)}, expected ${expected ? formatSummary(expected) : "nothing"}`);
      }
    }
  }
  const report = await client.checkStore();
  for (const f of report.findings) if (LOSS.has(f.kind)) t.fail(`round ${round}: check finds ${f.kind} at ${f.path}: ${f.message}`);
  return snapshots.map((s) => s.name);
}

test("SIGKILL during snapshot creation, snapshot deletion and garbage collection never loses a retained version's file", async (t) => {
  t.timeout(900_000, "a hang guard only");
  t.log(`OUPS_VERSIONS_CRASH_SEED=${SEED} OUPS_VERSIONS_CRASH_ROUNDS=${ROUNDS}`);
  const random = seededRandom(SEED);
  const dir = await makeTempDir("oups-versions-crash-");
  const storeDir = join(dir, "store");
  const ledgers = KEYS.map((key) => new VersionLedger(key, random));
  let pending: Pending | undefined;
  let snapshotCount = 0;
  const kinds = new Map<string, number>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const serve = await start(storeDir);
      const client = new OupsClient(serve.address);
      let killed = false;
      try {
        const snapshots = await verify(t, client, ledgers, pending, round);
        pending = undefined;
        const killAt = Math.floor(random() * OPS_PER_ROUND);
        for (let op = 0; op < OPS_PER_ROUND && !killed; op++) {
          const choice = random();
          const kill = op === killAt;
          let kind: string;
          let action: Promise<unknown>;
          if (choice < 0.6) {
            const k = Math.floor(random() * KEYS.length);
            const planned = ledgers[k]!.plan();
            kind = "gc after a write";
            if (kill) pending = { key: k, timestamps: planned.timestamps, id: planned.id };
            action = client
              .write(KEYS[k]!, planned.batch, { orderedOn: "timestamp", duplicatesOn: ["timestamp"], dropDuplicates: true, rowGroupTarget: 64 })
              .then((r) => {
                ledgers[k]!.apply(r.generation, planned.timestamps, planned.id);
                if (pending?.id === planned.id) pending = undefined;
              });
          } else if (choice < 0.8 || snapshots.length === 0) {
            kind = "snapshot creation";
            const name = `s${snapshotCount++}`;
            const keys = KEYS.filter(() => random() < 0.7).map((fields) => ({ fields: fields as Record<string, string> }));
            action = client.rpc.createSnapshot(keys.length === 0 ? { name, allKeys: true } : { name, keys }).then(() => snapshots.push(name));
          } else {
            kind = "snapshot deletion";
            const [name] = snapshots.splice(Math.floor(random() * snapshots.length), 1);
            action = client.rpc.deleteSnapshot({ name: name! });
          }
          if (!kill) {
            await action.catch((err: unknown) => {
              // A write on a key no write created yet, as a snapshot's key, is NOT_FOUND: not a failure of the daemon.
              if (!(OupsClientError.from(err).code === "NOT_FOUND" && kind === "snapshot creation")) throw err;
            });
            continue;
          }
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          // The kill lands a seeded number of event-loop turns after the call was sent (0: before it is read), so
          // across rounds it falls before, during and after the daemon's work on it, the files it frees included.
          // A write's kill comes, half the time, after its acknowledgement: the garbage collection of the files it freed
          // runs after the commit.
          if (kind === "gc after a write" && random() < 0.5) await action.catch(() => undefined);
          const turns = Math.floor(random() * 40);
          for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
          serve.kill("SIGKILL");
          killed = true;
          await action.catch(() => undefined);
        }
      } finally {
        client.close();
        if (!killed) serve.kill("SIGKILL");
        await serve.stop();
      }
    }
    // A final restart: everything retained and every snapshot still reads back.
    const serve = await start(storeDir);
    const client = new OupsClient(serve.address);
    try {
      await verify(t, client, ledgers, pending, ROUNDS);
    } finally {
      client.close();
      await serve.stop();
    }
    t.log(`kills: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}`);
    t.pass();
  } finally {
    await removeTempDir(dir);
  }
});
