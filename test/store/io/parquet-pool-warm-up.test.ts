import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import { ParquetPool } from "../../../server/src/store/io/parquet-pool.js";

test("warmUp starts every worker, each having loaded parquet-wasm", async (t) => {
  const pool = ParquetPool.create({ size: 2 });
  t.teardown(() => pool.close());
  t.deepEqual(pool.wasmMemoryBytes(), []);
  await pool.warmUp();
  const sizes = pool.wasmMemoryBytes();
  t.is(sizes.length, 2);
  t.true(sizes.every((size) => size > 0 && size % 65_536 === 0));
});

test("warmUp of a started pool starts no more workers", async (t) => {
  const pool = ParquetPool.create({ size: 2 });
  t.teardown(() => pool.close());
  await pool.warmUp();
  await Promise.all([pool.warmUp(), pool.warmUp()]);
  t.is(pool.wasmMemoryBytes().length, 2);
});

test("warmUp of a closed pool is rejected as cancelled", async (t) => {
  const pool = ParquetPool.create({ size: 1 });
  await pool.close();
  const err = await t.throwsAsync(pool.warmUp(), { instanceOf: OupsError });
  t.is(err?.code, "CANCELLED");
});

test("close waits for a warm-up under way", async (t) => {
  const pool = ParquetPool.create({ size: 2 });
  const warming = pool.warmUp();
  await pool.close();
  await t.notThrowsAsync(warming);
});

test("a worker that fails to start fails warmUp as internal", async (t) => {
  const pool = ParquetPool.create({ size: 1, workerUrl: new URL("./broken-parquet-worker.js", import.meta.url) });
  t.teardown(() => pool.close());
  const err = await t.throwsAsync(pool.warmUp(), { instanceOf: OupsError });
  t.is(err?.code, "INTERNAL");
  t.regex(err?.message ?? "", /while starting: .*cannot start/);
});

test("a warmed-up idle pool does not keep the process alive", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "oups-warm-up-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const poolUrl = new URL("../../../server/src/store/io/parquet-pool.js", import.meta.url).href;
  const script = join(dir, "warm-pool.mjs");
  // A script file rather than --eval: workers inherit the parent's flags and reject --input-type.
  await writeFile(
    script,
    `import { ParquetPool } from ${JSON.stringify(poolUrl)};
    const pool = ParquetPool.create({ size: 2 });
    await pool.warmUp();
    console.log(pool.wasmMemoryBytes().length);
    `,
  );
  // Without unref the child never exits: the timeout turns that hang into a failure.
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 60_000 });
  t.is(stdout.trim(), "2");
});
