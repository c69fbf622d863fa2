import { Schema, Table, Type } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { assertOrdered } from "../arrow/check-order.js";
import { formatOrdinal } from "../arrow/format-ordinal.js";
import { batchesOf, columnChunks, firstNullIndex } from "../arrow/column-chunks.js";
import { concatBatches } from "../arrow/concat-batches.js";
import { labelBatch } from "../arrow/label-batch.js";
import { storedTypeOf } from "../arrow/logical-type.js";
import { ordinalKindOf, orderedColumn } from "../arrow/ordered-column.js";
import { conformBatch, needsConforming } from "../arrow/conform-batch.js";
import { evolveSchema } from "../arrow/evolve-schema.js";
import { assertStorableSchema } from "../arrow/storable-schema.js";
import { sortBatch } from "../arrow/sort-batch.js";
import { validateBatch } from "../arrow/validate-batch.js";
import { validateSchema } from "../arrow/validate-schema.js";
import type { WriteConversion } from "../arrow/write-conversion.js";
import { storedSchemaOf, writeConversion } from "../arrow/write-conversion.js";
import { OupsError } from "../errors.js";
import type { Compression } from "../io/compression.js";
import type { ParquetPool } from "../io/parquet-pool.js";
import type { Ordinal } from "../ordinal.js";
import { compareOrdinals } from "../ordinal.js";
import type { Dataset } from "./dataset.js";
import type { Manifest, RowGroupEntry } from "./manifest.js";
import type { SchemaVersion } from "./schema-history.js";
import { schemaVersionsOf } from "./schema-history.js";
import { mergeMetadata, sameMetadata } from "./metadata.js";
import type { MetadataLimits } from "./metadata-limits.js";
import type { RowGroupCache } from "./row-group-cache.js";
import type { StagedWriteOptions } from "./staged-write.js";
import { StagedWrite } from "./staged-write.js";
import { validateRetention } from "../versions/retention-policy.js";
import type { WriteOptions } from "./write-options.js";
import { resolveWriteOptions } from "./write-options.js";

/** Rows to write: the IPC stream's schema (absent for a metadata-only write) and its batches. */
export interface WriteInput {
  schema: Schema | undefined;
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
}

/** What a committed write reports. */
export interface WriteResult {
  rowsReceived: number;
  totalRows: number;
  rowGroupsRewritten: number;
  rowGroupsAdded: number;
  rowGroupsTotal: number;
  generation: number;
}

/** Tuning of the write path. */
export interface WriteTuning {
  pool: ParquetPool;
  /** Incoming rows merged at once, at least; bounds a write's memory whatever its size. */
  windowRows: number;
  maxFilesInFlight: number;
  /** Coalescing bound for writes that do not give one (undefined: never coalesce). */
  defaultMaxNOffTargetRgs?: number | undefined;
  /** Codec of the row groups written by writes that do not name one (undefined: the engine's default). */
  defaultCompression?: Compression | undefined;
  metadataLimits: MetadataLimits;
  /** The decoded row-group cache, written through (see {@link StagedWriteOptions.cache}). */
  cache?: RowGroupCache | undefined;
}

/**
 * Merges a stream of rows into a dataset as one atomic commit: validates schema and ordering as batches arrive,
 * merges them window by window into the row groups they overlap (writing new files as it goes), and commits a new
 * manifest at the end. On any failure or cancellation the files written are deleted and nothing changes.
 * The caller serialises writes to one dataset (the store's per-key queue).
 */
export async function writeDataset(dataset: Dataset, input: WriteInput, options: WriteOptions, tuning: WriteTuning): Promise<WriteResult> {
  if (input.schema) validateSchema(input.schema);
  const committed = await dataset.current();
  const orderedOn = committed?.orderedOn || options.orderedOn;
  if (!orderedOn) throw new OupsError("INVALID_ARGUMENT", "ordered_on is required on the first write to a dataset");
  if (committed && options.orderedOn && options.orderedOn !== committed.orderedOn) {
    throw new OupsError("ORDERED_ON_MISMATCH", `ordered_on "${options.orderedOn}" does not match the dataset's "${committed.orderedOn}"`);
  }
  // A new dataset keeps the writer's schema in the types the store keeps (see storedSchemaOf), with canonical
  // dictionary ids (the writer's own are arbitrary); later writes may evolve it (see evolveSchema) and are
  // converted to it where their types allow (see writeConversion).
  if (!committed?.schema && input.schema) assertOrderable(input.schema, orderedOn);
  let schema = committed?.schema ?? (input.schema && storedSchemaOf(input.schema));
  if (!committed?.schema && schema) assertStorableSchema(schema);
  if (committed?.schema && input.schema) {
    const evolved = evolveSchema(committed.schema, input.schema, orderedOn, options.schemaEvolution ?? "none");
    if (evolved.added.length > 0) assertStorableSchema(new Schema(evolved.schema.fields.filter((f) => evolved.added.includes(f.name))));
    schema = evolved.schema;
  }
  // The columns the write brings, in the dataset's types; the ones it leaves out are filled with nulls afterwards.
  const conversion = schema && input.schema ? writeConversion(columnsOf(schema, input.schema), input.schema) : undefined;
  const resolved = resolveWriteOptions(options, orderedOn, schema, tuning.defaultMaxNOffTargetRgs, tuning.defaultCompression);
  // Checked before any row is read: writes to the dataset are serialised, so the committed metadata cannot change.
  const metadata = mergeMetadata(committed?.metadata ?? {}, options.metadata, options.removeMetadata, tuning.metadataLimits);
  const ids = await dataset.nextIds();
  const history = nextSchemaHistory(committed, schema, ids.generation);
  const staged = new StagedWrite(committed ? rowGroupsUnder(committed, history) : [], ids.fileId, {
    dir: dataset.dir,
    ensureDir: () => dataset.ensureDir(),
    removeFiles: (files) => dataset.removeFiles(files),
    pool: tuning.pool,
    schema,
    orderedOn,
    target: resolved.target,
    maxNOffTargetRgs: resolved.maxNOffTargetRgs,
    duplicatesOn: resolved.duplicatesOn,
    compression: resolved.compression,
    maxFilesInFlight: tuning.maxFilesInFlight,
    cache: tuning.cache,
  });
  try {
    const rowsReceived = await applyStream(staged, input, orderedOn, options, tuning.windowRows, schema, resolved.maxNOffTargetRgs, conversion);
    options.signal?.throwIfAborted();
    const rowGroups = staged.rowGroups;
    // No rows and a metadata change that changes nothing (an absent key removed): no new generation.
    const unchanged =
      committed !== null &&
      options.retention === undefined &&
      schema === committed.schema &&
      staged.rowGroupsAdded + staged.rowGroupsRewritten + staged.obsolete.length === 0 &&
      sameMetadata(metadata, committed.metadata);
    if (unchanged) {
      const totalRows = rowGroups.reduce((n, g) => n + g.rows, 0);
      return { rowsReceived, totalRows, rowGroupsRewritten: 0, rowGroupsAdded: 0, rowGroupsTotal: rowGroups.length, generation: committed.generation };
    }
    const next: Manifest = {
      generation: ids.generation,
      orderedOn,
      schema,
      ordinalKind: schema ? ordinalKindOf(schema.fields.find((f) => f.name === orderedOn)!.type) : undefined,
      rowGroups,
      metadata,
      nextFileId: staged.nextFileId,
      schemaHistory: history,
    };
    await dataset.commit(
      next,
      {
        operation: "write",
        rowsReceived,
        rowGroupsRewritten: staged.rowGroupsRewritten,
        rowGroupsAdded: staged.rowGroupsAdded,
        metadataChanged: committed === null ? Object.keys(metadata).length > 0 : !sameMetadata(metadata, committed.metadata),
      },
      options.retention === undefined ? undefined : validateRetention(options.retention ?? {}),
    );
    return {
      rowsReceived,
      totalRows: rowGroups.reduce((n, g) => n + g.rows, 0),
      rowGroupsRewritten: staged.rowGroupsRewritten,
      rowGroupsAdded: staged.rowGroupsAdded,
      rowGroupsTotal: rowGroups.length,
      generation: next.generation,
    };
  } catch (err) {
    await staged.discard();
    // A failed first write leaves no directory behind.
    await dataset.pruneIfEmpty();
    if (options.signal?.aborted && !(err instanceof OupsError)) {
      throw new OupsError("CANCELLED", "write cancelled: nothing was committed", { cause: err });
    }
    throw err;
  }
}

/**
 * The schema history after a write whose dataset schema is `schema`: the committed one, plus a version of generation
 * `generation` when the schema is new (the first rows, or columns added or widened).
 */
function nextSchemaHistory(committed: Manifest | null, schema: Schema | undefined, generation: number): readonly SchemaVersion[] | undefined {
  if (!schema) return undefined;
  const versions = committed ? schemaVersionsOf(committed) : [];
  // Unchanged: a manifest from before the history was kept stays without one.
  if (committed?.schema === schema) return committed.schemaHistory;
  return [...versions, { generation, schema }];
}

/**
 * The committed row groups as the next manifest lists them: when the schema changes, those of the committed current
 * schema (which names no version) name theirs.
 */
function rowGroupsUnder(committed: Manifest, history: readonly SchemaVersion[] | undefined): readonly RowGroupEntry[] {
  const before = schemaVersionsOf(committed).length;
  if (!history || history.length === before || before === 0) return committed.rowGroups;
  return committed.rowGroups.map((g) => (g.schemaVersion === undefined ? { ...g, schemaVersion: before - 1 } : g));
}

/**
 * Feeds the incoming batches to the staged write window by window, each validated first (a malformed batch fails the
 * write before any of it is merged); returns the number of rows received.
 */
async function applyStream(
  staged: StagedWrite,
  input: WriteInput,
  orderedOn: string,
  options: WriteOptions,
  windowRows: number,
  schema: Schema | undefined,
  maxNOffTargetRgs: number | undefined,
  conversion: WriteConversion | undefined,
): Promise<number> {
  let window: RecordBatch[] = [];
  let windowSize = 0;
  let windowFirst: Ordinal | undefined;
  // Rows received since the window was last merged (the window may start with the tail carried from it).
  let fresh = 0;
  let received = 0;
  let previous: Ordinal | undefined;
  // Rows after everything staged only extend the dataset: merging them early costs nothing more.
  const appendsOnly = () => {
    const last = staged.rowGroups.at(-1);
    return last === undefined || (windowFirst !== undefined && compareOrdinals(windowFirst, last.max) > 0);
  };
  // Batches are numbered from 1 in messages, as users count them.
  let batchNumber = 0;
  const fill = schema !== undefined && input.schema !== undefined && needsConforming(schema, input.schema);
  for await (const incoming of input.batches) {
    options.signal?.throwIfAborted();
    batchNumber++;
    validateBatch(incoming, batchNumber, input.schema);
    if (incoming.numRows === 0) continue;
    let batch = conversion && !conversion.identity ? conversion.apply(incoming, received + 1) : incoming;
    // Nullable columns the write leaves out are filled with nulls.
    if (fill) batch = conformBatch(batch, schema!);
    const values = orderedColumn(batch, orderedOn).values;
    if (!options.sort) {
      const type = batch.schema.fields.find((f) => f.name === orderedOn)!.type;
      assertOrdered(values, orderedOn, received, previous, { batch: batchNumber, format: (v) => formatOrdinal(v, type) });
      previous = values[values.length - 1];
    }
    if (schema) assertRequiredPresent(batch, schema, received);
    received += batch.numRows;
    if (windowSize === 0) windowFirst = values[0];
    window.push(batch);
    windowSize += batch.numRows;
    fresh += batch.numRows;
    // With `sort`, order is only known at the end: the whole input is one window.
    if (!options.sort && (windowSize >= windowRows || (fresh >= EAGER_APPEND_ROWS && appendsOnly()))) {
      fresh = 0;
      const tail = await staged.apply(windowOf(window, windowSize, schema!), false);
      window = tail ? [...batchesOf(tail)] : [];
      windowSize = tail?.numRows ?? 0;
      windowFirst = tail ? orderedColumn(tail, orderedOn).values[0] : undefined;
    }
  }
  if (window.length > 0) {
    await staged.apply(options.sort ? sortBatch(concatBatches(window, schema!), orderedOn) : windowOf(window, windowSize, schema!), true);
  } else if (options.maxNOffTargetRgs !== undefined && maxNOffTargetRgs !== undefined) {
    // No rows, but an explicit coalescing bound: a compaction call (reference planner, step D).
    await staged.apply(null, true);
  }
  return received;
}

/**
 * Rows of an append merged without waiting for a full window, so that the Parquet workers encode row groups while
 * the rest of the write still arrives. Rows that may overlap stored row groups wait for a full window: merged in
 * small windows, a row group they straddle would be rewritten once per window.
 */
const EAGER_APPEND_ROWS = 256 * 1024;

/**
 * Batches of fewer rows than this, on average, are concatenated rather than passed on as they are: each batch costs
 * an IPC message (and a dictionary message per dictionary column) in every row-group file it lands in.
 */
const MIN_MEAN_BATCH_ROWS = 4096;

/**
 * The `rows` rows of `batches` as the staged write takes them: a table over the batches themselves (no copy) when they
 * all have the dataset's columns in its order and are not too small, one concatenated batch otherwise.
 */
function windowOf(batches: readonly RecordBatch[], rows: number, schema: Schema): Table | RecordBatch {
  if (rows < MIN_MEAN_BATCH_ROWS * batches.length) return concatBatches(batches, schema);
  const labelled: RecordBatch[] = [];
  for (const batch of batches) {
    const label = labelBatch(batch, schema);
    if (label === undefined) return concatBatches(batches, schema);
    labelled.push(label);
  }
  return new Table(schema, labelled);
}

/**
 * Throws `SCHEMA_MISMATCH` at the first null of a column that the dataset's schema declares non-nullable: Parquet
 * refuses to encode it, and the schema check lets nullability differ. `offset` is the row number of the batch's first row.
 */
function assertRequiredPresent(batch: RecordBatch, schema: Schema, offset: number): void {
  for (const field of schema.fields) {
    // apache-arrow declares Null columns non-nullable; Parquet stores them all the same, and they hold only nulls.
    if (field.nullable || field.typeId === Type.Null) continue;
    const chunk = columnChunks(batch, field.name)?.[0];
    const row = chunk ? firstNullIndex(chunk) : -1;
    if (row >= 0) {
      throw new OupsError("SCHEMA_MISMATCH", `column "${field.name}" is not nullable in the dataset's schema, but row ${offset + row} is null`);
    }
  }
}

/**
 * Throws `INVALID_ARGUMENT` when the ordered column of a first write is of a type the store cannot order
 * (booleans, binary, Float16, nested types, times, durations...), naming the types it can.
 */
function assertOrderable(schema: Schema, orderedOn: string): void {
  const field = schema.fields.find((f) => f.name === orderedOn);
  // A missing column is reported with the write options (resolveWriteOptions).
  if (field !== undefined && ordinalKindOf(storedTypeOf(field.type)) === undefined) {
    throw new OupsError(
      "INVALID_ARGUMENT",
      `ordered column "${orderedOn}" has type ${String(field.type)}, which cannot be ordered: an ordered column is an integer (Int8..Int64, UInt8..UInt64), Float32, Float64, Timestamp, Date or text column`,
    );
  }
}

/** The fields of `schema` that `incoming` brings, in `incoming`'s order: what its batches are converted to. */
function columnsOf(schema: Schema, incoming: Schema): Schema {
  const byName = new Map(schema.fields.map((field) => [field.name, field]));
  return new Schema(incoming.fields.map((field) => byName.get(field.name) ?? field), schema.metadata);
}
