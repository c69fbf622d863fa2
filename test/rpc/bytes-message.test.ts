import test from "ava";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ScratchBuffer, bytesMessageEncoder } from "#shared/grpc/bytes-message.js";
import {
  DescribeRequestSchema,
  RangeQueryResponseSchema,
  WriteHeaderSchema,
  WriteRequestSchema,
} from "#gen/oups/v1/store_pb.js";

// Lengths around every varint size boundary.
const lengths = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152];

function payload(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

/** Byte-for-byte equality, without a deep comparison (slow on MiB-sized arrays). */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

for (const length of lengths) {
  test(`a ${length}-byte RangeQueryResponse chunk decodes as toBinary's, its payload 8-byte aligned behind the gRPC prefix`, (t) => {
    const encode = bytesMessageEncoder(RangeQueryResponseSchema)!;
    const message = create(RangeQueryResponseSchema, { arrowIpc: payload(length) });
    const fast = encode(message)!;
    if (length === 0) {
      t.true(sameBytes(fast, toBinary(RangeQueryResponseSchema, message)));
      return;
    }
    // As grpc-js hands a received message to its decoder: behind the 5-byte prefix, in a buffer of its own.
    const received = Buffer.alloc(5 + fast.byteLength);
    received.set(fast, 5);
    const decoded = fromBinary(RangeQueryResponseSchema, received.subarray(5));
    t.true(sameBytes(decoded.arrowIpc, payload(length)));
    t.is(decoded.arrowIpc.byteOffset % 8, 0);
    t.true(decoded.padding.every((b) => b === 0));
    t.true(decoded.padding.byteLength < 8);
  });

  test(`a ${length}-byte WriteRequest chunk (a oneof member) encodes exactly as toBinary does`, (t) => {
    const encode = bytesMessageEncoder(WriteRequestSchema)!;
    const message = create(WriteRequestSchema, { kind: { case: "arrowIpc", value: payload(length) } });
    const fast = encode(message);
    t.true(sameBytes(fast, toBinary(WriteRequestSchema, message)));
    const decoded = fromBinary(WriteRequestSchema, new Uint8Array(fast!)).kind;
    t.is(decoded.case, "arrowIpc");
    t.true(sameBytes(decoded.value as Uint8Array, payload(length)));
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

test("with a scratch buffer, messages are encoded into one reused buffer and decode to what was encoded", (t) => {
  const scratch = new ScratchBuffer(1 << 20);
  const encode = bytesMessageEncoder(RangeQueryResponseSchema, scratch)!;
  const message = (length: number) => create(RangeQueryResponseSchema, { arrowIpc: payload(length) });
  const decodes = (bytes: Uint8Array, length: number) => sameBytes(fromBinary(RangeQueryResponseSchema, new Uint8Array(bytes)).arrowIpc, payload(length));
  const first = encode(message(300_000))!;
  t.true(decodes(first, 300_000));
  const second = encode(message(100_000))!;
  t.is(second.buffer, first.buffer);
  t.is(second.byteOffset, first.byteOffset);
  t.true(decodes(second, 100_000));
  // Above the scratch's limit, a message gets a buffer of its own.
  const large = encode(message(2_000_000))!;
  t.not(large.buffer, first.buffer);
  t.true(decodes(large, 2_000_000));
});
