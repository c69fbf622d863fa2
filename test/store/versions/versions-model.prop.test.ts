import test from "ava";
import type { ExecutionContext } from "ava";
import { readdir } from "node:fs/promises";
import { isOupsError } from "../../../server/src/store/errors.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import type { Store, StoreOpenOptions } from "../../../server/src/store/store.js";
import type { VersionSelector } from "../../../server/src/store/versions/version-selector.js";
import type { EngineFixture, Row } from "../../helpers/engine.js";
import { readAll, tableOfRows, testRowsOf, withEngineStore, writeTable } from "../../helpers/engine.js";
import { seededRandom } from "../../helpers/seeded-random.js";

// A model of what every retained version holds, checked against the store after each random step: writes
// (deduplicating on ts, the newest row wins), metadata changes, restores, snapshots created and deleted, the clock
// moving on, restarts. Retention: the last RETAIN generations, or those replaced less than RETAIN_MS ago.
const RETAIN = 3;
const RETAIN_MS = 10_000;
const KEYS: readonly Key[] = [{ symbol: "A" }, { symbol: "B" }, { symbol: "C" }];

interface ModelVersion {
  generation: number;
  committedAt: number;
  supersededAt: number | undefined;
  rows: Row[];
  metadata: Record<string, string>;
}

interface ModelSnapshot {
  name: string;
  generations: Map<string, number>;
}

class Model {
  readonly versions = new Map<string, ModelVersion[]>();
  readonly snapshots = new Map<string, ModelSnapshot>();

  constructor(private readonly now: () => number) {}

  current(id: string): ModelVersion | undefined {
    return this.versions.get(id)?.at(-1);
  }

  commit(id: string, rows: Row[], metadata: Record<string, string>): void {
    const list = this.versions.get(id) ?? [];
    const previous = list.at(-1);
    if (previous) previous.supersededAt = this.now();
    list.push({ generation: (previous?.generation ?? 0) + 1, committedAt: this.now(), supersededAt: undefined, rows, metadata });
    this.versions.set(id, list);
  }

  held(id: string, generation: number): boolean {
    for (const s of this.snapshots.values()) if (s.generations.get(id) === generation) return true;
    return false;
  }

  /** The generations the store must keep now, oldest first. */
  retained(id: string): ModelVersion[] {
    const list = this.versions.get(id) ?? [];
    const current = list.at(-1);
    if (!current) return [];
    return list.filter(
      (v) =>
        v === current ||
        this.held(id, v.generation) ||
        current.generation - v.generation <= RETAIN ||
        (v.supersededAt !== undefined && this.now() - v.supersededAt < RETAIN_MS),
    );
  }

  /** The version current at `t`, if the model ever had one then. */
  asOf(id: string, t: number): ModelVersion | undefined {
    const list = this.versions.get(id) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.committedAt <= t) return list[i];
    return undefined;
  }
}

function merge(existing: readonly Row[], incoming: readonly Row[]): Row[] {
  const byTs = new Map(existing.map((r) => [r.ts, r]));
  for (const r of incoming) byTs.set(r.ts, r);
  return [...byTs.values()].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

async function rowGroupFilesOnDisk(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.startsWith("rg-")).sort();
  } catch {
    return [];
  }
}

async function expectNotFound(t: ExecutionContext, run: Promise<unknown>, code: string, what: string): Promise<void> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.true(isOupsError(err, code as "VERSION_NOT_FOUND"), `${what}: expected ${code}, got ${String(err)}`);
}

async function checkAgainstModel(t: ExecutionContext, store: Store, model: Model, fixture: EngineFixture, step: string): Promise<void> {
  await store.collectGarbage();
  for (const key of KEYS) {
    const id = key.symbol!;
    const retained = model.retained(id);
    if (retained.length === 0) continue;
    const listed = await store.listVersions(key);
    t.deepEqual(
      listed.versions.map((v) => v.generation),
      retained.map((v) => v.generation),
      `${step}: retained generations of ${id}`,
    );
    const needed = new Set<string>();
    for (const v of retained) {
      const selector: VersionSelector = { generation: v.generation };
      t.deepEqual(testRowsOf(await readAll(store, key, { version: selector })), v.rows, `${step}: rows of ${id} generation ${v.generation}`);
      t.deepEqual({ ...(await store.getMetadata(key, selector)) }, v.metadata, `${step}: metadata of ${id} generation ${v.generation}`);
      for (const g of (await store.describe(key, selector)).rowGroups) needed.add(g.file);
    }
    for (const v of model.versions.get(id) ?? []) {
      if (!retained.includes(v)) await expectNotFound(t, store.describe(key, { generation: v.generation }), "VERSION_NOT_FOUND", `${step}: expired ${id} generation ${v.generation}`);
    }
    // Every file a retained version lists is there, and no other row-group file is.
    t.deepEqual(await rowGroupFilesOnDisk(fixture.datasetDir(key)), [...needed].sort(), `${step}: files of ${id}`);
    for (const s of model.snapshots.values()) {
      const generation = s.generations.get(id);
      if (generation === undefined) continue;
      const v = model.versions.get(id)!.find((x) => x.generation === generation)!;
      t.deepEqual(testRowsOf(await readAll(store, key, { version: { snapshot: s.name } })), v.rows, `${step}: ${id} in snapshot ${s.name}`);
    }
  }
}

async function runModel(t: ExecutionContext, seed: number): Promise<void> {
  const random = seededRandom(seed);
  let now = 1_700_000_000_000;
  const clock = () => now;
  const options: StoreOpenOptions = { retention: { generations: RETAIN, durationMs: RETAIN_MS }, clock, gcIntervalMs: 0 };
  await withEngineStore(async (fixture) => {
    const model = new Model(clock);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let snapshotId = 0;
    for (let step = 0; step < 45; step++) {
      const store = fixture.store;
      const key = pick(KEYS);
      const id = key.symbol!;
      const current = model.current(id);
      const roll = random();
      let label: string;
      if (!current || roll < 0.4) {
        const start = Math.floor(random() * 200);
        const incoming = Array.from({ length: 1 + Math.floor(random() * 60) }, (_, i) => ({ ts: BigInt(start + i * 2), v: step * 1000 + i, tag: `s${step}` }));
        const metadata = random() < 0.3 ? { ...(current?.metadata ?? {}), w: String(step) } : { ...(current?.metadata ?? {}) };
        await writeTable(store, key, tableOfRows(incoming), { orderedOn: "ts", duplicatesOn: ["ts"], rowGroupTarget: 40, metadata });
        model.commit(id, merge(current?.rows ?? [], incoming), metadata);
        label = `write of ${incoming.length} rows to ${id}`;
      } else if (roll < 0.55) {
        const metadata = { ...current.metadata, m: String(step) };
        await store.updateMetadata(key, { m: String(step) }, []);
        model.commit(id, current.rows, metadata);
        label = `metadata of ${id}`;
      } else if (roll < 0.7) {
        const older = model.retained(id).slice(0, -1);
        if (older.length === 0) continue;
        const target = pick(older);
        const asOf = random() < 0.5;
        const selector: VersionSelector = asOf ? { asOfMs: target.committedAt } : { generation: target.generation };
        // The generation current at its own commit time is itself, unless a later one committed in the same ms.
        const expected = asOf ? model.asOf(id, target.committedAt)! : target;
        if (!model.retained(id).includes(expected)) continue;
        await store.restoreVersion(key, selector);
        model.commit(id, expected.rows, expected.metadata);
        label = `restore of ${id} to generation ${expected.generation}`;
      } else if (roll < 0.8) {
        const name = `s${++snapshotId}`;
        const chosen = KEYS.filter((k) => model.current(k.symbol!) && random() < 0.6);
        if (chosen.length === 0) continue;
        const record = await store.createSnapshot(name, { keys: chosen });
        model.snapshots.set(name, { name, generations: new Map(chosen.map((k) => [k.symbol!, model.current(k.symbol!)!.generation])) });
        t.is(record.datasets.length, chosen.length);
        label = `snapshot ${name}`;
      } else if (roll < 0.87 && model.snapshots.size > 0) {
        const name = pick([...model.snapshots.keys()]);
        await store.deleteSnapshot(name);
        model.snapshots.delete(name);
        label = `deletion of snapshot ${name}`;
      } else if (roll < 0.95) {
        now += Math.floor(random() * 6_000);
        label = "the clock moving on";
      } else {
        await fixture.reopen(options);
        label = "a restart";
      }
      // Commits land a few ms apart, so that as_of can tell them apart.
      now += 1 + Math.floor(random() * 5);
      await checkAgainstModel(t, fixture.store, model, fixture, `step ${step} (${label})`);
      // An instant before every retained generation of a key is not found, naming the oldest retained.
      const oldest = model.retained(id)[0];
      if (oldest && oldest.generation > 1) {
        const err = await fixture.store.describe(key, { asOfMs: oldest.committedAt - 1 }).catch((e: unknown) => e);
        const v = model.asOf(id, oldest.committedAt - 1);
        if (v && !model.retained(id).includes(v)) {
          t.true(isOupsError(err, "VERSION_NOT_FOUND") && err.message.includes(`oldest retained is generation ${oldest.generation}`), `step ${step}: ${String(err)}`);
        }
      }
    }
  }, options);
}

for (const seed of [1, 7, 42]) {
  test(`random writes, metadata changes, restores, snapshots, clock moves and restarts keep every retained version as the model says (seed ${seed})`, async (t) => {
    await runModel(t, seed);
  });
}
