import test from "ava";
import { status } from "@grpc/grpc-js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest, testIndex } from "../helpers/with-daemon.js";

test(
  "the daemon answers the standard health check with SERVING",
  daemonTest(async (t, { client }) => {
    t.is(await client.checkHealth(), "SERVING");
  }),
);

test(
  "GetIndexSchema returns the schema the store was opened with",
  daemonTest(async (t, { client }) => {
    t.deepEqual(await client.getIndexSchema(), testIndex);
  }),
);

test(
  "a store without a schema answers FAILED_PRECONDITION until InitStore declares one",
  daemonTest(
    async (t, { client }) => {
      const err = await t.throwsAsync(client.getIndexSchema(), { instanceOf: OupsClientError });
      t.is(err?.grpcCode, status.FAILED_PRECONDITION);
      t.is(err?.code, "NOT_INITIALIZED");
      t.deepEqual(await client.initStore(testIndex), { created: true });
      t.deepEqual(await client.initStore(testIndex), { created: false });
      t.deepEqual(await client.getIndexSchema(), testIndex);
    },
    { index: null },
  ),
);

test(
  "InitStore with another schema than the store's is refused with FAILED_PRECONDITION",
  daemonTest(async (t, { client }) => {
    const other = { ...testIndex, levels: [[{ name: "symbol", type: "string" as const }]] };
    const err = await t.throwsAsync(client.initStore(other), { instanceOf: OupsClientError });
    t.is(err?.grpcCode, status.FAILED_PRECONDITION);
    t.regex(err?.message ?? "", /index schema/);
    t.deepEqual(await client.getIndexSchema(), testIndex);
  }),
);
