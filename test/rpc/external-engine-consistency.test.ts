/**
 * Another engine reading the store's Parquet files while the daemon writes: DuckDB reads the files ListFiles lists for
 * the current version, hundreds of times, while a writer commits continuously (appends and updates that rewrite row
 * groups). Retention is 0, so only the lease keeps a listed version's files on disk once the next commit lands. Every
 * read must give exactly that version's row count and checksums, and never fail.
 */
import test from "ava";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { OupsClient } from "../../client/src/index.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { ServeProcess } from "../helpers/serve-process.js";
import type { VersionSummary } from "../helpers/version-ledger.js";
import { formatSummary, VersionLedger } from "../helpers/version-ledger.js";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";

const READS = Number(process.env.OUPS_ENGINE_READS ?? 200);
const SEED = Number(process.env.OUPS_ENGINE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KEY = { symbol: "DUCK", year: "2024", month: "1" };

/** SQL list literal of file paths. */
function fileList(paths: readonly string[]): string {
  return `[${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(", ")}]`;
}

test("DuckDB reading the files ListFiles lists sees exactly the listed version, read after read, while a writer commits", async (t) => {
  t.timeout(600_000, "a hang guard only");
  t.log(`OUPS_ENGINE_SEED=${SEED} OUPS_ENGINE_READS=${READS}`);
  const dir = await makeTempDir("oups-engine-");
  const serve = await ServeProcess.start(
    ["--store", join(dir, "store"), "--listen", "127.0.0.1:0", "--index", "symbol,year:int/month:int", "--retain-generations", "0", "--retain-for", "0"],
    { OUPS_LOG_LEVEL: "info" },
  );
  const client = new OupsClient(serve.address);
  const duckdb = await DuckDBInstance.create(":memory:");
  const connection = await duckdb.connect();
  const ledger = new VersionLedger(KEY, seededRandom(SEED));
  const seen: { generation: number; summary: VersionSummary }[] = [];
  let committed = await ledger.write(client);
  // Wakes the reader waiting for the next commit.
  let onCommit: (() => void) | undefined;
  let reading = true;
  const writer = (async () => {
    while (reading) {
      committed = await ledger.write(client);
      onCommit?.();
    }
  })();
  try {
    for (let i = 0; i < READS; i++) {
      const listed = await client.rpc.listFiles({ key: { fields: KEY } });
      const generation = Number(listed.generation);
      // Every other read waits for a commit between the listing and the read: the listed version is then no longer
      // current, and with retention 0 only the lease keeps its files.
      if (i % 2 === 1) {
        const listedAt = generation;
        await new Promise<void>((resolve) => {
          const check = () => {
            if (committed > listedAt) {
              onCommit = undefined;
              resolve();
            }
          };
          onCommit = check;
          check();
        });
      }
      const paths = listed.files.map((f) => join(listed.storeDir, ...f.path.split("/")));
      const reader = await connection.runAndReadAll(
        `SELECT count(*)::BIGINT AS n, coalesce(sum(qty), 0)::BIGINT AS q, coalesce(sum(epoch_ms("timestamp")), 0)::BIGINT AS s FROM read_parquet(${fileList(paths)})`,
      );
      const row = reader.getRowObjects()[0]!;
      seen.push({ generation, summary: { rows: Number(row.n), qtySum: BigInt(row.q as bigint), timestampSum: BigInt(row.s as bigint) } });
      const released = await client.rpc.releaseLease({ leaseId: listed.lease!.id });
      t.true(released.released, `lease of read ${i} released`);
    }
  } finally {
    reading = false;
    await writer;
    connection.closeSync();
    duckdb.closeSync();
    client.close();
    await serve.stop();
    await removeTempDir(dir);
  }
  for (const { generation, summary } of seen) {
    const expected = ledger.summaryOf(generation);
    if (!expected) {
      t.fail(`read a generation ${generation} the writer never committed`);
      continue;
    }
    if (formatSummary(summary) !== formatSummary(expected)) t.fail(`generation ${generation}: DuckDB read ${formatSummary(summary)}, expected ${formatSummary(expected)}`);
  }
  t.is(seen.length, READS);
  // Half the reads came after a newer commit, so many distinct versions were read.
  t.true(new Set(seen.map((s) => s.generation)).size >= READS / 2);
});
