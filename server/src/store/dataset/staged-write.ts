import type { Schema } from "apache-arrow";
import { DataType, RecordBatch, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { withKnownNullCounts } from "#shared/arrow/known-null-counts.js";
import { join } from "node:path";
import { concatBatches } from "../arrow/concat-batches.js";
import { conformBatch, needsConforming } from "../arrow/conform-batch.js";
import { dropDuplicatesKeepLast } from "../arrow/dedupe.js";
import { mergeSorted, mergeSortedKeepLast } from "../arrow/merge-sorted.js";
import { orderedColumn } from "../arrow/ordered-column.js";
import type { Compression, ParquetPool } from "../io/parquet-pool.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import type { MergePlanOptions, RowGroupTarget } from "../plan/plan-merge.js";
import { planMerge } from "../plan/plan-merge.js";
import { splitOffsets } from "../plan/split-offsets.js";
import type { RowGroupEntry } from "./manifest.js";
import type { RowGroupCache } from "./row-group-cache.js";
import { rowGroupFileName } from "./row-group-files.js";

/** What a staged write needs to know of its dataset and options. */
export interface StagedWriteOptions {
  readonly dir: string;
  /** Creates the dataset directory; called before the first file is written. */
  readonly ensureDir: () => Promise<void>;
  /** Deletes files of the dataset directory (only plain files, only while it is a real directory of the store). */
  readonly removeFiles: (files: readonly string[]) => Promise<void>;
  readonly pool: ParquetPool;
  /** Undefined for a metadata-only write to a dataset that never held rows. */
  readonly schema: Schema | undefined;
  readonly orderedOn: string;
  readonly target: RowGroupTarget;
  readonly maxNOffTargetRgs: number | undefined;
  /** Columns that make rows duplicates ("all": every column), or undefined to keep duplicates. */
  readonly duplicatesOn: readonly string[] | "all" | undefined;
  readonly compression: Compression;
  /** Row-group files encoded at once, at most (the pool's parallelism). */
  readonly maxFilesInFlight: number;
  /** The decoded row-group cache: the row groups written go in (write-through). */
  readonly cache?: RowGroupCache | undefined;
}

/**
 * The uncommitted state of one write: the row-group list as it will be committed, the files written so far, and
 * the committed files it makes obsolete. Rows are applied window by window (each window a sorted slice of the
 * incoming stream, merged as a write of its own), so memory stays bounded however long the stream. Nothing is
 * visible to readers until the caller commits {@link rowGroups}.
 */
export class StagedWrite {
  rowGroups: RowGroupEntry[];
  /** Files written by this write and still listed in {@link rowGroups}. */
  private readonly created = new Set<string>();
  /** Committed files this write replaces: deleted after the commit, once readers are done. */
  readonly obsolete: string[] = [];
  /** File writes running, each settled (never rejected) when its file is written or failed. */
  private readonly inFlight = new Set<Promise<void>>();
  rowGroupsRewritten = 0;
  private readonly dictionaryColumns: string[];
  private dirReady = false;
  /** Files of this write put in the cache, with their sizes: taken out again when the file is deleted. */
  private readonly cached = new Map<string, number>();
  private readonly cacheEpoch: number;

  constructor(
    committed: readonly RowGroupEntry[],
    public nextFileId: number,
    private readonly options: StagedWriteOptions,
  ) {
    this.rowGroups = [...committed];
    this.dictionaryColumns = (options.schema?.fields ?? [])
      .filter((f) => DataType.isDictionary(f.type) || DataType.isUtf8(f.type) || DataType.isLargeUtf8(f.type) || DataType.isBinary(f.type))
      .map((f) => f.name);
    this.cacheEpoch = options.cache?.epoch ?? 0;
  }

  /** Row groups written by this write that the commit will list. */
  get rowGroupsAdded(): number {
    return this.created.size;
  }

  /**
   * Merges one sorted window of incoming rows into the staged row groups. Unless `final`, the last piece written
   * at the end of the dataset is held back and returned instead, to be merged with the next window (so that the
   * window boundaries do not leave small row groups behind). A table's batches must have the dataset's schema;
   * they are only copied where a kernel needs one batch (dedupe, merges with existing rows).
   */
  async apply(incoming: RecordBatch | Table | null, final: boolean): Promise<RecordBatch | Table | null> {
    const o = this.options;
    if (incoming && o.duplicatesOn) incoming = dropDuplicatesKeepLast(asBatch(incoming), o.duplicatesOn, o.orderedOn);
    const values: ArrayLike<Ordinal> = incoming ? orderedColumn(incoming, o.orderedOn).values : [];
    const planOptions: MergePlanOptions = {
      target: o.target,
      dropDuplicates: o.duplicatesOn !== undefined,
      maxNOffTargetRgs: o.maxNOffTargetRgs,
    };
    const plan = planMerge(this.rowGroups, values, planOptions);
    const replacements: { start: number; end: number; entries: Promise<RowGroupEntry>[] }[] = [];
    let heldBack: RecordBatch | Table | null = null;

    for (const [s, sequence] of plan.sequences.entries()) {
      const entries: Promise<RowGroupEntry>[] = [];
      let carry: RecordBatch | Table | null = null;
      for (const chunk of sequence.chunks) {
        const existing = await this.readRowGroups(this.rowGroups.slice(chunk.rgStart, chunk.rgEnd));
        const base = concatTables(carry, existing, o.schema);
        const slice = incoming && chunk.inEnd > chunk.inStart ? incoming.slice(chunk.inStart, chunk.inEnd) : null;
        // Appending after everything (no existing rows to merge with) needs no copy: slices are views.
        let merged: RecordBatch | Table | null = base ?? slice;
        if (base && slice) {
          merged = o.duplicatesOn ? mergeSortedKeepLast(base, slice, o.orderedOn, o.duplicatesOn) : mergeSorted(base, slice, o.orderedOn);
        } else if (base && o.duplicatesOn) {
          merged = dropDuplicatesKeepLast(asBatch(base), o.duplicatesOn, o.orderedOn);
        }
        if (!merged || merged.numRows === 0) continue;
        // Incoming rows alone: their ordered values were read already.
        const mergedValues = merged === slice ? ordinalsBetween(values, chunk.inStart, chunk.inEnd) : orderedColumn(merged, o.orderedOn).values;
        const offsets = splitOffsets(mergedValues, o.target);
        for (let i = 0; i + 1 < offsets.length; i++) {
          entries.push((await this.writePiece(merged.slice(offsets[i], offsets[i + 1]), mergedValues, offsets[i]!, offsets[i + 1]!)).entry);
        }
        carry = merged.slice(offsets.at(-1));
      }
      if (carry && carry.numRows > 0) {
        const isTail = s === plan.sequences.length - 1 && sequence.rgEnd === this.rowGroups.length;
        const lastIncoming = values.length > 0 ? values[values.length - 1]! : undefined;
        const carryValues = orderedColumn(carry, o.orderedOn).values;
        // Held back only when every held row sorts before what later windows can bring (>= lastIncoming).
        if (!final && isTail && lastIncoming !== undefined && compareOrdinals(carryValues[carryValues.length - 1]!, lastIncoming) <= 0) {
          heldBack = carry;
        } else {
          entries.push((await this.writePiece(carry, carryValues, 0, carry.numRows)).entry);
        }
      }
      replacements.push({ start: sequence.rgStart, end: sequence.rgEnd, entries });
    }

    // Splice from the last sequence back, so that earlier positions stay valid.
    for (const r of replacements.reverse()) {
      const written = await Promise.all(r.entries);
      const replaced = this.rowGroups.splice(r.start, r.end - r.start, ...written);
      for (const entry of replaced) await this.drop(entry);
    }
    return heldBack;
  }

  /**
   * Deletes every file this write created: nothing of it was committed. Never rejects, so that the caller reports
   * the failure that made it discard: a file that cannot be deleted (read-only store) is a leftover, which the
   * next load of the dataset removes.
   */
  async discard(): Promise<void> {
    await Promise.all(this.inFlight);
    for (const file of this.created) this.uncache(file);
    await this.options.removeFiles([...this.created]).catch(() => undefined);
    this.created.clear();
  }

  private async drop(entry: RowGroupEntry): Promise<void> {
    if (this.created.delete(entry.file)) {
      // Written by this write and replaced by it again: no reader ever saw it.
      this.uncache(entry.file);
      await this.options.removeFiles([entry.file]);
    } else {
      this.obsolete.push(entry.file);
      this.rowGroupsRewritten++;
    }
  }

  /**
   * Starts writing one row-group file once fewer than `maxFilesInFlight` writes run (so encoded pieces never
   * pile up in memory), and returns its entry's promise without waiting for the write itself.
   */
  private async writePiece(
    piece: RecordBatch | Table,
    values: ArrayLike<Ordinal>,
    start: number,
    end: number,
  ): Promise<{ entry: Promise<RowGroupEntry> }> {
    while (this.inFlight.size >= this.options.maxFilesInFlight) await Promise.race(this.inFlight);
    if (!this.dirReady) {
      await this.options.ensureDir();
      this.dirReady = true;
    }
    const file = rowGroupFileName(this.nextFileId++);
    this.created.add(file);
    const batches = piece instanceof Table ? piece.batches : [piece];
    const ipc = tableToIPC(new Table(piece.schema, batches.map(withKnownNullCounts)), "stream");
    const path = join(this.options.dir, file);
    const { cache } = this.options;
    // The pool moves `ipc` to its worker: the cache keeps a copy (one memcpy, far cheaper than decoding the file).
    const decoded = cache !== undefined && cache.maxBytes >= ipc.byteLength ? ipc.slice() : undefined;
    const written = this.options.pool
      .writeRowGroupFile(path, ipc, {
        compression: this.options.compression,
        dictionaryColumns: this.dictionaryColumns,
      })
      .then(({ bytes }) => {
        // Cached only once the file exists; a file deleted before the commit is taken out again (drop, discard).
        if (decoded !== undefined && this.created.has(file)) {
          cache!.set(path, bytes, decoded, this.cacheEpoch);
          this.cached.set(file, bytes);
        }
        return { file, rows: piece.numRows, min: values[start]!, max: values[end - 1]!, bytes };
      });
    const settled: Promise<void> = written.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    // Wrapped, since awaiting the promise itself would wait for the write.
    return { entry: written };
  }

  private uncache(file: string): void {
    const bytes = this.cached.get(file);
    if (bytes === undefined) return;
    this.cached.delete(file);
    this.options.cache?.delete(join(this.options.dir, file), bytes);
  }

  private async readRowGroups(entries: readonly RowGroupEntry[]): Promise<Table | null> {
    if (entries.length === 0) return null;
    // Read from their files, never from the cache: a rewrite must notice a file that is no longer the plain file
    // it wrote (the update figures showed no gain from reading them from memory).
    const ipcs = await Promise.all(entries.map((e) => this.options.pool.readRowGroupFile(join(this.options.dir, e.file))));
    const { schema } = this.options;
    // Row groups of an older schema are rewritten in the current one: new columns null, widened ones converted.
    const conform = (batch: RecordBatch) => (schema && needsConforming(schema, batch.schema) ? conformBatch(batch, schema) : batch);
    return tableOf(ipcs.flatMap((ipc) => tableFromIPC(ipc).batches.map(conform)), schema);
  }
}

function concatTables(a: RecordBatch | Table | null, b: Table | null, schema: Schema | undefined): Table | null {
  if (!a) return b;
  const first = a instanceof Table ? a.batches : [a];
  return tableOf(b ? [...first, ...b.batches] : first, schema);
}

/**
 * A table of `batches`, all labelled with the dataset's `schema`. Rows decoded from files carry other type objects
 * than rows that came in (generic classes such as `Int_` where the schema may hold `Int64`), which Arrow's Table
 * constructor refuses to mix although the columns are the same (the write checked them against the schema).
 */
function tableOf(batches: readonly RecordBatch[], schema: Schema | undefined): Table {
  if (!schema) return new Table(batches);
  return new Table(
    schema,
    batches.map((batch) => (batch.schema === schema ? batch : new RecordBatch(schema, batch.data))),
  );
}

/** Values `[start, end)` of `values`: a view of a typed array, a copy of an array of strings. */
function ordinalsBetween(values: ArrayLike<Ordinal>, start: number, end: number): ArrayLike<Ordinal> {
  if (Array.isArray(values)) return values.slice(start, end) as Ordinal[];
  return (values as unknown as { subarray(start: number, end: number): ArrayLike<Ordinal> }).subarray(start, end);
}

function asBatch(data: RecordBatch | Table): RecordBatch {
  if (!(data instanceof Table)) return data;
  return data.batches.length === 1 ? data.batches[0]! : concatBatches(data.batches, data.schema);
}
