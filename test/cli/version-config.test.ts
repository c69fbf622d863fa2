import test from "ava";
import { resolveDaemonConfig } from "../../server/src/config.js";
import { OupsError } from "../../server/src/store/errors.js";

test("the version flags come from the flag, then the environment, and are absent when neither gives them", (t) => {
  t.deepEqual(resolveDaemonConfig({}, {}).versions ?? {}, {});
  const fromEnv = resolveDaemonConfig({}, { OUPS_RETAIN_GENERATIONS: "3", OUPS_RETAIN_FOR: "2h", OUPS_RETAIN_AT_MOST: "50" }).versions;
  t.like(fromEnv, { retainGenerations: 3, retainForMs: 7_200_000, retainAtMost: 50 });
  const fromFlags = resolveDaemonConfig({ "retain-generations": "0", "retain-for": "0", "retain-at-most": "7" }, { OUPS_RETAIN_AT_MOST: "50" }).versions;
  t.like(fromFlags, { retainGenerations: 0, retainForMs: 0, retainAtMost: 7 });
});

for (const [flags, env, message] of [
  [{ "retain-at-most": "-1" }, {}, /--retain-at-most \(OUPS_RETAIN_AT_MOST\) must be a whole number >= 0, got "-1"/],
  [{}, { OUPS_RETAIN_AT_MOST: "" }, /--retain-at-most \(OUPS_RETAIN_AT_MOST\) must be a whole number >= 0, got ""/],
  [{ "retain-generations": "2.5" }, {}, /--retain-generations \(OUPS_RETAIN_GENERATIONS\) must be a whole number >= 0, got "2.5"/],
  [{ "retain-for": "soon" }, {}, /--retain-for \(OUPS_RETAIN_FOR\) must be a duration/],
] as const) {
  test(`version flags ${JSON.stringify({ ...flags, ...env })} are refused naming the flag and the value`, (t) => {
    const err = t.throws(() => resolveDaemonConfig(flags, env), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.regex(err?.message ?? "", message);
  });
}
