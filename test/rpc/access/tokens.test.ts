import type { ExecutionContext } from "ava";
import test from "ava";
import { Client, credentials, Metadata, status } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { tableFromArrays } from "apache-arrow";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OupsClient } from "../../../client/src/index.js";
import { OupsClientError } from "../../../client/src/index.js";
import { Daemon } from "../../../server/src/daemon.js";
import type { AccessFixture } from "../../helpers/access-daemon.js";
import { removeSharedTestPki, sharedTestPki, withAccessDaemon, writeTokenFile } from "../../helpers/access-daemon.js";
import { digestTree } from "../../helpers/tree-digest.js";
import { makeTempDir, removeTempDir, testIndex } from "../../helpers/with-daemon.js";

test.after.always(removeSharedTestPki);

const WRITE_TOKEN = "w-7f3a9c1e5b2d4f60";
const READ_TOKEN = "r-0b8e2d6a4c1f3e95";
const key = { symbol: "AAPL", year: "2023", month: "1" };
const table = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]), px: Float64Array.from([1, 2, 3]) });

/** Runs `body` against a daemon requiring the two tokens above, with AAPL written and its metadata set. */
async function withTokens(t: ExecutionContext, body: (fixture: AccessFixture & { writer: OupsClient; dir: string }) => Promise<void>) {
  const dir = await makeTempDir("oups-tokens-");
  t.teardown(() => removeTempDir(dir));
  const authTokenFile = await writeTokenFile(dir, ["# operators", `${WRITE_TOKEN} write`, "", `  ${READ_TOKEN}   read  `]);
  await withAccessDaemon({ authTokenFile }, async (fixture) => {
    const writer = fixture.connect({ token: WRITE_TOKEN });
    await writer.write(key, table, { orderedOn: "ts", metadata: { source: "feed" } });
    await body({ ...fixture, writer, dir });
  });
}

async function assertAccessError(t: ExecutionContext, call: Promise<unknown>, code: "UNAUTHENTICATED" | "FORBIDDEN", message: RegExp) {
  const err = await t.throwsAsync(call, { instanceOf: OupsClientError, message });
  t.is(err?.code, code);
  t.is(err?.grpcCode, code === "FORBIDDEN" ? status.PERMISSION_DENIED : status.UNAUTHENTICATED);
}

/** Every kind of call a client makes, reading and writing. */
function everyCall(client: OupsClient): Record<string, () => Promise<unknown>> {
  return {
    getIndexSchema: () => client.getIndexSchema(),
    listKeys: () => client.listKeys(),
    describe: () => client.describe(key),
    read: () => client.read(key),
    queryIntersections: async () => {
      for await (const part of client.queryIntersections([key])) void part;
    },
    getMetadata: () => client.getMetadata(key),
    write: () => client.write(key, table, { orderedOn: "ts" }),
    updateMetadata: () => client.updateMetadata(key, { set: { source: "other" } }),
    remove: () => client.remove(key),
    initStore: () => client.initStore(testIndex),
  };
}

test("a call without a token is refused with UNAUTHENTICATED, whatever the method", async (t) => {
  await withTokens(t, async ({ connect, storeDir }) => {
    const before = await digestTree(storeDir);
    for (const [name, call] of Object.entries(everyCall(connect()))) {
      await assertAccessError(t, call(), "UNAUTHENTICATED", /requires a token: send 'authorization: Bearer TOKEN'/);
      t.log(`${name} refused`);
    }
    t.deepEqual(await digestTree(storeDir), before);
  });
});

test("a call with an unknown token is refused with UNAUTHENTICATED, and the message does not echo it", async (t) => {
  await withTokens(t, async ({ connect, storeDir }) => {
    const before = await digestTree(storeDir);
    // A prefix of a real token, and a token of the right length but wrong.
    for (const token of [WRITE_TOKEN.slice(0, -1), `${WRITE_TOKEN.slice(0, -1)}1`, "nope"]) {
      for (const call of Object.values(everyCall(connect({ token })))) {
        const err = await t.throwsAsync(call(), { instanceOf: OupsClientError, message: /^unknown bearer token$/ });
        t.is(err?.code, "UNAUTHENTICATED");
        t.false(err?.message.includes(token));
      }
    }
    t.deepEqual(await digestTree(storeDir), before);
  });
});

test("an authorization header that is not a bearer token is refused as missing", async (t) => {
  await withTokens(t, async ({ connect }) => {
    for (const value of [WRITE_TOKEN, `Basic ${WRITE_TOKEN}`, "Bearer", `Bearer ${WRITE_TOKEN} extra`]) {
      const client = connect();
      await assertAccessError(t, client.listKeys({}, { metadata: { authorization: value } }), "UNAUTHENTICATED", /requires a token/);
    }
    // The scheme is case-insensitive (RFC 6750).
    t.deepEqual(await connect().listKeys({}, { metadata: { authorization: `bearer ${WRITE_TOKEN}` } }), [key]);
  });
});

test("a read token cannot write, update metadata, remove or declare the schema, and nothing stored changes", async (t) => {
  await withTokens(t, async ({ connect, writer, storeDir }) => {
    const reader = connect({ token: READ_TOKEN });
    const before = await digestTree(storeDir);
    const described = await writer.describe(key);
    await assertAccessError(t, reader.write(key, table, { orderedOn: "ts" }), "FORBIDDEN", /^Write needs a write token; this token may only read$/);
    await assertAccessError(t, reader.write({ ...key, symbol: "MSFT" }, table, { orderedOn: "ts" }), "FORBIDDEN", /^Write needs a write token/);
    await assertAccessError(t, reader.updateMetadata(key, { set: { source: "other" } }), "FORBIDDEN", /^UpdateMetadata needs a write token/);
    await assertAccessError(t, reader.remove(key), "FORBIDDEN", /^Remove needs a write token/);
    await assertAccessError(t, reader.initStore(testIndex), "FORBIDDEN", /^InitStore needs a write token/);
    t.deepEqual(await digestTree(storeDir), before);
    t.deepEqual(await writer.describe(key), described);
    t.deepEqual(await writer.listKeys(), [key]);
  });
});

test("a read token reads: schema, keys, describe, range query, intersections, metadata", async (t) => {
  await withTokens(t, async ({ connect }) => {
    const reader = connect({ token: READ_TOKEN });
    t.is((await reader.getIndexSchema()).name, testIndex.name);
    t.deepEqual(await reader.listKeys(), [key]);
    t.is((await reader.describe(key)).totalRows, 3);
    t.is((await reader.read(key)).numRows, 3);
    let rows = 0;
    for await (const part of reader.queryIntersections([key])) rows += part.table.numRows;
    t.is(rows, 3);
    t.deepEqual(await reader.getMetadata(key), { source: "feed" });
  });
});

test("a write token writes, updates metadata and removes", async (t) => {
  await withTokens(t, async ({ writer }) => {
    const other = { ...key, symbol: "MSFT" };
    t.is((await writer.write(other, table, { orderedOn: "ts" })).totalRows, 3);
    t.deepEqual(await writer.updateMetadata(other, { set: { a: "1" } }), { a: "1" });
    t.deepEqual(await writer.initStore(testIndex), { created: false });
    await writer.remove(other);
    t.deepEqual(await writer.listKeys(), [key]);
  });
});

test("health answers without a token", async (t) => {
  await withTokens(t, async ({ connect }) => {
    t.is(await connect().checkHealth(), "SERVING");
    t.is(await connect({ token: "unknown" }).checkHealth(), "SERVING");
  });
});

/** Opens the reflection stream on the raw wire and resolves with how it ended (the status code). */
function reflectionStatus(address: string, metadata: Metadata): Promise<number> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<number>((resolve) => {
    const call = client.makeBidiStreamRequest(
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      (b: Buffer) => b,
      (b: Buffer) => b,
      metadata,
    );
    call.on("data", () => call.end());
    call.on("error", (err: ServiceError) => resolve(err.code));
    call.on("status", (s: { code: number }) => resolve(s.code));
    // An empty ServerReflectionRequest: asks for nothing, answered with an error response, then the stream ends.
    call.write(Buffer.alloc(0));
  }).finally(() => client.close());
}

test("reflection needs a token too", async (t) => {
  await withTokens(t, async ({ daemon }) => {
    t.is(await reflectionStatus(daemon.address, new Metadata()), status.UNAUTHENTICATED);
    const withToken = new Metadata();
    withToken.set("authorization", `Bearer ${READ_TOKEN}`);
    t.is(await reflectionStatus(daemon.address, withToken), status.OK);
  });
});

test("tokens work over TLS with client certificates", async (t) => {
  const pki = await sharedTestPki();
  const dir = await makeTempDir("oups-tokens-");
  t.teardown(() => removeTempDir(dir));
  const authTokenFile = await writeTokenFile(dir, [`${READ_TOKEN} read`]);
  const tls = { certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: pki.caFile };
  await withAccessDaemon({ tls, authTokenFile }, async ({ connect }) => {
    const tlsOptions = { ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
    t.deepEqual(await connect({ tls: tlsOptions, token: READ_TOKEN }).listKeys(), []);
    await assertAccessError(t, connect({ tls: tlsOptions }).listKeys(), "UNAUTHENTICATED", /requires a token/);
  });
});

test("reloadTokens: a new token works at once, a removed one stops working", async (t) => {
  await withTokens(t, async ({ daemon, connect, dir }) => {
    const newToken = "n-5d1c7b3a9e2f4086";
    await writeTokenFile(dir, [`${newToken} write`, `${READ_TOKEN} read`]);
    t.true(await daemon.reloadTokens());
    t.deepEqual(await connect({ token: newToken }).listKeys(), [key]);
    await assertAccessError(t, connect({ token: WRITE_TOKEN }).listKeys(), "UNAUTHENTICATED", /unknown bearer token/);
    // A role can change too.
    await writeTokenFile(dir, [`${newToken} read`]);
    t.true(await daemon.reloadTokens());
    await assertAccessError(t, connect({ token: newToken }).remove(key), "FORBIDDEN", /Remove needs a write token/);
  });
});

test("reloadTokens keeps the tokens in force when the file became malformed or unreadable", async (t) => {
  await withTokens(t, async ({ daemon, connect, dir }) => {
    await writeTokenFile(dir, [`${WRITE_TOKEN} admin`]);
    t.false(await daemon.reloadTokens());
    t.deepEqual(await connect({ token: WRITE_TOKEN }).listKeys(), [key]);
    t.deepEqual(await connect({ token: READ_TOKEN }).listKeys(), [key]);
    await writeFile(join(dir, "tokens"), "");
    t.false(await daemon.reloadTokens());
    t.deepEqual(await connect({ token: READ_TOKEN }).listKeys(), [key]);
  });
});

test("reloadTokens without a token file does nothing", async (t) => {
  await withAccessDaemon({}, async ({ daemon, connect }) => {
    t.false(await daemon.reloadTokens());
    t.deepEqual(await connect().listKeys(), []);
  });
});

/** Daemon.start with this token file content fails with this message (never the token), the store left unlocked. */
async function assertBadTokenFile(t: ExecutionContext, lines: readonly string[], message: string) {
  const dir = await makeTempDir("oups-tokens-");
  t.teardown(() => removeTempDir(dir));
  const authTokenFile = await writeTokenFile(dir, lines);
  const storeDir = join(dir, "store");
  const err = await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0", authTokenFile }));
  t.is(err?.message, message.replace("FILE", authTokenFile));
  for (const line of lines) for (const word of line.split(/\s+/)) if (word.length > 6) t.false(err!.message.includes(word), word);
  const other = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  await other.stop();
}

test("a daemon does not start with a malformed token file, naming the line but never the token", async (t) => {
  await assertBadTokenFile(t, ["# tokens", `${WRITE_TOKEN} write`, `${READ_TOKEN} reader`], 'token file FILE line 3: expected "TOKEN read" or "TOKEN write"');
  await assertBadTokenFile(t, [`${WRITE_TOKEN}`], 'token file FILE line 1: expected "TOKEN read" or "TOKEN write"');
  await assertBadTokenFile(t, ["", `${WRITE_TOKEN} write extra-field`], 'token file FILE line 2: expected "TOKEN read" or "TOKEN write"');
  await assertBadTokenFile(t, [`${WRITE_TOKEN} write`, `${WRITE_TOKEN} read`], "token file FILE line 2: same token as line 1");
  await assertBadTokenFile(t, ["s\u00e9cr\u00e8t-t\u00f6ken read"], "token file FILE line 1: a token must be printable ASCII");
  await assertBadTokenFile(t, ["# nobody", ""], "token file FILE holds no token: no client could call");
});

test("a daemon does not start with a missing token file", async (t) => {
  const dir = await makeTempDir("oups-tokens-");
  t.teardown(() => removeTempDir(dir));
  const missing = join(dir, "no-such-file");
  await t.throwsAsync(Daemon.start({ storeDir: join(dir, "store"), listen: "127.0.0.1:0", authTokenFile: missing }), {
    message: `cannot read the token file ${missing}: no such file`,
  });
});
