import { join } from "node:path";
import type { KeyFields } from "../client/src/index.js";
import { OupsClient } from "../client/src/index.js";
import type { BenchContext } from "./bench-context.js";
import { startDaemon } from "./bench-context.js";
import { marketBatch } from "./data.js";
import { median, progress, timed } from "./measure.js";

const LIST_REPEATS = 5;

/** Keys: one ListKeys call on a store of many one-row datasets, written through the SDK with bounded concurrency. */
export async function benchKeys(context: BenchContext): Promise<void> {
  const { keys, keyConcurrency } = context.config;
  const keysText = keys.toLocaleString("en-US");
  const storeDir = join(context.tempRoot, "keys-store");
  const row = marketBatch(context.columns, 0, 1);

  progress(`keys: writing ${keysText} one-row datasets, ${keyConcurrency} at a time`);
  const daemon = await startDaemon(context, storeDir, "keys");
  const client = new OupsClient(daemon.address);
  let create: { ms: number };
  const listMs: number[] = [];
  let peak: number;
  try {
    create = await timed(async () => {
      let next = 0;
      const writeNext = async (): Promise<void> => {
        for (let i = next++; i < keys; i = next++) {
          await client.write(keyOf(i), row, { orderedOn: "timestamp" });
        }
      };
      await Promise.all(Array.from({ length: keyConcurrency }, writeNext));
    });
    progress(`keys: ListKeys over ${keysText} keys`);
    for (let run = 0; run < LIST_REPEATS; run++) {
      const listed = await timed(() => client.listKeys());
      if (listed.value.length !== keys) throw new Error(`ListKeys returned ${listed.value.length} keys, expected ${keys}`);
      listMs.push(listed.ms);
    }
    peak = await daemon.peakRssBytes();
  } finally {
    client.close();
    await daemon.stop();
  }

  context.rows.push({ figure: `ListKeys on ${keysText} keys (median of ${LIST_REPEATS})`, unit: "ms", oups: median(listMs), target: "< 10 ms", aim: { below: 10 }, daemonPeakRssBytes: peak });
  context.notes.push(
    `Keys: ${keysText} one-row datasets written through the SDK, ${keyConcurrency} writes in flight, in ${(create.ms / 1000).toFixed(1)} s ` +
      `(${(keys / (create.ms / 1000)).toFixed(0)} writes/s); ListKeys runs ${listMs.map((ms) => ms.toFixed(0)).join(", ")} ms.`,
  );
}

function keyOf(i: number): KeyFields {
  return { symbol: `K${String(i).padStart(6, "0")}`, day: "20240102" };
}
