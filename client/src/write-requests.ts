import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Schema } from "apache-arrow";
import { RecordBatch, Table } from "apache-arrow";
import { encodeFramedIpcStream } from "./ipc-chunks.js";
import { OupsClientError } from "./errors.js";
import type { WriteRequestSchema } from "#gen/oups/v1/store_pb.js";
import { SchemaEvolution } from "#gen/oups/v1/store_pb.js";
import type { KeyFields } from "./index-schema.js";
import type { WriteData, WriteOptions } from "./oups-client.js";
import { retentionToWire } from "./versions.js";

/** IPC bytes per Write message, about, unless the caller says otherwise. */
const DEFAULT_MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/** The messages of a Write call: the header built from `options`, then the rows as IPC chunks. */
export async function* writeRequests(
  key: KeyFields,
  data: WriteData,
  options: WriteOptions,
): AsyncGenerator<MessageInitShape<typeof WriteRequestSchema>> {
  const target = options.rowGroupTarget;
  yield {
    kind: {
      case: "header",
      value: {
        key: { fields: { ...key } },
        orderedOn: options.orderedOn ?? "",
        duplicatesOn: [...(options.duplicatesOn ?? [])],
        dropDuplicates: options.dropDuplicates ?? options.duplicatesOn !== undefined,
        rowGroupTarget:
          target === undefined
            ? undefined
            : { target: typeof target === "number" ? { case: "rows", value: BigInt(target) } : { case: "period", value: target } },
        maxNOffTargetRgs: options.maxNOffTargetRgs,
        metadata: { ...options.metadata },
        removeMetadata: [...(options.removeMetadata ?? [])],
        sort: options.sort ?? false,
        compression: options.compression ?? "",
        schemaEvolution: schemaEvolutionToWire(options.schemaEvolution),
        retention: retentionToWire(options.retention),
      },
    },
  };
  const { schema, batches } = await batchesOf(data);
  for await (const chunk of encodeFramedIpcStream(schema, batches, { maxChunkBytes: options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES })) {
    yield { kind: { case: "arrowIpc", value: chunk } };
  }
}

/** The schema and batches of any accepted form of rows (the first batch of a sequence gives the schema). */
export async function batchesOf(data: WriteData): Promise<{ schema: Schema; batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch> }> {
  if (data instanceof Table) return { schema: data.schema, batches: data.batches };
  if (data instanceof RecordBatch) return { schema: data.schema, batches: [data] };
  // A sequence of batches: the first one gives the schema.
  const iterator =
    Symbol.asyncIterator in data ? data[Symbol.asyncIterator]() : (data as Iterable<RecordBatch>)[Symbol.iterator]();
  const first = await iterator.next();
  if (first.done) throw new OupsClientError("INVALID_ARGUMENT", 3, "no record batch to write: pass a Table to write no rows");
  async function* rest() {
    yield first.value as RecordBatch;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as RecordBatch;
  }
  return { schema: (first.value as RecordBatch).schema, batches: rest() };
}

/** The SDK's schema evolution option → the wire enum (unknown values refused here, before anything is sent). */
function schemaEvolutionToWire(value: WriteOptions["schemaEvolution"]): SchemaEvolution {
  switch (value) {
    case undefined:
      return SchemaEvolution.UNSPECIFIED;
    case "none":
      return SchemaEvolution.NONE;
    case "add-columns":
      return SchemaEvolution.ADD_COLUMNS;
    default:
      throw new OupsClientError("INVALID_ARGUMENT", 3, `schemaEvolution must be "none" or "add-columns", got ${JSON.stringify(value)}`);
  }
}
