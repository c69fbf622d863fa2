import test from "ava";
import { status } from "@grpc/grpc-js";
import { tableFromArrays } from "apache-arrow";
import { encodeBatchMessages, encodeSchemaMessage } from "#shared/arrow/ipc-stream.js";
import { OupsClientError } from "../../client/src/index.js";
import { daemonTest } from "../helpers/with-daemon.js";

const key = { symbol: "S", year: "2024", month: "2" };
const header = { kind: { case: "header" as const, value: { key: { fields: key }, orderedOn: "ts" } } };
const rows = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]) });

test(
  "a Write whose IPC stream lacks its end-of-stream marker is INVALID_ARGUMENT and commits nothing",
  daemonTest(async (t, { client }) => {
    const truncated = [
      header,
      { kind: { case: "arrowIpc" as const, value: encodeSchemaMessage(rows.schema) } },
      { kind: { case: "arrowIpc" as const, value: encodeBatchMessages(rows.batches[0]!) } },
    ];
    const err = await t.throwsAsync(client.rpc.write(truncated));
    t.is(OupsClientError.from(err).grpcCode, status.INVALID_ARGUMENT);
    t.regex(OupsClientError.from(err).message, /end-of-stream marker/);
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "a Write of a header alone is INVALID_ARGUMENT and creates no dataset",
  daemonTest(async (t, { client }) => {
    const err = await t.throwsAsync(client.rpc.write([header]));
    t.is(OupsClientError.from(err).grpcCode, status.INVALID_ARGUMENT);
    t.regex(OupsClientError.from(err).message, /Arrow IPC stream/);
    t.deepEqual(await client.listKeys(), []);
  }),
);

test(
  "a Write of an empty table creates an empty dataset with its schema and metadata",
  daemonTest(async (t, { client }) => {
    const empty = tableFromArrays({ ts: BigInt64Array.from([]) });
    const result = await client.write(key, empty, { orderedOn: "ts", metadata: { source: "" } });
    t.is(result.totalRows, 0);
    const description = await client.describe(key);
    t.deepEqual(description.schema?.fields.map((f) => f.name), ["ts"]);
    t.deepEqual(description.metadata, { source: "" });
    t.deepEqual(await client.listKeys(), [key]);
  }),
);
