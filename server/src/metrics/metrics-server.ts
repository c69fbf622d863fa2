import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { ListenAddress } from "../listen-address.js";
import { formatListenAddress } from "../listen-address.js";
import { log } from "../log.js";

/** The HTTP endpoint serving a registry's metrics at `/metrics`, as Prometheus scrapes them. */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    /** The address actually bound (`host:port`, the real port when 0 was asked). */
    readonly address: string,
  ) {}

  /** Listens on `listen` and serves `registry` at GET /metrics; every other path is 404. */
  static async start(listen: ListenAddress, registry: Registry): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://metrics").pathname;
      if (path !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: metrics are at /metrics\n");
        return;
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("method not allowed\n");
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": registry.contentType }).end(request.method === "HEAD" ? undefined : text),
        (err: unknown) => {
          log.error("cannot collect the metrics", err);
          response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("cannot collect the metrics (see the daemon's log)\n");
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: listen.host, port: listen.port, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new MetricsServer(server, formatListenAddress({ host: listen.host, port }));
  }

  /** Stops listening and closes open connections (a scraper's keep-alive connection would hold the close up). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
