import test from "ava";
import { connect } from "node:http2";
import type { Settings } from "node:http2";
import { RECEIVE_WINDOW_BYTES } from "../../server/src/config.js";
import { daemonTest } from "../helpers/with-daemon.js";

test(
  "the daemon lets clients send RECEIVE_WINDOW_BYTES per stream and per connection before waiting for it",
  daemonTest(async (t, { daemon }) => {
    const session = connect(`http://${daemon.address}`);
    t.teardown(() => session.close());
    const raised = new Promise<Settings>((resolve, reject) => {
      session.on("remoteSettings", (settings) => {
        if (settings.initialWindowSize === RECEIVE_WINDOW_BYTES) resolve(settings);
      });
      session.on("error", reject);
      // Not a timing assumption: a daemon that never raises the window fails here rather than at ava's timeout.
      setTimeout(() => reject(new Error("the daemon never advertised a larger stream window")), 10_000).unref();
    });
    t.is((await raised).initialWindowSize, RECEIVE_WINDOW_BYTES);
    // The connection window grows by a WINDOW_UPDATE sent with the settings.
    await new Promise((resolve) => session.ping(resolve));
    t.true((session.state.remoteWindowSize ?? 0) >= RECEIVE_WINDOW_BYTES - 65_535);
  }),
);
