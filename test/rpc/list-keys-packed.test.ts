import test from "ava";
import { create, fromBinary } from "@bufbuild/protobuf";
import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { createTypedClient, OupsClient } from "../../client/src/index.js";
import type { ListKeysRequest, ListKeysResponse } from "#gen/oups/v1/store_pb.js";
import { ListKeysRequestSchema, ListKeysResponseSchema, StoreService } from "#gen/oups/v1/store_pb.js";
import { toGrpcServiceDefinition } from "#shared/grpc/service-definition.js";
import { handleListKeys } from "../../server/src/rpc/handlers/list-keys.js";
import { sendEncodedResponses } from "../../server/src/rpc/encoded-response.js";
import { OupsError } from "../../server/src/store/errors.js";
import { validateIndexSchema } from "../../server/src/store/keys/index-schema.js";
import { Store } from "../../server/src/store/store.js";
import { daemonTest, makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";

const k = (symbol: string, year: number, month: number) => ({ symbol, year: String(year), month: String(month) });
const keys = [k("A", 2023, 1), k("A", 2023, 2), k("A", 2023, 10), k("A", 2024, 1), k("B", 1, 1), k("B", 1, 2), k("C\u00e9\u4e2d\u{1F600}", 5, 5)];
const fieldNames = ["symbol", "year", "month"];

function unpack(response: ListKeysResponse): Record<string, string>[] {
  const values = response.packedValues.split("\n");
  if (values.at(-1) !== "") throw new Error("packed values do not end with a newline");
  const out: Record<string, string>[] = [];
  for (let i = 0; i + 1 < values.length; i += response.packedFields.length) {
    out.push(Object.fromEntries(response.packedFields.map((name, f) => [name, values[i + f]!])));
  }
  return out;
}

test(
  "packed pages of every size list what Key pages list, with the schema's field names and no Key message",
  daemonTest(async (t, { client, daemon }) => {
    await Promise.all(keys.map((key) => client.write(key, marketBatch(0, 2), { orderedOn: "timestamp" })));
    const rpc = createTypedClient(StoreService, daemon.address);
    t.teardown(() => rpc.close());
    for (const filter of [{}, { symbol: "A" }, { year: "1" }, { symbol: "nosuch" }] as Record<string, string>[]) {
      const expected = keys.filter((key) => Object.entries(filter).every(([name, value]) => key[name as keyof typeof key] === value));
      for (const pageSize of [0, 1, 2, 3, expected.length + 1]) {
        const listed: Record<string, string>[] = [];
        let pageToken = "";
        let pages = 0;
        do {
          const response = await rpc.listKeys({ prefix: { fields: filter }, pageSize, pageToken, packed: true });
          t.deepEqual(response.packedFields, fieldNames, "every page names the fields, an empty one too");
          t.is(response.keys.length, 0);
          const page = unpack(response);
          if (pageSize > 0) t.true(page.length <= pageSize);
          listed.push(...page);
          pageToken = response.nextPageToken;
          pages++;
        } while (pageToken !== "" && pages < 100);
        t.deepEqual(listed, expected, `filter ${JSON.stringify(filter)}, pages of ${pageSize}`);
        t.is(pages, pageSize === 0 ? 1 : Math.max(1, Math.ceil(expected.length / pageSize)));
      }
    }
    // A client that does not ask for packed keys gets Key messages, as before.
    const plain = await rpc.listKeys({});
    t.deepEqual(plain.packedFields, []);
    t.is(plain.packedValues, "");
    t.deepEqual(plain.keys.map((key) => ({ ...key.fields })), keys);
    t.deepEqual(await client.listKeys(), keys, "the SDK reads packed pages");
    t.deepEqual(await client.listKeys({ symbol: "B" }), keys.slice(4, 6));
  }),
);

test("packed pages are cut by bytes, and without page_size packed keys past the message limit are TOO_LARGE", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const schema = validateIndexSchema({ ...testIndex, levels: testIndex.levels.map((level) => level.map((f) => ({ ...f }))) });
  const store = await Store.open(storeDir, { indexSchema: schema, parquetWorkers: 1 });
  t.teardown(() => store.close());
  const many = Array.from({ length: 40 }, (_, i) => k(`S${"\u00e9".repeat(50)}${String(i).padStart(2, "0")}`, 2024, 1));
  const batch = marketBatch(0, 1);
  for (const key of many) await store.write(key, { schema: batch.schema, batches: [batch] }, { orderedOn: "timestamp" });
  // A message limit that holds about ten of these keys (113 bytes each, packed), the page token's room included.
  const maxMessageBytes = 1130 + 16 + Math.ceil((2 * 256 * 4) / 3);
  const request = (pageSize: number, pageToken = "") => create(ListKeysRequestSchema, { pageSize, pageToken, packed: true });
  const err = await t.throwsAsync(handleListKeys(store, request(0), maxMessageBytes), { instanceOf: OupsError });
  t.is(err?.code, "TOO_LARGE");
  const serialize = sendEncodedResponses(toGrpcServiceDefinition(StoreService)).listKeys!.responseSerialize;
  const listed: string[] = [];
  let token = "";
  let pages = 0;
  do {
    const bytes = serialize(await handleListKeys(store, request(1000, token), maxMessageBytes));
    t.true(bytes.byteLength <= maxMessageBytes, `a page of ${bytes.byteLength} bytes`);
    const page = unpack(fromBinary(ListKeysResponseSchema, bytes));
    t.true(page.length > 0 && page.length < many.length);
    listed.push(...page.map((key) => key.symbol!));
    token = fromBinary(ListKeysResponseSchema, bytes).nextPageToken;
    pages++;
  } while (token !== "" && pages < 100);
  t.deepEqual(listed, many.map((key) => key.symbol));
  t.true(pages >= 3, `${pages} pages`);
});

test("the SDK lists the keys of a daemon from before packed listings, which answers Key messages", async (t) => {
  // Such a daemon ignores the request's packed field: pages of two Key messages, whatever was asked.
  const server = new Server();
  const asked: ListKeysRequest[] = [];
  server.addService(toGrpcServiceDefinition(StoreService), {
    listKeys: (call: ServerUnaryCall<ListKeysRequest, ListKeysResponse>, callback: sendUnaryData<ListKeysResponse>) => {
      asked.push(call.request);
      const start = call.request.pageToken === "" ? 0 : Number(call.request.pageToken);
      const page = keys.slice(start, start + 2);
      const next = start + 2 < keys.length ? String(start + 2) : "";
      callback(null, create(ListKeysResponseSchema, { keys: page.map((fields) => ({ fields })), nextPageToken: next }));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  t.teardown(() => server.forceShutdown());
  const client = new OupsClient(`127.0.0.1:${port}`);
  t.teardown(() => client.close());
  t.deepEqual(await client.listKeys(), keys);
  t.true(asked.every((request) => request.packed));
  t.is(asked.length, 4);
});
