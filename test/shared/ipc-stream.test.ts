import test from "ava";
import { RecordBatch, tableFromArrays } from "apache-arrow";
import { encodeBatchMessages, encodeSchemaMessage, openIpcStream } from "../../shared/src/arrow/ipc-stream.js";

/** An IPC stream as the daemon sends it: the schema message, then a batch's messages, each a chunk of its own. */
function messageChunks(): Uint8Array[] {
  const table = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]), v: Float64Array.from([1, 2, 3]) });
  return [encodeSchemaMessage(table.schema), encodeBatchMessages(table.batches[0]!)];
}

test("a batch whose chunk ends where its message ends is delivered before the source gives more bytes", async (t) => {
  const chunks = messageChunks();
  let pulledPastBatch!: () => void;
  const pulled = new Promise<"pulled">((resolve) => (pulledPastBatch = () => resolve("pulled")));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* source() {
    yield* chunks;
    pulledPastBatch();
    await gate;
  }
  const { batches } = await openIpcStream(source());
  const iterator = batches[Symbol.asyncIterator]();
  const first = await Promise.race([iterator.next(), pulled]);
  release();
  t.not(first, "pulled", "the reader waited for bytes after the batch before giving it");
  t.true(first !== "pulled" && first.value instanceof RecordBatch && first.value.numRows === 3);
  await iterator.return?.(undefined);
});
