import test from "ava";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { bytesMessageEncoder } from "../../client/src/grpc/bytes-message.js";
import {
  DescribeRequestSchema,
  RangeQueryResponseSchema,
  WriteHeaderSchema,
  WriteRequestSchema,
} from "../../client/src/gen/oups/v1/store_pb.js";

// Lengths around every varint size boundary.
const lengths = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152];

function payload(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

for (const length of lengths) {
  test(`a ${length}-byte RangeQueryResponse chunk encodes exactly as toBinary does`, (t) => {
    const encode = bytesMessageEncoder(RangeQueryResponseSchema)!;
    const message = create(RangeQueryResponseSchema, { arrowIpc: payload(length) });
    const fast = encode(message);
    t.deepEqual(fast && new Uint8Array(fast), toBinary(RangeQueryResponseSchema, message));
  });

  test(`a ${length}-byte WriteRequest chunk (a oneof member) encodes exactly as toBinary does`, (t) => {
    const encode = bytesMessageEncoder(WriteRequestSchema)!;
    const message = create(WriteRequestSchema, { kind: { case: "arrowIpc", value: payload(length) } });
    const fast = encode(message);
    t.deepEqual(fast && new Uint8Array(fast), toBinary(WriteRequestSchema, message));
    t.deepEqual(fromBinary(WriteRequestSchema, new Uint8Array(fast!)).kind, { case: "arrowIpc", value: payload(length) });
  });
}

test("plain init objects are encoded too", (t) => {
  const fast = bytesMessageEncoder(RangeQueryResponseSchema)!({ arrowIpc: payload(10) } as never);
  t.deepEqual(fromBinary(RangeQueryResponseSchema, new Uint8Array(fast!)).arrowIpc, payload(10));
});

test("messages the fast path does not cover are left to toBinary", (t) => {
  const encode = bytesMessageEncoder(WriteRequestSchema)!;
  t.is(encode(create(WriteRequestSchema, { kind: { case: "header", value: create(WriteHeaderSchema, {}) } })), undefined);
  t.is(encode(create(WriteRequestSchema, {})), undefined);
  const withUnknown = create(RangeQueryResponseSchema, { arrowIpc: payload(3) });
  withUnknown.$unknown = [{ no: 9, wireType: 0, data: new Uint8Array([1]) }];
  t.is(bytesMessageEncoder(RangeQueryResponseSchema)!(withUnknown), undefined);
  t.is(bytesMessageEncoder(DescribeRequestSchema), undefined);
});
