import type { ExecutionContext } from "ava";
import test from "ava";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { OupsClient, OupsClientError } from "../../client/src/index.js";
import { removeSharedTestPki, sharedTestPki, writeTokenFile } from "../helpers/access-daemon.js";
import { ServeProcess } from "../helpers/serve-process.js";
import { runCli, tempDir } from "./run-cli.js";
import type { CliRun } from "./run-cli.js";

test.after.always(removeSharedTestPki);

const WRITE_TOKEN = "cli-w-3e8a1f6c2b9d7054";
const READ_TOKEN = "cli-r-9c4f0a2e7b1d6583";
const csv = "ts,price\n1,1.5\n2,2.5\n3,3.5\n";

/** Starts `oups serve` with TLS, client certificates and the two tokens above; stopped when the test ends. */
async function serveWithAccess(t: ExecutionContext, extraArgs: readonly string[] = []) {
  const pki = await sharedTestPki();
  const dir = await tempDir(t);
  const tokenFile = await writeTokenFile(dir, ["# test tokens", `${WRITE_TOKEN} write`, `${READ_TOKEN} read`]);
  const serve = await ServeProcess.start([
    "--store", join(dir, "store"), "--listen", "127.0.0.1:0", "--index", "symbol",
    "--tls-cert", pki.server.certFile, "--tls-key", pki.server.keyFile, "--tls-client-ca", pki.caFile,
    "--auth-token-file", tokenFile, ...extraArgs,
  ]);
  t.teardown(() => serve.stop());
  return { pki, dir, tokenFile, serve };
}

/** The daemon's stderr names none of these secrets. */
function assertNoSecrets(t: ExecutionContext, serve: ServeProcess, secrets: readonly string[]) {
  for (const secret of secrets) t.false(serve.stderr.includes(secret), `daemon log shows a token:\n${serve.stderr}`);
}

async function assertUnauthenticated(t: ExecutionContext, call: Promise<unknown>) {
  const err = await t.throwsAsync(call, { instanceOf: OupsClientError });
  t.is(err?.code, "UNAUTHENTICATED", err?.message);
}

test("SIGHUP makes oups serve reload its token file: a new token works, a removed one stops working", async (t) => {
  const { pki, tokenFile, serve } = await serveWithAccess(t);
  const tls = { ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
  const connect = (token: string) => {
    const client = new OupsClient(serve.address, { tls, token });
    t.teardown(() => client.close());
    return client;
  };
  t.deepEqual(await connect(WRITE_TOKEN).listKeys(), []);
  const newToken = "cli-n-5a7c9e1b3d2f4068";
  await writeTokenFile(tokenFile.slice(0, tokenFile.lastIndexOf("/")), [`${newToken} write`]);
  serve.kill("SIGHUP");
  await serve.waitForText((s) => /tokens reloaded from .*: 1 write, 0 read/.test(s));
  t.deepEqual(await connect(newToken).listKeys(), []);
  await assertUnauthenticated(t, connect(WRITE_TOKEN).listKeys());
  await assertUnauthenticated(t, connect(READ_TOKEN).listKeys());
  // A malformed file is refused; the tokens in force stay so.
  await writeFile(tokenFile, `${newToken} write\nleaked-looking-line\n`);
  serve.kill("SIGHUP");
  await serve.waitForText((s) => /token reload failed, the tokens loaded before stay in force: token file .* line 2: expected/.test(s));
  t.deepEqual(await connect(newToken).listKeys(), []);
  t.is(await serve.stop(), 0);
  assertNoSecrets(t, serve, [WRITE_TOKEN, READ_TOKEN, newToken, "leaked-looking-line"]);
});

test("the CLI reaches a TLS daemon requiring client certificates and tokens with --tls-* and --token-file", async (t) => {
  const { pki, dir, serve } = await serveWithAccess(t);
  const writeTokenPath = join(dir, "write.token");
  const readTokenPath = join(dir, "read.token");
  await writeFile(writeTokenPath, `${WRITE_TOKEN}\n`);
  await writeFile(readTokenPath, READ_TOKEN);
  const file = join(dir, "ticks.csv");
  await writeFile(file, csv);
  const tlsFlags = ["--address", serve.address, "--tls-ca", pki.caFile, "--tls-cert", pki.client.certFile, "--tls-key", pki.client.keyFile];
  const ok = (run: CliRun) => t.is(run.code, 0, run.stderr);

  ok(await runCli(["write", ...tlsFlags, "--token-file", writeTokenPath, "-k", "symbol=AAPL", "--ordered-on", "ts", file]));
  const keys = await runCli(["keys", ...tlsFlags, "--token-file", readTokenPath]);
  ok(keys);
  t.is(keys.stdout, "symbol=AAPL\n");
  // No Node warning about the IP address as TLS server name.
  t.is(keys.stderr, "");
  ok(await runCli(["describe", ...tlsFlags, "--token-file", readTokenPath, "-k", "symbol=AAPL"]));
  const query = await runCli(["query", ...tlsFlags, "--token-file", readTokenPath, "-k", "symbol=AAPL", "--format", "csv"]);
  ok(query);
  t.regex(query.stdout, /^ts,price\n1,1\.5\n2,2\.5\n3,3\.5\n$/);
  ok(await runCli(["meta", "set", ...tlsFlags, "--token-file", writeTokenPath, "-k", "symbol=AAPL", "source=test"]));
  const meta = await runCli(["meta", "get", ...tlsFlags, "--token-file", readTokenPath, "-k", "symbol=AAPL"]);
  t.is(meta.stdout, "source=test\n");

  // A read token cannot remove; nothing changes.
  const refused = await runCli(["rm", ...tlsFlags, "--token-file", readTokenPath, "-k", "symbol=AAPL"]);
  t.is(refused.code, 1);
  t.is(refused.stderr, "oups rm: Remove needs a write token; this token may only read\n");
  // No token at all.
  const anonymous = await runCli(["keys", ...tlsFlags]);
  t.is(anonymous.code, 1);
  t.is(anonymous.stderr, "oups keys: this daemon requires a token: send 'authorization: Bearer TOKEN'\n");
  // No client certificate, or no TLS: the connection is refused.
  const noCert = await runCli(["keys", "--address", serve.address, "--tls-ca", pki.caFile, "--token-file", readTokenPath]);
  t.is(noCert.code, 1);
  t.regex(noCert.stderr, /^oups keys: cannot reach the oups daemon at /);
  const plain = await runCli(["keys", "--address", serve.address, "--token-file", readTokenPath]);
  t.is(plain.code, 1);
  t.regex(plain.stderr, /^oups keys: cannot reach the oups daemon at /);

  // The same through the environment: OUPS_TOKEN, then OUPS_TOKEN_FILE.
  const env = { OUPS_ADDRESS: serve.address, OUPS_TLS_CA: pki.caFile, OUPS_TLS_CERT: pki.client.certFile, OUPS_TLS_KEY: pki.client.keyFile };
  t.is((await runCli(["keys"], { ...env, OUPS_TOKEN: READ_TOKEN })).stdout, "symbol=AAPL\n");
  t.is((await runCli(["keys"], { ...env, OUPS_TOKEN_FILE: readTokenPath })).stdout, "symbol=AAPL\n");
  ok(await runCli(["rm", "-k", "symbol=AAPL"], { ...env, OUPS_TOKEN_FILE: writeTokenPath }));
  t.is((await runCli(["keys"], { ...env, OUPS_TOKEN: READ_TOKEN })).stdout, "");

  t.is(await serve.stop(), 0);
  assertNoSecrets(t, serve, [WRITE_TOKEN, READ_TOKEN]);
});

test("the CLI refuses a client certificate without its key and a token file holding more than a token", async (t) => {
  const dir = await tempDir(t);
  const pki = await sharedTestPki();
  const certAlone = await runCli(["keys", "--tls-cert", pki.client.certFile]);
  t.is(certAlone.code, 2);
  t.regex(certAlone.stderr, /^oups keys: --tls-cert given alone: a client certificate needs both --tls-cert and --tls-key/);
  const tokenFile = await writeTokenFile(dir, [`${WRITE_TOKEN} write`]);
  const wrongFile = await runCli(["keys", "--token-file", tokenFile]);
  t.is(wrongFile.code, 1);
  t.is(wrongFile.stderr, `oups keys: the token file ${tokenFile} must hold one token alone (printable ASCII, no spaces)\n`);
  const missing = await runCli(["keys", "--tls-ca", join(dir, "nope.pem")]);
  t.is(missing.code, 1);
  t.is(missing.stderr, `oups keys: cannot read --tls-ca ${join(dir, "nope.pem")}: no such file\n`);
});

test("oups serve refuses half a TLS configuration and a malformed token file, in one line naming no token", async (t) => {
  const dir = await tempDir(t);
  const pki = await sharedTestPki();
  const store = ["--store", join(dir, "store"), "--listen", "127.0.0.1:0"];
  const certAlone = await runCli(["serve", ...store, "--tls-cert", pki.server.certFile]);
  t.is(certAlone.code, 1);
  t.is(certAlone.stderr, "oups serve: --tls-cert (OUPS_TLS_CERT) given alone: TLS needs both --tls-cert and --tls-key\n");
  const keyAlone = await runCli(["serve", ...store], { OUPS_TLS_KEY: pki.server.keyFile });
  t.is(keyAlone.stderr, "oups serve: --tls-key (OUPS_TLS_KEY) given alone: TLS needs both --tls-cert and --tls-key\n");
  const caAlone = await runCli(["serve", ...store, "--tls-client-ca", pki.caFile]);
  t.is(caAlone.stderr, "oups serve: --tls-client-ca (OUPS_TLS_CLIENT_CA) needs TLS: give --tls-cert and --tls-key too\n");
  const tokenFile = await writeTokenFile(dir, ["# ok", `${WRITE_TOKEN} write`, `${READ_TOKEN}:read`]);
  const bad = await runCli(["serve", ...store], { OUPS_AUTH_TOKEN_FILE: tokenFile });
  t.is(bad.code, 1);
  t.is(bad.stderr, `oups serve: token file ${tokenFile} line 3: expected "TOKEN read" or "TOKEN write"\n`);
});

test("oups serve warns when it listens beyond loopback without TLS and tokens, not with both", async (t) => {
  const dir = await tempDir(t);
  const pki = await sharedTestPki();
  const open = await ServeProcess.start(["--store", join(dir, "open"), "--listen", "0.0.0.0:0"]);
  t.is(await open.stop(), 0);
  t.regex(open.stderr, /"level":"warn"[^\n]*"msg":"listening on 0\.0\.0\.0, reachable from other machines, without TLS and tokens: /);
  const tokenFile = await writeTokenFile(dir, [`${WRITE_TOKEN} write`]);
  const tokensOnly = await ServeProcess.start(["--store", join(dir, "tokens-only"), "--listen", "0.0.0.0:0", "--auth-token-file", tokenFile]);
  t.is(await tokensOnly.stop(), 0);
  t.regex(tokensOnly.stderr, /"level":"warn"[^\n]*"msg":"listening on 0\.0\.0\.0, reachable from other machines, without TLS: /);
  const tls = ["--tls-cert", pki.server.certFile, "--tls-key", pki.server.keyFile];
  const both = await ServeProcess.start(["--store", join(dir, "both"), "--listen", "0.0.0.0:0", ...tls, "--auth-token-file", tokenFile]);
  t.is(await both.stop(), 0);
  t.notRegex(both.stderr, /"level":"warn"/);
  const loopback = await ServeProcess.start(["--store", join(dir, "loopback"), "--listen", "127.0.0.1:0"]);
  t.is(await loopback.stop(), 0);
  t.notRegex(loopback.stderr, /"level":"warn"/);
  t.false(both.stderr.includes(WRITE_TOKEN));
});
