import type { TestFn } from "ava";
import { OupsClient } from "../../../client/src/index.js";
import { Daemon } from "../../../server/src/daemon.js";
import type { DaemonFixture } from "../../helpers/with-daemon.js";
import { makeTempDir, removeTempDir, testIndex } from "../../helpers/with-daemon.js";

/**
 * One daemon (over a fresh store with the tests' index) for every test of a file: started before the first test,
 * stopped and removed after the last. Starting a daemon per test costs a Parquet worker pool each; files whose
 * tests only read, or touch keys of their own, share one instead. Returns the fixture's getter.
 */
export function useSharedDaemon(test: TestFn): () => DaemonFixture {
  let fixture: DaemonFixture | undefined;
  test.serial.before(async () => {
    const storeDir = await makeTempDir();
    const daemon = await Daemon.start({ storeDir, listen: "127.0.0.1:0", indexSchema: testIndex });
    fixture = { daemon, client: new OupsClient(daemon.address), storeDir };
  });
  test.after.always(async () => {
    if (!fixture) return;
    fixture.client.close();
    await fixture.daemon.stop(5_000);
    await removeTempDir(fixture.storeDir);
  });
  return () => {
    if (!fixture) throw new Error("the shared daemon is not running");
    return fixture;
  };
}
