import { RecordBatch, Schema, Table, tableFromIPC } from "apache-arrow";
import { join } from "node:path";
import { orderedColumn } from "../arrow/ordered-column.js";
import { searchSorted } from "../arrow/search-sorted.js";
import type { Snapshot } from "../dataset/dataset.js";
import { conformBatch } from "../arrow/conform-batch.js";
import type { Manifest, RowGroupEntry } from "../dataset/manifest.js";
import { hasCurrentSchema, rowGroupSchema } from "../dataset/schema-history.js";
import { projectSchema, resolveColumns } from "../dataset/read-range.js";
import type { ParquetPool } from "../io/parquet-pool.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import type { Block } from "./intersection-plan.js";
import { mayMissRange, planIntersections } from "./intersection-plan.js";

/** One dataset's rows over one interval. */
export interface IntersectionPart {
  interval: number;
  /** Position of the dataset among the keys asked for. */
  keyIndex: number;
  /** Inclusive start of the interval; undefined when open. */
  start: Ordinal | undefined;
  /** Exclusive end of the interval; undefined when open. */
  end: Ordinal | undefined;
  table: Table;
}

/** What the walk works on: one pinned generation per dataset. */
export interface IntersectionSource {
  snapshot: Snapshot;
  manifest: Manifest;
}

/**
 * Walks datasets over the same successive intervals of their ordered column, yielding, for each interval, one
 * (possibly empty) table per dataset that has rows in the range (in the order of `sources`): a dataset with rows in
 * `[start, end)` has a part in every interval, one without has none at all. Each dataset keeps only its current
 * block in memory; the next one is decoded on the worker pool while the current is sent.
 */
export async function* walkIntersections(
  sources: readonly IntersectionSource[],
  range: { start?: Ordinal | undefined; end?: Ordinal | undefined },
  options: { pool: ParquetPool; columns?: readonly string[] | undefined; signal?: AbortSignal | undefined },
): AsyncGenerator<IntersectionPart> {
  const plan = planIntersections(
    sources.map((s) => s.manifest.rowGroups),
    range.start,
    range.end,
  );
  const cursors = sources.map((source, keyIndex) => new BlockCursor(source, plan.blocks[keyIndex]!, options));
  // Row-group bounds alone cannot tell whether a block around the whole range holds a row inside it: look.
  for (const [keyIndex, cursor] of cursors.entries()) {
    if (mayMissRange(plan.blocks[keyIndex]!, range.start, range.end) && (await cursor.rows(range.start, range.end)).numRows === 0) {
      cursor.deactivate();
    }
  }
  let lower = range.start;
  for (const [interval, upper] of plan.boundaries.entries()) {
    for (const [keyIndex, cursor] of cursors.entries()) {
      if (!cursor.active) continue;
      options.signal?.throwIfAborted();
      yield { interval, keyIndex, start: lower, end: upper, table: await cursor.rows(lower, upper) };
    }
    lower = upper;
  }
}

/** Moves through one dataset's blocks as intervals advance, holding the current block and reading the next. */
class BlockCursor {
  private index = 0;
  private current: Promise<Table> | undefined;
  private next: Promise<Table> | undefined;
  private excluded = false;
  private readonly schema: Schema;
  private readonly columns: string[];

  constructor(
    private readonly source: IntersectionSource,
    private readonly blocks: readonly Block[],
    private readonly options: { pool: ParquetPool; columns?: readonly string[] | undefined },
  ) {
    // A dataset without a schema has no row groups, hence no blocks: it never reads.
    const schema = source.manifest.schema ?? new Schema([]);
    this.columns = blocks.length > 0 ? resolveColumns(schema, options.columns) : [];
    this.schema = projectSchema(schema, this.columns);
  }

  /** True when the dataset has rows in the range (otherwise it takes no part, as in the reference). */
  get active(): boolean {
    return this.blocks.length > 0 && !this.excluded;
  }

  /** Takes the dataset out of the walk: its blocks turned out to hold no row in the range. */
  deactivate(): void {
    this.excluded = true;
    this.current = undefined;
  }

  /** Rows with lower <= value < upper (bounds undefined: open). */
  async rows(lower: Ordinal | undefined, upper: Ordinal | undefined): Promise<Table> {
    // Intervals never straddle blocks: skip blocks entirely before this interval.
    while (this.index < this.blocks.length - 1 && lower !== undefined && compareOrdinals(this.blocks[this.index]!.max, lower) < 0) {
      this.index++;
      this.current = this.next;
      this.next = undefined;
    }
    const block = this.blocks[this.index]!;
    if ((upper !== undefined && compareOrdinals(block.min, upper) >= 0) || (lower !== undefined && compareOrdinals(block.max, lower) < 0)) {
      return new Table(this.schema);
    }
    this.current ??= this.load(block);
    if (this.index + 1 < this.blocks.length) this.next ??= this.load(this.blocks[this.index + 1]!);
    const table = await this.current;
    const values = orderedColumn(table, this.source.manifest.orderedOn).values;
    const lo = lower === undefined ? 0 : searchSorted(values, lower, "left");
    const hi = upper === undefined ? values.length : searchSorted(values, upper, "left");
    const rows = table.slice(lo, Math.max(lo, hi)).select(this.columns);
    if (rows.numRows === 0) return new Table(this.schema);
    // Labelled with the dataset's schema: the Parquet workers number dictionaries their own way, and the table's
    // IPC stream must declare the ids its dictionary messages use.
    return new Table(this.schema, rows.batches.map((batch) => new RecordBatch(this.schema, batch.data)));
  }

  private load(block: Block): Promise<Table> {
    const { manifest } = this.source;
    const { orderedOn } = manifest;
    const wanted = this.columns.includes(orderedOn) ? this.columns : [...this.columns, orderedOn];
    // Row groups of an older schema: only the columns their file has are read, the rest filled (and widened) here.
    const target = manifest.schema ? projectSchema(manifest.schema, wanted) : new Schema([]);
    // Batches of files of different schemas carry different type objects (and the worker's column order), which
    // Arrow's Table refuses to mix: all of them are then conformed to the one schema, matching columns by name.
    const mixed = block.rowGroups.some((g) => !hasCurrentSchema(manifest, g));
    const read = (g: RowGroupEntry) => {
      const current = hasCurrentSchema(manifest, g);
      const own = current ? wanted : rowGroupSchema(manifest as Manifest & { schema: Schema }, g).fields.map((f) => f.name);
      const columns = current ? wanted : wanted.filter((c) => own.includes(c));
      return this.options.pool
        .readRowGroupFile(join(this.source.snapshot.dir, g.file), { columns })
        .then((ipc) => tableFromIPC(ipc).batches.map((batch) => (mixed ? conformBatch(batch, target) : batch)));
    };
    const loading = Promise.all(block.rowGroups.map(read)).then((parts) => {
      const batches = parts.flat();
      return mixed ? new Table(target, batches.map((batch) => new RecordBatch(target, batch.data))) : new Table(batches);
    });
    loading.catch(() => undefined); // awaited in rows(); read-ahead failures must not be "unhandled"
    return loading;
  }
}
