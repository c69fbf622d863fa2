import type { Server } from "@grpc/grpc-js";
import type { Http2Server, ServerHttp2Session } from "node:http2";

/**
 * Raises the HTTP/2 receive windows (per stream and per connection) of every connection a bound grpc-js server
 * accepts from now on to `bytes`. grpc-js (1.14) applies `grpc-node.flow_control_window` to clients only
 * (grpc/grpc-node#3058 would add servers), so a client's Write crawled through 64 KiB windows, each waiting for the
 * daemon's busy event loop to send a WINDOW_UPDATE: ingest ran ~20 % slower, with more CPU on both sides.
 * The server's HTTP/2 servers are reached through a field grpc-js does not export; returns false, changing
 * nothing, when it is not there (another grpc-js version).
 */
export function raiseReceiveWindow(server: Server, bytes: number): boolean {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return false;
  const targets = [...http2Servers.keys()].filter((s): s is Http2Server => typeof (s as Http2Server | null)?.on === "function");
  for (const http2Server of targets) {
    http2Server.on("session", (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(bytes);
        session.settings({ initialWindowSize: bytes });
      } catch {
        // A session closed before its settings went out keeps the default: it carries no stream anyway.
      }
    });
  }
  return targets.length > 0;
}
