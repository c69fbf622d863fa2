/**
 * Cost of the write path's batch checks (`node build/bench/validate-batch.js [rows]`): a market batch of `rows` rows
 * (default 1 Mi) is encoded as an IPC stream and read back, as the daemon receives it; the header check runs over
 * its bytes and the batch validation over the decoded batch, each timed over several runs. Prints ns per row.
 * @module
 */
import { RecordBatchReader, Table, tableToIPC } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { validateBatch } from "../server/src/store/arrow/validate-batch.js";
import { checkedIpcFraming } from "../server/src/store/io/check-ipc-headers.js";
import { generateMarketColumns, marketBatch } from "./data.js";

const rows = Number(process.argv[2] ?? 1 << 20);
const runs = 20;
const ipc = tableToIPC(new Table([marketBatch(generateMarketColumns(0, rows), 0, rows)]), "stream");
const [decoded] = [...RecordBatchReader.from(ipc)] as RecordBatch[];

function drain(): void {
  checkedIpcFraming().push(ipc);
}

function time(run: () => void | Promise<void>): Promise<number> {
  return (async () => {
    await run();
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      await run();
      best = Math.min(best, Number(process.hrtime.bigint() - start));
    }
    return best;
  })();
}

// A fresh batch per run, so that the dictionary is checked every time as it is for a new stream.
const validate = await time(() => validateBatch([...RecordBatchReader.from(ipc)][0] as RecordBatch, 0));
const decode = await time(() => void [...RecordBatchReader.from(ipc)]);
const reused = await time(() => validateBatch(decoded, 0));
const headers = await time(drain);
const perRow = (ns: number) => (ns / rows).toFixed(2);
console.log(`${rows} market rows (timestamp ms, dictionary symbol, float64 price, int32 qty), best of ${runs}:`);
console.log(`  decode + validateBatch  ${perRow(validate)} ns/row (decode alone ${perRow(decode)} ns/row)`);
console.log(`  validateBatch, dictionary already checked  ${perRow(reused)} ns/row`);
console.log(`  framing and header check over the stream bytes  ${perRow(headers)} ns/row`);
