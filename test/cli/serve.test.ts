import test from "ava";
import { OupsClient } from "../../client/src/index.js";
import { makeTempDir, removeTempDir, withDaemon } from "../helpers/with-daemon.js";
import { Daemon } from "../../server/src/daemon.js";
import { runCli } from "./run-cli.js";

test("oups serve on a port in use says so in one line and exits 1, leaving the store unlocked", async (t) => {
  await withDaemon(async ({ daemon }) => {
    const store = await makeTempDir("oups-serve-");
    t.teardown(() => removeTempDir(store));
    const run = await runCli(["serve", "--store", store, "--listen", daemon.address]);
    t.is(run.code, 1, run.stderr);
    t.is(run.stderr, `oups serve: ${daemon.address} is already in use\n`);
    // The failed daemon took no lock: another one opens the store at once.
    const other = await Daemon.start({ storeDir: store, listen: "127.0.0.1:0" });
    await other.stop();
  });
});

test("oups serve refuses --listen with a host and no port, in one line", async (t) => {
  const store = await makeTempDir("oups-serve-");
  t.teardown(() => removeTempDir(store));
  const run = await runCli(["serve", "--store", store, "--listen", "127.0.0.1"]);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stderr, /^oups serve: listen address must be .*, got "127\.0\.0\.1" \(no port: add one, e\.g\. 127\.0\.0\.1:50051\)\n$/);
});

test("a daemon started on a port alone listens on loopback", async (t) => {
  const store = await makeTempDir("oups-serve-");
  t.teardown(() => removeTempDir(store));
  const daemon = await Daemon.start({ storeDir: store, listen: "0" });
  try {
    t.regex(daemon.address, /^127\.0\.0\.1:\d+$/);
    const client = new OupsClient(daemon.address);
    t.is(await client.checkHealth(), "SERVING");
    client.close();
  } finally {
    await daemon.stop();
  }
});
