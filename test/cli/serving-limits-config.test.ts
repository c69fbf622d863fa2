import test from "ava";
import { resolveDaemonConfig } from "../../server/src/config.js";
import { formatDuration, parseDuration } from "../../server/src/duration.js";
import { DEFAULT_SERVING_LIMITS } from "../../server/src/serving-limits.js";
import { OupsError } from "../../server/src/store/errors.js";
import { runCli } from "./run-cli.js";

const durations: [string, number][] = [
  ["30s", 30_000],
  ["500ms", 500],
  ["5m", 300_000],
  ["1h", 3_600_000],
  ["1.5s", 1_500],
  ["45", 45_000],
  ["0", 0],
  ["0ms", 0],
  [" 2m ", 120_000],
];
for (const [text, ms] of durations) {
  test(`the duration ${JSON.stringify(text)} is ${ms} ms`, (t) => {
    t.is(parseDuration(text, "--x"), ms);
  });
}

test("durations read back in the unit that fits", (t) => {
  t.deepEqual([500, 30_000, 1_500, 300_000, 90_000, 7_200_000].map(formatDuration), ["500ms", "30s", "1.5s", "5m", "1.5m", "2h"]);
});

test("the limits default to 30s and 5m idle timeouts, 60s keepalive, 64 MiB messages, 100 streams, 1000 keys, 16 writes", (t) => {
  t.deepEqual(resolveDaemonConfig({}, {}).limits, {
    writeIdleTimeoutMs: 30_000,
    readIdleTimeoutMs: 300_000,
    keepaliveTimeMs: 60_000,
    keepaliveTimeoutMs: 20_000,
    maxMessageBytes: 64 * 1024 * 1024,
    maxConcurrentStreams: 100,
    maxIntersectionKeys: 1_000,
    maxConcurrentWrites: 16,
  });
  t.deepEqual(resolveDaemonConfig({}, {}).limits, DEFAULT_SERVING_LIMITS);
});

test("each limit comes from its flag, then its OUPS_ variable", (t) => {
  const env = {
    OUPS_WRITE_IDLE_TIMEOUT: "10s",
    OUPS_READ_IDLE_TIMEOUT: "2m",
    OUPS_KEEPALIVE_TIME: "0",
    OUPS_KEEPALIVE_TIMEOUT: "5s",
    OUPS_MAX_MESSAGE_MB: "16",
    OUPS_MAX_CONCURRENT_STREAMS: "8",
    OUPS_MAX_INTERSECTION_KEYS: "50",
    OUPS_MAX_CONCURRENT_WRITES: "2",
  };
  t.deepEqual(resolveDaemonConfig({}, env).limits, {
    writeIdleTimeoutMs: 10_000,
    readIdleTimeoutMs: 120_000,
    keepaliveTimeMs: 0,
    keepaliveTimeoutMs: 5_000,
    maxMessageBytes: 16 * 1024 * 1024,
    maxConcurrentStreams: 8,
    maxIntersectionKeys: 50,
    maxConcurrentWrites: 2,
  });
  const flags = { "write-idle-timeout": "250ms", "max-concurrent-writes": "4", "max-message-mb": "128" };
  const limits = resolveDaemonConfig(flags, env).limits;
  t.is(limits.writeIdleTimeoutMs, 250);
  t.is(limits.maxConcurrentWrites, 4);
  t.is(limits.maxMessageBytes, 128 * 1024 * 1024);
  t.is(limits.readIdleTimeoutMs, 120_000);
});

for (const [flag, bad] of [
  ["write-idle-timeout", "10x"],
  ["write-idle-timeout", "-1s"],
  ["read-idle-timeout", "five minutes"],
  ["read-idle-timeout", "30d"],
  ["keepalive-time", ""],
  ["keepalive-timeout", "0"],
  ["max-message-mb", "4"],
  ["max-message-mb", "2048"],
  ["max-concurrent-streams", "0"],
  ["max-intersection-keys", "1.5"],
  ["max-concurrent-writes", "many"],
] as const) {
  test(`--${flag} ${JSON.stringify(bad)} is refused naming the flag`, (t) => {
    const err = t.throws(() => resolveDaemonConfig({ [flag]: bad }, {}), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.startsWith(`--${flag} (OUPS_${flag.toUpperCase().replaceAll("-", "_")})`), err?.message);
  });
}

test("an idle timeout past what a timer can wait is refused rather than firing at once", (t) => {
  const err = t.throws(() => parseDuration("600h", "--read-idle-timeout (OUPS_READ_IDLE_TIMEOUT)"), { instanceOf: OupsError });
  t.regex(err?.message ?? "", /at most 24 days/);
});

test("the metadata bound follows --max-message-mb: an eighth of the message limit", (t) => {
  t.is(resolveDaemonConfig({ "max-message-mb": "128", "metadata-max-bytes": String(16 * 1024 * 1024) }, {}).metadataLimits.maxTotalBytes, 16 * 1024 * 1024);
  const err = t.throws(() => resolveDaemonConfig({ "max-message-mb": "8", "metadata-max-bytes": String(2 * 1024 * 1024) }, {}), { instanceOf: OupsError });
  t.regex(err?.message ?? "", /--metadata-max-bytes .* at most 1048576 bytes/);
});

test("oups serve with a bad duration exits 1 in one line naming the flag, and its help lists every limit", async (t) => {
  const run = await runCli(["serve", "--store", "/nonexistent-oups-store", "--write-idle-timeout", "soon"]);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stderr, /^oups serve: --write-idle-timeout \(OUPS_WRITE_IDLE_TIMEOUT\) must be a duration .*, got "soon"\n$/);
  const help = await runCli(["serve", "--help"]);
  for (const flag of [
    "--write-idle-timeout",
    "--read-idle-timeout",
    "--keepalive-time",
    "--keepalive-timeout",
    "--max-message-mb",
    "--max-concurrent-streams",
    "--max-intersection-keys",
    "--max-concurrent-writes",
  ]) {
    t.true(help.stdout.includes(flag), flag);
  }
});
