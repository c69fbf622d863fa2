import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CallObserver, EndedCall } from "../rpc/call-observer.js";
import { statusName } from "../rpc/call-log.js";
import type { Store } from "../store/store.js";
import { VERSION } from "../version.js";

/** Latency buckets in seconds: from a cached Describe (sub-millisecond) to a Write of gigabytes (minutes). */
const RPC_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Commit latency buckets in seconds: a manifest write with two fsyncs, fast on SSD, slow on busy disks. */
const COMMIT_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Methods whose rows and bytes are written (received), not read (sent). */
const WRITE_METHODS = new Set(["Write"]);

/**
 * The daemon's Prometheus metrics, in a registry of its own (several daemons may run in one process): calls by
 * method and status, rows and bytes written and read, commit latency, the per-key queue, the row-group cache,
 * pinned generations, open streams, bytes on disk, and prom-client's process metrics. Call metrics come from the
 * RPC layer (this is a {@link CallObserver}); engine figures are read from `store.stats` at each scrape, and
 * commit latency from the store's `commit` events. Labels are bounded: methods and status codes, never keys.
 */
export class DaemonMetrics implements CallObserver {
  readonly registry = new Registry();
  readonly #calls: Counter<"method" | "status">;
  readonly #callSeconds: Histogram<"method" | "status">;
  readonly #openStreams: Gauge<"method">;
  readonly #rows: Record<"write" | "read", Counter>;
  readonly #bytes: Record<"write" | "read", Counter>;
  readonly #onCommit: (event: { seconds: number }) => void;

  constructor(private readonly store: Store) {
    const registers = [this.registry];
    new Gauge({ name: "oups_build_info", help: "Always 1: the daemon's version, as a label", labelNames: ["version"], registers }).set({ version: VERSION }, 1);
    this.#calls = new Counter({ name: "oups_rpc_calls_total", help: "Calls ended, by method and gRPC status", labelNames: ["method", "status"], registers });
    this.#callSeconds = new Histogram({
      name: "oups_rpc_duration_seconds",
      help: "Duration of calls, from arrival to status, by method and gRPC status",
      labelNames: ["method", "status"],
      buckets: RPC_SECONDS_BUCKETS,
      registers,
    });
    this.#openStreams = new Gauge({ name: "oups_rpc_open_streams", help: "Calls in progress, by method", labelNames: ["method"], registers });
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    this.#rows = {
      write: counter("oups_write_rows_total", "Rows received by Write calls that committed"),
      read: counter("oups_read_rows_total", "Rows sent by RangeQuery and QueryIntersections"),
    };
    this.#bytes = {
      write: counter("oups_write_bytes_total", "Arrow IPC bytes received by Write calls (committed or not)"),
      read: counter("oups_read_bytes_total", "Arrow IPC bytes sent by RangeQuery and QueryIntersections"),
    };
    const commitSeconds = new Histogram({
      name: "oups_commit_duration_seconds",
      help: "Time to make a new generation durable (manifest written, directory synced), writes and metadata updates",
      buckets: COMMIT_SECONDS_BUCKETS,
      registers,
    });
    this.#onCommit = ({ seconds }) => commitSeconds.observe(seconds);
    store.events.on("commit", this.#onCommit);
    this.#storeGauges(registers);
    collectDefaultMetrics({ register: this.registry });
  }

  callStarted(method: string): void {
    this.#openStreams.inc({ method });
  }

  callEnded(call: EndedCall): void {
    const labels = { method: call.method, status: statusName(call.code) };
    this.#openStreams.dec({ method: call.method });
    this.#calls.inc(labels);
    this.#callSeconds.observe(labels, call.durationSeconds);
    const direction = WRITE_METHODS.has(call.method) ? "write" : "read";
    if (call.rows) this.#rows[direction].inc(call.rows);
    if (call.bytes) this.#bytes[direction].inc(call.bytes);
  }

  /** Stops listening to the store (the daemon is stopping). */
  close(): void {
    this.store.events.off("commit", this.#onCommit);
  }

  /** Figures the engine keeps, read at scrape time. */
  #storeGauges(registers: Registry[]): void {
    const stats = () => this.store.stats;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    // Counters kept by the engine since the store opened: reset then raised to its figure at each scrape.
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    gauge("oups_key_queue_tasks", "Per-key tasks (writes, metadata updates, removals) queued or running, over all keys", () => stats().keyQueue.tasks);
    gauge("oups_key_queue_keys", "Keys with a task queued or running", () => stats().keyQueue.keys);
    gauge("oups_key_queue_max_depth", "Tasks queued or running for the busiest key", () => stats().keyQueue.maxPerKey);
    counter("oups_row_group_cache_hits_total", "Row groups read from the decoded row-group cache", () => stats().rowGroupCache.hits);
    counter("oups_row_group_cache_misses_total", "Row groups looked up in the cache and decoded from Parquet", () => stats().rowGroupCache.misses);
    gauge("oups_row_group_cache_bytes", "Bytes of decoded row groups held by the cache", () => stats().rowGroupCache.bytes);
    gauge("oups_row_group_cache_row_groups", "Row groups held by the cache", () => stats().rowGroupCache.rowGroups);
    gauge("oups_row_group_cache_max_bytes", "Budget of the cache in bytes (0: off)", () => stats().rowGroupCache.maxBytes);
    gauge("oups_pinned_generations", "Dataset generations pinned by reads in progress (their files are kept until the reads end)", () => stats().pinnedGenerations);
    gauge("oups_pinning_reads", "Reads in progress pinning a generation", () => stats().pinningReads);
    gauge("oups_store_datasets", "Datasets the daemon has loaded since it started (read or written)", () => stats().datasets);
    gauge("oups_store_bytes", "Bytes on disk of those datasets' committed row-group files and manifests", () => stats().bytesOnDisk);
  }
}
