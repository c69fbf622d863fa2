import test from "ava";
import { create, toBinary } from "@bufbuild/protobuf";
import { Field, Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from "apache-arrow";
import { WriteRequestSchema } from "#gen/oups/v1/store_pb.js";
import { encodeBatchMessages } from "#shared/arrow/ipc-stream.js";
import { allocateFramed, framedRequestSerializer } from "../../client/src/framed-payload.js";
import { encodeFramedBatch } from "../../client/src/ipc-chunks.js";
import { marketBatch } from "../rpc/helpers/market-data.js";

/** A batch with a nullable text column and a float column with nulls, which a slice cuts mid-bitmap. */
function nullableBatch(rows: number): RecordBatch {
  const text = vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? null : `v${i}é`)), new Utf8());
  const floats = vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : i / 7)), new Float64());
  const schema = new Schema([new Field("text", new Utf8(), true), new Field("x", new Float64(), true)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children: [text.data[0]!, floats.data[0]!] }));
}

test("a framed batch holds exactly the IPC messages tableToIPC writes for it, whole or sliced at any offset", (t) => {
  for (const batch of [marketBatch(0, 1000), nullableBatch(1000)]) {
    for (const [begin, end] of [[0, 1000], [0, 1], [1, 2], [3, 777], [7, 1000], [999, 1000], [8, 16], [5, 5]] as const) {
      const slice = begin === 0 && end === 1000 ? batch : batch.slice(begin, end);
      t.deepEqual(new Uint8Array(encodeFramedBatch(slice, batch.schema)), new Uint8Array(encodeBatchMessages(slice, batch.schema)), `${begin}..${end}`);
    }
  }
});

test("a framed payload is serialised as protobuf would, in place; any other message takes the fallback", (t) => {
  const serialize = framedRequestSerializer(WriteRequestSchema, (message) => Buffer.from(toBinary(WriteRequestSchema, message as never)));
  for (const length of [0, 1, 127, 128, 16_383, 16_384, 300_000]) {
    const payload = allocateFramed(length);
    for (let i = 0; i < length; i++) payload[i] = (i * 31) & 0xff;
    const message = create(WriteRequestSchema, { kind: { case: "arrowIpc", value: payload } });
    t.deepEqual(new Uint8Array(serialize(message)), toBinary(WriteRequestSchema, message), `${length} bytes`);
  }
  const plain = create(WriteRequestSchema, { kind: { case: "arrowIpc", value: new Uint8Array([1, 2, 3]) } });
  t.deepEqual(new Uint8Array(serialize(plain)), toBinary(WriteRequestSchema, plain));
  const header = create(WriteRequestSchema, { kind: { case: "header", value: { orderedOn: "ts" } } });
  t.deepEqual(new Uint8Array(serialize(header)), toBinary(WriteRequestSchema, header));
});
