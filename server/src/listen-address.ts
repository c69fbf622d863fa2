import { createServer } from "node:net";
import { OupsError } from "./store/errors.js";

/** Where the daemon listens: a host (an IPv6 address without its brackets) and a port (0: any free one). */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The forms `--listen` accepts, for messages. */
const FORMS = "HOST:PORT, [IPv6]:PORT, :PORT (every IPv4 interface) or PORT (127.0.0.1)";

/**
 * Reads a listen address: `HOST:PORT`, `[::1]:PORT`, `:PORT` (every IPv4 interface, 0.0.0.0, as in Go and Node
 * tools; `[::]:PORT` for IPv6 too) or `PORT` alone (loopback, 127.0.0.1, the safe default). A host without a port
 * is refused: gRPC's resolver would otherwise read `41053` as a host name and bind port 443.
 */
export function parseListenAddress(text: string): ListenAddress {
  const value = text.trim();
  if (/^\d+$/.test(value)) return { host: "127.0.0.1", port: parsePort(value, text) };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(value);
  if (match === null) {
    const hint = /^[^:]+$|^\[[^\]]+\]$/.test(value) ? ` (no port: add one, e.g. ${value}:50051)` : "";
    throw new OupsError("INVALID_ARGUMENT", `listen address must be ${FORMS}, got ${JSON.stringify(text)}${hint}`);
  }
  const [, v6, named, digits] = match;
  return { host: v6 ?? (named === "" ? "0.0.0.0" : named!), port: parsePort(digits!, text) };
}

function parsePort(digits: string, text: string): number {
  const port = Number(digits);
  if (port > 65_535) throw new OupsError("INVALID_ARGUMENT", `listen port must be at most 65535, got ${JSON.stringify(text)}`);
  return port;
}

/** `host:port` as gRPC and people write it, with an IPv6 host in brackets. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Resolves when `address` can be listened on, and rejects with a one-line Error when another process holds it:
 * grpc-js would report it as a multi-line resolver failure of its own.
 */
export async function assertListenable(address: ListenAddress): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (err: NodeJS.ErrnoException) => {
      const shown = formatListenAddress(address);
      if (err.code === "EADDRINUSE") reject(new Error(`${shown} is already in use`, { cause: err }));
      else if (err.code === "EACCES") reject(new Error(`not allowed to listen on ${shown}`, { cause: err }));
      else if (err.code === "EADDRNOTAVAIL") reject(new Error(`${address.host} is not an address of this machine`, { cause: err }));
      else resolve();
    });
    probe.listen({ host: address.host, port: address.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
