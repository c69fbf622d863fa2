import type { Daemon } from "./daemon.js";
import type { LogFields } from "./log.js";
import { VERSION } from "./version.js";

/** Whether the daemon's connections are encrypted and its calls authenticated, for its start-up line. */
export interface DaemonSecurity {
  tls: boolean;
  auth: boolean;
}

/**
 * The line the daemon logs once it serves: its version, store, address, TLS and authentication on or off, and
 * where its metrics are, as a message for people and as fields for collectors.
 */
export function startupLine(
  daemon: Pick<Daemon, "address" | "metricsAddress"> & { store: { dir: string } },
  security: DaemonSecurity,
): { message: string; fields: LogFields } {
  const onOff = (on: boolean) => (on ? "on" : "off");
  const metrics = daemon.metricsAddress === undefined ? "" : `, metrics at http://${daemon.metricsAddress}/metrics`;
  return {
    message: `oups ${VERSION} serving store ${daemon.store.dir} on ${daemon.address} (TLS ${onOff(security.tls)}, auth ${onOff(security.auth)}${metrics})`,
    fields: {
      version: VERSION,
      store: daemon.store.dir,
      address: daemon.address,
      tls: security.tls,
      auth: security.auth,
      ...(daemon.metricsAddress === undefined ? {} : { metricsAddress: daemon.metricsAddress }),
    },
  };
}
