import test from "ava";
import { status } from "@grpc/grpc-js";
import { createTypedClient, OupsClientError } from "../../client/src/index.js";
import { StoreService } from "#gen/oups/v1/store_pb.js";
import { handleListKeys } from "../../server/src/rpc/handlers/list-keys.js";
import { OupsError } from "../../server/src/store/errors.js";
import { Store } from "../../server/src/store/store.js";
import { daemonTest, makeTempDir, removeTempDir, testIndex } from "../helpers/with-daemon.js";
import { marketBatch } from "./helpers/market-data.js";
import { create, fromBinary } from "@bufbuild/protobuf";
import { ListKeysRequestSchema, ListKeysResponseSchema } from "#gen/oups/v1/store_pb.js";
import { validateIndexSchema } from "../../server/src/store/keys/index-schema.js";

const k = (symbol: string, year: number, month: number) => ({ symbol, year: String(year), month: String(month) });
const keys = [k("A", 2023, 1), k("A", 2023, 2), k("A", 2023, 10), k("A", 2024, 1), k("B", 1, 1), k("B", 1, 2), k("C", 5, 5)];

test(
  "pages of every size put together list every key once, in order; the last page has no token",
  daemonTest(async (t, { client, daemon }) => {
    await Promise.all(keys.map((key) => client.write(key, marketBatch(0, 2), { orderedOn: "timestamp" })));
    const rpc = createTypedClient(StoreService, daemon.address);
    t.teardown(() => rpc.close());
    const filters: Record<string, string>[] = [{}, { symbol: "A" }, { year: "1" }];
    for (const filter of filters) {
      const expected = keys.filter((key) => Object.entries(filter).every(([name, value]) => key[name as keyof typeof key] === value));
      for (let pageSize = 1; pageSize <= expected.length + 1; pageSize++) {
        const listed: Record<string, string>[] = [];
        let pageToken = "";
        let pages = 0;
        do {
          const response = await rpc.listKeys({ prefix: { fields: filter }, pageSize, pageToken });
          t.true(response.keys.length <= pageSize);
          t.true(response.keys.length > 0 || expected.length === 0);
          listed.push(...response.keys.map((key) => ({ ...key.fields })));
          pageToken = response.nextPageToken;
          pages++;
        } while (pageToken !== "" && pages < 100);
        t.deepEqual(listed, expected, `filter ${JSON.stringify(filter)}, pages of ${pageSize}`);
        t.is(pages, Math.max(1, Math.ceil(expected.length / pageSize)), `pages of ${pageSize}`);
      }
    }
    // Without page_size, everything in one response, as before pagination.
    const all = await rpc.listKeys({});
    t.is(all.nextPageToken, "");
    t.deepEqual(all.keys.map((key) => ({ ...key.fields })), keys);
    t.deepEqual(await client.listKeys(), keys, "the SDK pages transparently");
  }),
);

test(
  "a page resumes right after the previous page's last key, whether keys were added or removed meanwhile",
  daemonTest(async (t, { client, daemon }) => {
    await Promise.all(keys.map((key) => client.write(key, marketBatch(0, 2), { orderedOn: "timestamp" })));
    const rpc = createTypedClient(StoreService, daemon.address);
    t.teardown(() => rpc.close());
    const first = await rpc.listKeys({ pageSize: 3 });
    t.deepEqual(first.keys.map((key) => ({ ...key.fields })), keys.slice(0, 3));
    await client.remove(k("A", 2023, 10)); // the page's last key
    await client.remove(k("A", 2024, 1)); // the next page's first
    await client.write(k("A", 2023, 3), marketBatch(0, 2), { orderedOn: "timestamp" }); // before the cursor: not seen
    await client.write(k("A", 2023, 11), marketBatch(0, 2), { orderedOn: "timestamp" }); // after it: seen
    const second = await rpc.listKeys({ pageSize: 3, pageToken: first.nextPageToken });
    t.deepEqual(second.keys.map((key) => ({ ...key.fields })), [k("A", 2023, 11), k("B", 1, 1), k("B", 1, 2)]);
  }),
);

test(
  "a page_token the daemon did not make is INVALID_ARGUMENT naming page_token",
  daemonTest(async (t, { daemon }) => {
    const rpc = createTypedClient(StoreService, daemon.address);
    t.teardown(() => rpc.close());
    for (const pageToken of ["nonsense", "k", `k${Buffer.from("A-2023/x").toString("base64url")}`]) {
      const err = await t.throwsAsync(rpc.listKeys({ pageSize: 2, pageToken }));
      t.is((err as { code?: number }).code, status.INVALID_ARGUMENT, pageToken);
      t.regex(err?.message ?? "", /page_token/);
    }
  }),
);

test("pages are cut by bytes too, and without page_size keys past the message limit are TOO_LARGE naming page_size", async (t) => {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  const schema = validateIndexSchema({ ...testIndex, levels: testIndex.levels.map((level) => level.map((f) => ({ ...f }))) });
  const store = await Store.open(storeDir, { indexSchema: schema, parquetWorkers: 1 });
  t.teardown(() => store.close());
  const many = Array.from({ length: 40 }, (_, i) => k(`S${"x".repeat(100)}${String(i).padStart(2, "0")}`, 2024, 1));
  const batch = marketBatch(0, 1);
  for (const key of many) await store.write(key, { schema: batch.schema, batches: [batch] }, { orderedOn: "timestamp" });
  const request = (pageSize: number, pageToken = "") => create(ListKeysRequestSchema, { pageSize, pageToken });
  // A message limit that holds about ten of these keys (the page token's room included).
  const maxMessageBytes = 1600 + 16 + Math.ceil((2 * 256 * 4) / 3);
  const err = await t.throwsAsync(handleListKeys(store, request(0), maxMessageBytes), { instanceOf: OupsError });
  t.is(err?.code, "TOO_LARGE");
  t.regex(err?.message ?? "", /page_size/);
  const decode = async (pageSize: number, token: string) => {
    const { sendEncodedResponses } = await import("../../server/src/rpc/encoded-response.js");
    const { toGrpcServiceDefinition } = await import("#shared/grpc/service-definition.js");
    const serialize = sendEncodedResponses(toGrpcServiceDefinition(StoreService)).listKeys!.responseSerialize;
    return fromBinary(ListKeysResponseSchema, serialize(await handleListKeys(store, request(pageSize, token), maxMessageBytes)));
  };
  const listed: string[] = [];
  let token = "";
  let pages = 0;
  do {
    const page = await decode(1000, token);
    t.true(page.keys.length > 0 && page.keys.length < many.length);
    listed.push(...page.keys.map((key) => key.fields.symbol!));
    token = page.nextPageToken;
    pages++;
  } while (token !== "" && pages < 100);
  t.deepEqual(listed, many.map((key) => key.symbol));
  t.true(pages >= 3, `${pages} pages`);
});

test(
  "the SDK's listKeys still fails clearly on an invalid filter",
  daemonTest(async (t, { client }) => {
    const err = await t.throwsAsync(client.listKeys({ nosuchfield: "x" }), { instanceOf: OupsClientError });
    t.is(err?.code, "INVALID_KEY");
  }),
);
