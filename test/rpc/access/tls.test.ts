import test from "ava";
import { status } from "@grpc/grpc-js";
import { tableFromArrays } from "apache-arrow";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OupsClientError } from "../../../client/src/index.js";
import { Daemon } from "../../../server/src/daemon.js";
import { removeSharedTestPki, sharedTestPki, withAccessDaemon } from "../../helpers/access-daemon.js";
import { makeTempDir, removeTempDir } from "../../helpers/with-daemon.js";

test.after.always(removeSharedTestPki);

const key = { symbol: "AAPL", year: "2023", month: "1" };
const table = tableFromArrays({ ts: BigInt64Array.from([1n, 2n, 3n]), px: Float64Array.from([1, 2, 3]) });

/** A hang guard only: a refused connection fails at once, well before this. */
const GUARD = { timeoutMs: 30_000 };

async function tlsFiles(clientCa = false) {
  const pki = await sharedTestPki();
  return { pki, tls: { certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: clientCa ? pki.caFile : undefined } };
}

/** Asserts that the call failed for lack of a secure connection (never reached a handler). */
async function assertRefused(t: import("ava").ExecutionContext, call: Promise<unknown>) {
  const err = await t.throwsAsync(call, { instanceOf: OupsClientError });
  t.is(err?.grpcCode, status.UNAVAILABLE, err?.message);
}

test("a TLS daemon serves a client that trusts its CA: write and read back", async (t) => {
  const { pki, tls } = await tlsFiles();
  await withAccessDaemon({ tls }, async ({ connect }) => {
    const client = connect({ tls: { ca: pki.ca } });
    t.is(await client.checkHealth(GUARD), "SERVING");
    await client.write(key, table, { orderedOn: "ts", ...GUARD });
    t.is((await client.read(key, GUARD)).numRows, 3);
  });
});

test("a TLS daemon is reached under the name its certificate gives with serverName", async (t) => {
  const { pki, tls } = await tlsFiles();
  await withAccessDaemon({ tls }, async ({ connect }) => {
    t.is(await connect({ tls: { ca: Buffer.from(pki.ca), serverName: "localhost" } }).checkHealth(GUARD), "SERVING");
    await assertRefused(t, connect({ tls: { ca: pki.ca, serverName: "not-the-daemon.example" } }).checkHealth(GUARD));
  });
});

test("a plaintext client cannot call a TLS daemon", async (t) => {
  const { tls } = await tlsFiles();
  await withAccessDaemon({ tls }, async ({ connect, storeDir }) => {
    await assertRefused(t, connect().listKeys({}, GUARD));
    await assertRefused(t, connect().write(key, table, { orderedOn: "ts", ...GUARD }));
    // Nothing reached the store.
    const reader = connect({ tls: { ca: (await sharedTestPki()).ca } });
    t.deepEqual(await reader.listKeys({}, GUARD), [], storeDir);
  });
});

test("a TLS client refuses a daemon whose certificate another CA signed", async (t) => {
  const { pki, tls } = await tlsFiles();
  await withAccessDaemon({ tls }, async ({ connect }) => {
    await assertRefused(t, connect({ tls: { ca: pki.otherCa } }).checkHealth(GUARD));
  });
});

test("mTLS: a client with a certificate of the client CA is served", async (t) => {
  const { pki, tls } = await tlsFiles(true);
  await withAccessDaemon({ tls }, async ({ connect }) => {
    const client = connect({ tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
    await client.write(key, table, { orderedOn: "ts", ...GUARD });
    t.is((await client.read(key, GUARD)).numRows, 3);
  });
});

test("mTLS: a client without a certificate is refused", async (t) => {
  const { pki, tls } = await tlsFiles(true);
  await withAccessDaemon({ tls }, async ({ connect }) => {
    await assertRefused(t, connect({ tls: { ca: pki.ca } }).checkHealth(GUARD));
    await assertRefused(t, connect({ tls: { ca: pki.ca } }).write(key, table, { orderedOn: "ts", ...GUARD }));
    const allowed = connect({ tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
    t.deepEqual(await allowed.listKeys({}, GUARD), []);
  });
});

test("mTLS: a client with a certificate of another CA is refused", async (t) => {
  const { pki, tls } = await tlsFiles(true);
  await withAccessDaemon({ tls }, async ({ connect }) => {
    const client = connect({ tls: { ca: pki.ca, cert: pki.otherClient.cert, key: pki.otherClient.key } });
    await assertRefused(t, client.checkHealth(GUARD));
    await assertRefused(t, client.write(key, table, { orderedOn: "ts", ...GUARD }));
  });
});

test("the SDK refuses a client certificate without its key", async (t) => {
  const { pki } = await sharedTestPki().then((p) => ({ pki: p }));
  await withAccessDaemon({}, async ({ connect }) => {
    t.throws(() => connect({ tls: { ca: pki.ca, cert: pki.client.cert } }), { instanceOf: TypeError, message: /tls\.cert and tls\.key go together/ });
  });
});

/** Daemon.start with these TLS files fails with this message, and the store is left unlocked. */
async function assertStartFails(t: import("ava").ExecutionContext, tls: { certFile: string; keyFile: string; clientCaFile?: string }, message: string) {
  const storeDir = await makeTempDir();
  t.teardown(() => removeTempDir(storeDir));
  await t.throwsAsync(Daemon.start({ storeDir, listen: "127.0.0.1:0", tls }), { message });
  // No lock was taken: a daemon opens the same store at once.
  const other = await Daemon.start({ storeDir, listen: "127.0.0.1:0" });
  await other.stop();
}

test("a daemon does not start with a missing TLS file, naming its flag and path", async (t) => {
  const { pki } = await tlsFiles();
  const missing = join(pki.dir, "no-such.pem");
  await assertStartFails(t, { certFile: missing, keyFile: pki.server.keyFile }, `cannot read --tls-cert ${missing}: no such file`);
  await assertStartFails(t, { certFile: pki.server.certFile, keyFile: missing }, `cannot read --tls-key ${missing}: no such file`);
  await assertStartFails(
    t,
    { certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: missing },
    `cannot read --tls-client-ca ${missing}: no such file`,
  );
});

test("a daemon does not start with a TLS file that is a directory", async (t) => {
  const { pki } = await tlsFiles();
  await assertStartFails(t, { certFile: pki.dir, keyFile: pki.server.keyFile }, `cannot read --tls-cert ${pki.dir}: it is a directory`);
});

test("a daemon does not start with files that are not PEM certificates and keys, and never shows their content", async (t) => {
  const { pki } = await tlsFiles();
  const garbage = join(pki.dir, "garbage.pem");
  await writeFile(garbage, "not a certificate but a secret\n");
  await assertStartFails(t, { certFile: garbage, keyFile: pki.server.keyFile }, `--tls-cert ${garbage} is not a PEM file`);
  // A key given as the certificate, and a certificate given as the key.
  await assertStartFails(t, { certFile: pki.server.keyFile, keyFile: pki.server.keyFile }, `--tls-cert ${pki.server.keyFile} holds no PEM certificate`);
  await assertStartFails(
    t,
    { certFile: pki.server.certFile, keyFile: pki.server.certFile },
    `--tls-key ${pki.server.certFile} is not an unencrypted PEM private key`,
  );
  const broken = join(pki.dir, "broken.pem");
  await writeFile(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  await assertStartFails(t, { certFile: broken, keyFile: pki.server.keyFile }, `--tls-cert ${broken} holds no valid PEM certificate`);
  await assertStartFails(
    t,
    { certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: pki.client.keyFile },
    `--tls-client-ca ${pki.client.keyFile} holds no PEM certificate`,
  );
});

test("a daemon does not start with a key that is not its certificate's", async (t) => {
  const { pki } = await tlsFiles();
  await assertStartFails(
    t,
    { certFile: pki.server.certFile, keyFile: pki.client.keyFile },
    `--tls-key ${pki.client.keyFile} is not the key of the certificate in --tls-cert ${pki.server.certFile}`,
  );
});
