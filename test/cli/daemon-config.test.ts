import test from "ava";
import { DEFAULT_LISTEN, DEFAULT_STORE_DIR, resolveDaemonConfig } from "../../server/src/config.js";
import { DEFAULT_SERVING_LIMITS } from "../../server/src/serving-limits.js";
import { OupsError } from "../../server/src/store/errors.js";

test("flags win over the environment, which wins over the defaults", (t) => {
  t.deepEqual(resolveDaemonConfig({}, {}), {
    storeDir: DEFAULT_STORE_DIR,
    listen: DEFAULT_LISTEN,
    indexSpec: undefined,
    cacheMiB: undefined,
    metadataLimits: {},
    limits: DEFAULT_SERVING_LIMITS,
    logLevel: "info",
    logFormat: undefined,
    metricsListen: undefined,
    access: { tls: undefined, authTokenFile: undefined },
    versions: {},
  });
  const env = { OUPS_STORE: "/env", OUPS_LISTEN: "0.0.0.0:1", OUPS_INDEX: "a", OUPS_CACHE_MB: "64" };
  t.like(resolveDaemonConfig({}, env), { storeDir: "/env", listen: "0.0.0.0:1", indexSpec: "a", cacheMiB: 64, metadataLimits: {}, limits: DEFAULT_SERVING_LIMITS });
  t.like(resolveDaemonConfig({ store: "/flag", listen: "127.0.0.1:2", index: "b", "cache-mb": "0" }, env), {
    storeDir: "/flag",
    listen: "127.0.0.1:2",
    indexSpec: "b",
    cacheMiB: 0,
    metadataLimits: {},
    limits: DEFAULT_SERVING_LIMITS,
    access: { tls: undefined, authTokenFile: undefined },
  });
});

test("TLS files and the token file come from flags, then the environment; an empty variable is unset", (t) => {
  const env = { OUPS_TLS_CERT: "/env/c.pem", OUPS_TLS_KEY: "/env/k.pem", OUPS_TLS_CLIENT_CA: "", OUPS_AUTH_TOKEN_FILE: "/env/tokens" };
  t.deepEqual(resolveDaemonConfig({}, env).access, {
    tls: { certFile: "/env/c.pem", keyFile: "/env/k.pem", clientCaFile: undefined },
    authTokenFile: "/env/tokens",
  });
  const flags = { "tls-cert": "/f/c.pem", "tls-key": "/f/k.pem", "tls-client-ca": "/f/ca.pem", "auth-token-file": "/f/tokens" };
  t.deepEqual(resolveDaemonConfig(flags, env).access, {
    tls: { certFile: "/f/c.pem", keyFile: "/f/k.pem", clientCaFile: "/f/ca.pem" },
    authTokenFile: "/f/tokens",
  });
});

test("metadata limits come from flags, then the environment; those not given are left to the engine's defaults", (t) => {
  const env = { OUPS_METADATA_MAX_KEYS: "10", OUPS_METADATA_MAX_KEY_BYTES: "20", OUPS_METADATA_MAX_VALUE_BYTES: "30", OUPS_METADATA_MAX_BYTES: "40" };
  t.deepEqual(resolveDaemonConfig({}, env).metadataLimits, { maxKeys: 10, maxKeyBytes: 20, maxValueBytes: 30, maxTotalBytes: 40 });
  t.deepEqual(resolveDaemonConfig({ "metadata-max-keys": "5", "metadata-max-bytes": "4096" }, {}).metadataLimits, { maxKeys: 5, maxTotalBytes: 4096 });
  t.deepEqual(resolveDaemonConfig({ "metadata-max-value-bytes": "7" }, env).metadataLimits, { maxKeys: 10, maxKeyBytes: 20, maxValueBytes: 7, maxTotalBytes: 40 });
});

for (const [flag, bad] of [
  ["metadata-max-keys", "0"],
  ["metadata-max-key-bytes", "-3"],
  ["metadata-max-value-bytes", "1.5"],
  ["metadata-max-bytes", "lots"],
  ["metadata-max-bytes", String(64 * 1024 * 1024)],
] as const) {
  test(`--${flag} ${bad} is refused naming the flag and the value`, (t) => {
    const err = t.throws(() => resolveDaemonConfig({ [flag]: bad }, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(`--${flag}`));
    t.true(err?.message.includes(bad));
  });
}

for (const bad of ["", "-1", "1.5", "lots"]) {
  test(`a cache size of ${JSON.stringify(bad)} is refused naming the value`, (t) => {
    const err = t.throws(() => resolveDaemonConfig({ "cache-mb": bad }, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(JSON.stringify(bad)));
  });
}

const listenForms: [string, string][] = [
  ["127.0.0.1:50051", "127.0.0.1:50051"],
  ["localhost:8080", "localhost:8080"],
  ["[::1]:50051", "[::1]:50051"],
  [":50051", "0.0.0.0:50051"],
  ["41053", "127.0.0.1:41053"],
  ["0", "127.0.0.1:0"],
];

for (const [given, bound] of listenForms) {
  test(`--listen ${given} means ${bound}`, (t) => {
    t.is(resolveDaemonConfig({ listen: given }, {}).listen, bound);
    t.is(resolveDaemonConfig({}, { OUPS_LISTEN: given }).listen, bound);
  });
}

for (const bad of ["127.0.0.1", "localhost", "[::1]", "::1", "host:", "host:port", ""]) {
  test(`--listen ${JSON.stringify(bad)} is refused naming the accepted forms`, (t) => {
    const err = t.throws(() => resolveDaemonConfig({ listen: bad }, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(JSON.stringify(bad)), err?.message);
    t.regex(err?.message ?? "", /HOST:PORT, \[IPv6\]:PORT, :PORT .* or PORT/);
  });
}

test("--listen with a host and no port suggests adding one", (t) => {
  const err = t.throws(() => resolveDaemonConfig({ listen: "127.0.0.1" }, {}));
  t.regex(err?.message ?? "", /no port: add one, e\.g\. 127\.0\.0\.1:50051/);
});

test("--listen with a port above 65535 is refused naming the value", (t) => {
  const err = t.throws(() => resolveDaemonConfig({ listen: "1.2.3.4:70000" }, {}), { instanceOf: OupsError });
  t.is(err?.message, 'listen port must be at most 65535, got "1.2.3.4:70000"');
});

test("log level, log format and metrics address come from flags, then OUPS_LOG_LEVEL, OUPS_LOG_FORMAT, OUPS_METRICS_LISTEN", (t) => {
  const env = { OUPS_LOG_LEVEL: "debug", OUPS_LOG_FORMAT: "text", OUPS_METRICS_LISTEN: ":9464" };
  t.like(resolveDaemonConfig({}, env), { logLevel: "debug", logFormat: "text", metricsListen: "0.0.0.0:9464" });
  t.like(resolveDaemonConfig({ "log-level": "ERROR", "log-format": "json", "metrics-listen": "9100" }, env), {
    logLevel: "error",
    logFormat: "json",
    metricsListen: "127.0.0.1:9100",
  });
});

for (const [flags, says] of [
  [{ "log-level": "verbose" }, /--log-level \(OUPS_LOG_LEVEL\) must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"/],
  [{ "log-format": "yaml" }, /--log-format \(OUPS_LOG_FORMAT\) must be one of json, text, got "yaml"/],
  [{ "metrics-listen": "localhost" }, /--metrics-listen \(OUPS_METRICS_LISTEN\): listen address must be .*no port/],
] as const) {
  test(`${JSON.stringify(flags)} is refused naming the flag and the value`, (t) => {
    const err = t.throws(() => resolveDaemonConfig(flags, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", says);
  });
}

test("lock timings come from flags, then the environment, and are refused below their minimum", (t) => {
  t.deepEqual(
    (({ lockUpdateMs, lockRetryMs }) => ({ lockUpdateMs, lockRetryMs }))(resolveDaemonConfig({ "lock-retry-ms": "50" }, { OUPS_LOCK_UPDATE_MS: "2000", OUPS_LOCK_RETRY_MS: "9" })),
    { lockUpdateMs: 2000, lockRetryMs: 50 },
  );
  const err = t.throws(() => resolveDaemonConfig({ "lock-update-ms": "500" }, {}), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err!.message, /--lock-update-ms \(OUPS_LOCK_UPDATE_MS\) must be .*1000 at least, got "500"/);
});
