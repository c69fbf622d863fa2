import test from "ava";
import { DEFAULT_LISTEN, DEFAULT_STORE_DIR, resolveDaemonConfig } from "../../server/src/config.js";
import { OupsError } from "../../server/src/store/errors.js";

test("flags win over the environment, which wins over the defaults", (t) => {
  t.deepEqual(resolveDaemonConfig({}, {}), {
    storeDir: DEFAULT_STORE_DIR,
    listen: DEFAULT_LISTEN,
    indexSpec: undefined,
    cacheMiB: undefined,
    metadataLimits: {},
  });
  const env = { OUPS_STORE: "/env", OUPS_LISTEN: "0.0.0.0:1", OUPS_INDEX: "a", OUPS_CACHE_MB: "64" };
  t.deepEqual(resolveDaemonConfig({}, env), { storeDir: "/env", listen: "0.0.0.0:1", indexSpec: "a", cacheMiB: 64, metadataLimits: {} });
  t.deepEqual(resolveDaemonConfig({ store: "/flag", listen: "127.0.0.1:2", index: "b", "cache-mb": "0" }, env), {
    storeDir: "/flag",
    listen: "127.0.0.1:2",
    indexSpec: "b",
    cacheMiB: 0,
    metadataLimits: {},
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

test("lock timings come from flags, then the environment, and are refused below their minimum", (t) => {
  t.deepEqual(
    (({ lockUpdateMs, lockRetryMs }) => ({ lockUpdateMs, lockRetryMs }))(resolveDaemonConfig({ "lock-retry-ms": "50" }, { OUPS_LOCK_UPDATE_MS: "2000", OUPS_LOCK_RETRY_MS: "9" })),
    { lockUpdateMs: 2000, lockRetryMs: 50 },
  );
  const err = t.throws(() => resolveDaemonConfig({ "lock-update-ms": "500" }, {}), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err!.message, /--lock-update-ms \(OUPS_LOCK_UPDATE_MS\) must be .*1000 at least, got "500"/);
});
