import test from "ava";
import type { RecordBatch } from "apache-arrow";
import type { WriteOptions } from "../../../server/src/store/dataset/write-options.js";
import type { Row } from "../../helpers/engine.js";
import { engineTest, fileNames, listedFiles, readAll, rowGroupProblems, tableOfRows, testKey, testRowsOf } from "../../helpers/engine.js";
import { referenceMerge } from "../../helpers/reference-merge.js";
import { seededRandom } from "../../helpers/seeded-random.js";

const SEEDS = [1, 2, 3, 42, 1234];
const WRITES = 18;
const DEDUPE_TAGS = ["a", "b", "c"];

interface PlannedWrite {
  rows: Row[];
  options: Partial<WriteOptions>;
  dedupe: boolean;
  /** Batch sizes the rows are sent in. */
  batchSizes: number[];
}

/**
 * One random write: rows over a random range (overlapping earlier ones), with repeated ordered values. A
 * deduplicating write draws its tags from a small pool, so it meets stored rows; any other write gives each row a
 * tag of its own, so the rows it keeps can never be duplicates of anything later (which keeps the model exact:
 * the store never holds two rows equal on (ts, tag)).
 */
function planWrite(random: () => number, w: number): PlannedWrite {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  const dedupe = random() < 0.5;
  const sort = random() < 0.2;
  const count = int(0, 30);
  const lo = int(0, 200);
  const width = int(1, 60);
  const ts = Array.from({ length: count }, () => lo + int(0, width));
  if (!sort) ts.sort((a, b) => a - b);
  const rows: Row[] = ts.map((value, i) => ({
    ts: BigInt(value),
    v: w * 1000 + i,
    tag: dedupe ? DEDUPE_TAGS[int(0, DEDUPE_TAGS.length)]! : `w${w}-${i}`,
  }));
  const options: Partial<WriteOptions> = {};
  if (dedupe) options.duplicatesOn = ["tag"];
  if (sort) options.sort = true;
  if (random() < 0.3) options.maxNOffTargetRgs = int(1, 4);
  const batchSizes: number[] = [];
  for (let left = count; left > 0; ) {
    const size = Math.min(left, int(1, 12));
    batchSizes.push(size);
    left -= size;
  }
  return { rows, options, dedupe, batchSizes };
}

function batchesFor(write: PlannedWrite): RecordBatch[] {
  const batch = tableOfRows(write.rows).batches[0]!;
  const out: RecordBatch[] = [];
  let offset = 0;
  for (const size of write.batchSizes) {
    out.push(batch.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

for (const seed of SEEDS) {
  test(
    `random overlapping writes, with and without dedupe, match the reference model after every write (seed ${seed})`,
    engineTest(
      async (t, fixture) => {
        const random = seededRandom(seed);
        // Row groups of 4 to 12 rows: small enough that writes cut, straddle and coalesce them often.
        const target = 4 + Math.floor(random() * 9);
        let model: Row[] = [];
        for (let w = 0; w < WRITES; w++) {
          const write = planWrite(random, w);
          const schema = tableOfRows([]).schema;
          const options: WriteOptions = { orderedOn: "ts", rowGroupTarget: target, ...write.options };
          const where = `seed ${seed}, write ${w} (${JSON.stringify(write.options)}, ${write.rows.length} rows, target ${target})`;
          await fixture.store.write(testKey, { schema, batches: batchesFor(write) }, options);
          model = referenceMerge(model, write.rows, "ts", write.dedupe ? ["tag"] : undefined);
          t.deepEqual(testRowsOf(await readAll(fixture.store, testKey)), model, where);
          const { rowGroups, totalRows } = await fixture.store.describe(testKey);
          t.is(totalRows, model.length, where);
          t.deepEqual(rowGroupProblems(rowGroups), [], where);
          t.true(
            rowGroups.every((g) => g.rows <= target),
            `${where}: row groups above the target: ${rowGroups.map((g) => g.rows).join(",")}`,
          );
        }
        const listed = await listedFiles(fixture.store);
        await fixture.reopen({ writeWindowRows: 7 });
        t.deepEqual(await fileNames(fixture.datasetDir()), ["_manifest.json", ...listed].sort(), `seed ${seed}: leaked files`);
      },
      // Small windows, so that writes are merged in several windows with held-back tails.
      { writeWindowRows: 7 },
    ),
  );
}
