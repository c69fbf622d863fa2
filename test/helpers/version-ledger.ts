import type { RecordBatch, Table } from "apache-arrow";
import type { OupsClient } from "../../client/src/index.js";
import type { KeyFields } from "../../client/src/index.js";
import { marketBatch, T0_MS } from "../rpc/helpers/market-data.js";

/** What a version of a dataset of market rows holds, in three numbers any engine can compute. */
export interface VersionSummary {
  rows: number;
  /** Sum of `qty` (each write's rows carry the write's id as qty: a row of any other write changes it). */
  qtySum: bigint;
  /** Sum of the timestamps, in ms since the epoch. */
  timestampSum: bigint;
}

/** The summary of market rows read back (SDK or DuckDB via Arrow). */
export function summarizeTable(table: Table): VersionSummary {
  const qty = table.getChild("qty");
  const ts = table.getChild("timestamp");
  let qtySum = 0n;
  let timestampSum = 0n;
  for (let i = 0; i < table.numRows; i++) {
    qtySum += BigInt(qty!.get(i) as number);
    timestampSum += BigInt(ts!.get(i) as number);
  }
  return { rows: table.numRows, qtySum, timestampSum };
}

/** A summary as text, for messages and t.is comparisons. */
export function formatSummary(s: VersionSummary): string {
  return `${s.rows} rows, qty sum ${s.qtySum}, timestamp sum ${s.timestampSum}`;
}

/**
 * A writer of one dataset that knows what every generation it committed holds: each write is either an append after
 * the last row or an update of a stretch of existing rows (deduplicated on the timestamp, new rows win), so commits
 * both add row groups and rewrite old ones (which frees files for the garbage collection to delete). Writes must go
 * one at a time (generations are learnt from each write's response).
 */
export class VersionLedger {
  /** timestamp (ms after T0) → qty, as the last committed write left them. */
  readonly #rows = new Map<number, number>();
  readonly #summaries = new Map<number, VersionSummary>();
  #lastTs = 0;
  #nextId = 1;

  constructor(
    readonly key: KeyFields,
    private readonly random: () => number,
  ) {}

  /** The summary of generation `g` (committed by this ledger), or undefined. */
  summaryOf(generation: number): VersionSummary | undefined {
    return this.#summaries.get(generation);
  }

  /** Generations committed so far, ascending. */
  get generations(): number[] {
    return [...this.#summaries.keys()].sort((a, b) => a - b);
  }

  /** Writes the next batch through `client`; resolves with the generation committed. */
  async write(client: OupsClient, options: { rowGroupTarget?: number } = {}): Promise<number> {
    const { batch, timestamps, id } = this.#plan();
    const result = await client.write(this.key, batch, {
      orderedOn: "timestamp",
      duplicatesOn: ["timestamp"],
      dropDuplicates: true,
      rowGroupTarget: options.rowGroupTarget ?? 64,
    });
    this.apply(result.generation, timestamps, id);
    return result.generation;
  }

  /** The next batch to write, with what {@link apply} needs once it is committed. */
  plan(): { batch: RecordBatch; timestamps: number[]; id: number } {
    return this.#plan();
  }

  /** Records that the planned write `id` of `timestamps` committed generation `generation`. */
  apply(generation: number, timestamps: readonly number[], id: number): void {
    for (const ts of timestamps) this.#rows.set(ts, id);
    this.#lastTs = Math.max(this.#lastTs, ...timestamps);
    let qtySum = 0n;
    let timestampSum = 0n;
    for (const [ts, qty] of this.#rows) {
      qtySum += BigInt(qty);
      timestampSum += BigInt(T0_MS + ts);
    }
    this.#summaries.set(generation, { rows: this.#rows.size, qtySum, timestampSum });
  }

  #plan(): { batch: RecordBatch; timestamps: number[]; id: number } {
    const id = this.#nextId++;
    const rows = 10 + Math.floor(this.random() * 150);
    const update = this.#rows.size > 0 && this.random() < 0.4;
    const start = update ? Math.floor(this.random() * this.#lastTs) : this.#lastTs + 1;
    const step = 1 + Math.floor(this.random() * 3);
    const timestamps = Array.from({ length: rows }, (_, i) => start + i * step);
    const batch = marketBatch(0, rows, { timestampMs: (i) => timestamps[i]!, qty: () => id, price: (i) => i });
    return { batch, timestamps, id };
  }
}

/** Reads a dataset (current version) and summarizes it. */
export async function summarizeDataset(client: OupsClient, key: KeyFields): Promise<VersionSummary> {
  return summarizeTable(await client.read(key));
}
