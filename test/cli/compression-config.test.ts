import test from "ava";
import { resolveDaemonConfig } from "../../server/src/config.js";
import { OupsError } from "../../server/src/store/errors.js";

test("--compression comes from the flag, then OUPS_COMPRESSION, and is absent when neither gives it", (t) => {
  t.false("compression" in resolveDaemonConfig({}, {}));
  t.is(resolveDaemonConfig({}, { OUPS_COMPRESSION: "zstd" }).compression, "zstd");
  t.is(resolveDaemonConfig({ compression: "lz4" }, { OUPS_COMPRESSION: "zstd" }).compression, "lz4");
  t.is(resolveDaemonConfig({ compression: "none" }, {}).compression, "none");
});

test("an unknown codec is refused naming the flag, the value and the codecs accepted", (t) => {
  const err = t.throws(() => resolveDaemonConfig({}, { OUPS_COMPRESSION: "lzo" }), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_ARGUMENT");
  t.regex(err?.message ?? "", /--compression \(OUPS_COMPRESSION\): unknown compression "lzo": expected one of zstd, snappy, lz4/);
});
