import test from "ava";
import { DEFAULT_LISTEN, DEFAULT_STORE_DIR, resolveDaemonConfig } from "../../server/src/config.js";
import { OupsError } from "../../server/src/store/errors.js";

test("flags win over the environment, which wins over the defaults", (t) => {
  t.deepEqual(resolveDaemonConfig({}, {}), { storeDir: DEFAULT_STORE_DIR, listen: DEFAULT_LISTEN, indexSpec: undefined, cacheMiB: undefined });
  const env = { OUPS_STORE: "/env", OUPS_LISTEN: "0.0.0.0:1", OUPS_INDEX: "a", OUPS_CACHE_MB: "64" };
  t.deepEqual(resolveDaemonConfig({}, env), { storeDir: "/env", listen: "0.0.0.0:1", indexSpec: "a", cacheMiB: 64 });
  t.deepEqual(resolveDaemonConfig({ store: "/flag", listen: "127.0.0.1:2", index: "b", "cache-mb": "0" }, env), {
    storeDir: "/flag",
    listen: "127.0.0.1:2",
    indexSpec: "b",
    cacheMiB: 0,
  });
});

for (const bad of ["", "-1", "1.5", "lots"]) {
  test(`a cache size of ${JSON.stringify(bad)} is refused naming the value`, (t) => {
    const err = t.throws(() => resolveDaemonConfig({ "cache-mb": bad }, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(JSON.stringify(bad)));
  });
}
