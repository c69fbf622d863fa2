import test from "ava";
import type { ExecutionContext } from "ava";
import type { BoundValue, KeyFields, OupsClient, WriteOptions } from "../../client/src/index.js";
import { OupsClient as Client } from "../../client/src/index.js";
import { Daemon } from "../../server/src/daemon.js";
import type { EvolvingCell, EvolvingColumn, EvolvingKind } from "../helpers/evolving-columns.js";
import { EVOLVING_KINDS, evolvingBatch, normalCell, readRows, widerKind } from "../helpers/evolving-columns.js";
import type { ModelDedupe } from "../helpers/reference-merge.js";
import { referenceMerge } from "../helpers/reference-merge.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";

// Random sequences of writes under schema_evolution ADD_COLUMNS, each one adding nullable columns (anywhere in the
// write's column order), leaving out nullable columns, or widening int32/float32 columns, written to a few keys of
// two daemons (row-group cache on and off), then read back through every read path (full reads, RangeQuery with
// random bounds and projections, QueryIntersections) and compared with a model that fills nulls and widens.
// OUPS_PROP_SEED=<n> replays one seed.

const SEED = process.env.OUPS_PROP_SEED === undefined ? 20_261_202 : Number(process.env.OUPS_PROP_SEED);
const SEEDS = 3;
const ROUNDS = 8;

type Random = () => number;
const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo));
const pick = <T>(r: Random, values: readonly T[]): T => values[Math.floor(r() * values.length)]!;

type ModelRow = Record<string, EvolvingCell>;

interface KeyModel {
  key: KeyFields;
  label: string;
  /** The dataset's columns as the model has them, in the dataset's order (`ts` first). */
  columns: { name: string; kind: EvolvingKind }[];
  /** Per schema version: the columns it added and widened. */
  history: { added: string[]; widened: string[] }[];
  rows: ModelRow[];
  dedupe: ModelDedupe;
  /** A key whose dedupe is on a column its second write adds: its first write has distinct `ts` values. */
  dedupeOnNewColumn: boolean;
  rowGroupTarget: number;
  writes: number;
  nextColumn: number;
}

const STRINGS = ["a", "b", "c", "dd", ""];

function cellOf(r: Random, kind: EvolvingKind, nullable: boolean, narrow: boolean): EvolvingCell {
  if (nullable && r() < 0.2) return null;
  switch (kind) {
    case "i32":
    case "i64":
      return narrow ? int(r, 0, 3) : int(r, -1000, 1000);
    case "f32":
    case "f64":
      // Quarters are exact in float32: the model compares numbers as they read back.
      return int(r, -400, 400) / 4;
    default:
      return narrow ? pick(r, STRINGS.slice(0, 2)) : pick(r, STRINGS);
  }
}

/** One random write of `k`: the batch, its options, and the model after it (applied only once the write is done). */
function planWrite(r: Random, k: KeyModel): { columns: EvolvingColumn[]; options: WriteOptions; apply: () => void } {
  const first = k.writes === 0;
  const n = int(r, 1, 40);
  const distinct = first && k.dedupeOnNewColumn;
  const ts = distinct
    ? [...new Set(Array.from({ length: n }, () => int(r, 0, 300)))].sort((a, b) => a - b)
    : Array.from({ length: n }, () => int(r, 0, k.dedupe ? 120 : 300)).sort((a, b) => a - b);
  const rows = ts.length;
  const sent: { name: string; kind: EvolvingKind }[] = [];
  const widened: string[] = [];
  for (const column of k.columns) {
    if (column.name === "ts") {
      sent.push(column);
      continue;
    }
    if (!first && r() < 0.25) continue;
    const wider = widerKind(column.kind);
    if (!first && wider && r() < 0.2) {
      widened.push(column.name);
      sent.push({ name: column.name, kind: wider });
    } else sent.push(column);
  }
  const added: { name: string; kind: EvolvingKind }[] = [];
  if (k.dedupeOnNewColumn && k.writes === 1) added.push({ name: "g", kind: "i64" });
  else if (!first && r() < 0.35) added.push({ name: `c${k.nextColumn++}`, kind: pick(r, EVOLVING_KINDS) });
  // New columns may come anywhere among the write's columns; the dataset appends them.
  const order = [...sent];
  for (const column of added) order.splice(int(r, 1, order.length + 1), 0, column);
  const narrow = k.dedupe !== undefined;
  const columns: EvolvingColumn[] = order.map((c) => ({
    name: c.name,
    kind: c.kind,
    nullable: c.name !== "ts",
    values: c.name === "ts" ? ts : Array.from({ length: rows }, () => cellOf(r, c.kind, true, narrow)),
  }));
  const evolves = added.length > 0 || widened.length > 0;
  const options: WriteOptions = {
    ...(first ? { orderedOn: "ts" } : {}),
    rowGroupTarget: k.rowGroupTarget,
    ...(k.dedupe && !(k.dedupeOnNewColumn && first) ? { duplicatesOn: k.dedupe as string[] } : {}),
    ...(evolves || r() < 0.5 ? { schemaEvolution: "add-columns" as const } : {}),
  };
  const apply = () => {
    if (first) {
      k.history.push({ added: k.columns.map((c) => c.name), widened: [] });
    } else if (evolves) {
      for (const name of widened) {
        const column = k.columns.find((c) => c.name === name)!;
        column.kind = widerKind(column.kind)!;
      }
      k.columns.push(...added);
      k.history.push({ added: added.map((c) => c.name), widened: k.columns.filter((c) => widened.includes(c.name)).map((c) => c.name) });
    }
    const incoming = Array.from({ length: rows }, (_, i) => {
      const row: ModelRow = {};
      for (const column of k.columns) row[column.name] = columns.find((c) => c.name === column.name)?.values[i] ?? null;
      return row;
    });
    const stored = k.rows.map((row) => {
      const full: ModelRow = {};
      for (const column of k.columns) full[column.name] = row[column.name] ?? null;
      return full;
    });
    k.rows = referenceMerge(stored, incoming, "ts", k.dedupe);
    k.writes++;
  };
  return { columns, options, apply };
}

function expectedRows(k: KeyModel, columns: readonly string[], lo: number | undefined, hi: number | undefined, hiInclusive = false): string[][] {
  const kinds = new Map(k.columns.map((c) => [c.name, c.kind]));
  return k.rows
    .filter((row) => (lo === undefined || (row.ts as number) >= lo) && (hi === undefined || (hiInclusive ? (row.ts as number) <= hi : (row.ts as number) < hi)))
    .map((row) => columns.map((name) => normalCell(kinds.get(name)!, row[name] ?? null)));
}

function randomProjection(r: Random, k: KeyModel): string[] | undefined {
  if (r() < 0.3) return undefined;
  const names = k.columns.map((c) => c.name).filter(() => r() < 0.5);
  if (names.length === 0) names.push(pick(r, k.columns).name);
  for (let i = names.length - 1; i > 0; i--) {
    const j = int(r, 0, i + 1);
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names;
}

async function checkKey(t: ExecutionContext, r: Random, client: OupsClient, k: KeyModel, where: string): Promise<void> {
  const d = await client.describe(k.key);
  const names = k.columns.map((c) => c.name);
  t.deepEqual(d.schema?.fields.map((f) => f.name), names, `${where}: columns`);
  t.deepEqual(
    d.schemaHistory.map((v) => ({ added: v.addedColumns, widened: v.widenedColumns })),
    k.history,
    `${where}: schema history`,
  );
  t.true(
    d.rowGroups.every((g) => g.schemaVersion >= 0 && g.schemaVersion < d.schemaHistory.length),
    `${where}: row groups name versions of the history`,
  );
  const all = await client.read(k.key);
  t.deepEqual(readRows(all), expectedRows(k, names, undefined, undefined), `${where}: full read`);
  for (let q = 0; q < 3; q++) {
    const columns = randomProjection(r, k);
    const lo = r() < 0.2 ? undefined : int(r, -10, 310);
    const hi = r() < 0.2 ? undefined : int(r, lo ?? -10, 320);
    const endInclusive = r() < 0.3;
    const table = await client.read(k.key, {
      ...(lo !== undefined ? { start: BigInt(lo) } : {}),
      ...(hi !== undefined ? { end: BigInt(hi) } : {}),
      endInclusive,
      ...(columns ? { columns } : {}),
    });
    const asked = columns ?? names;
    t.deepEqual(table.schema.fields.map((f) => f.name), asked, `${where}: projection ${asked.join(",")}`);
    t.deepEqual(readRows(table), expectedRows(k, asked, lo, hi, endInclusive), `${where}: RangeQuery [${lo}, ${hi}${endInclusive ? "]" : ")"} ${asked.join(",")}`);
  }
}

async function checkIntersections(t: ExecutionContext, r: Random, client: OupsClient, keys: readonly KeyModel[], where: string): Promise<void> {
  const lo = r() < 0.2 ? undefined : int(r, -10, 200);
  const hi = r() < 0.2 ? undefined : int(r, lo ?? -10, 320);
  const columns = pick(r, [undefined, ["ts"], ["a", "ts"]]);
  const got = keys.map(() => [] as string[][]);
  for await (const part of client.queryIntersections(
    keys.map((k) => k.key),
    { ...(lo !== undefined ? { start: BigInt(lo) } : {}), ...(hi !== undefined ? { end: BigInt(hi) } : {}), ...(columns ? { columns } : {}) },
  )) {
    const k = keys[part.keyIndex]!;
    const asked = columns ?? k.columns.map((c) => c.name);
    const s = part.start === undefined ? undefined : Number(part.start as BoundValue as bigint);
    const e = part.end === undefined ? undefined : Number(part.end as BoundValue as bigint);
    const rows = readRows(part.table);
    t.deepEqual(rows, expectedRows(k, asked, s, e), `${where}: intersection part [${s}, ${e}) of ${k.label}`);
    got[part.keyIndex]!.push(...rows);
  }
  for (const [i, k] of keys.entries()) {
    const asked = columns ?? k.columns.map((c) => c.name);
    const expected = expectedRows(k, asked, lo, hi);
    // A dataset with no row in the range takes no part in the walk.
    t.deepEqual(got[i], expected, `${where}: QueryIntersections [${lo}, ${hi}) of ${k.label}`);
  }
}

test("writes that add, leave out and widen columns read back like a model that fills nulls and widens, on every read path", async (t) => {
  t.timeout(600_000);
  const dirs = [await makeTempDir(), await makeTempDir()];
  const daemons = [
    await Daemon.start({ storeDir: dirs[0]!, listen: "127.0.0.1:0", indexSchema: testIndex, rowGroupCacheBytes: 64 << 20 }),
    await Daemon.start({ storeDir: dirs[1]!, listen: "127.0.0.1:0", indexSchema: testIndex, rowGroupCacheBytes: 0 }),
  ];
  const clients = daemons.map((d) => new Client(d.address));
  try {
    for (let s = 0; s < SEEDS; s++) {
      const seed = SEED + s;
      const r = seededRandom(seed);
      const dedupes: { dedupe: ModelDedupe; onNew: boolean }[] = [
        { dedupe: undefined, onNew: false },
        { dedupe: undefined, onNew: false },
        { dedupe: ["ts"], onNew: false },
        { dedupe: ["ts", "g"], onNew: true },
      ];
      const keys: KeyModel[] = dedupes.map(({ dedupe, onNew }, i) => ({
        key: { symbol: `EVO${s}K${i}`, year: "2024", month: "1" },
        label: `seed ${seed} key ${i}${dedupe ? ` (dedupe on ${(dedupe as string[]).join(",")})` : ""}`,
        // The first write brings these; later ones evolve them.
        columns: [
          { name: "ts", kind: "i64" as const },
          { name: "a", kind: "i32" as const },
          { name: "b", kind: "f32" as const },
          { name: "s", kind: "dict" as const },
        ],
        history: [],
        rows: [],
        dedupe,
        dedupeOnNewColumn: onNew,
        rowGroupTarget: int(r, 4, 16),
        writes: 0,
        nextColumn: 0,
      }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const k of keys) {
          const plan = planWrite(r, k);
          const batch = evolvingBatch(plan.columns);
          for (const client of clients) await client.write(k.key, batch, plan.options);
          plan.apply();
        }
        for (const [i, client] of clients.entries()) {
          const where = `seed ${seed} round ${round} daemon ${i === 0 ? "cached" : "uncached"}`;
          for (const k of keys) await checkKey(t, r, client, k, `${where} ${k.label}`);
          await checkIntersections(t, r, client, keys, where);
        }
      }
      // Every dataset checks clean: row groups of older schema versions are checked against their own.
      for (const client of clients) {
        const report = await client.checkStore();
        t.deepEqual(report.findings, [], `seed ${seed}: oups check`);
      }
    }
  } finally {
    for (const c of clients) c.close();
    for (const d of daemons) await d.stop(5_000);
    for (const dir of dirs) await removeTempDir(dir);
  }
});
