import type { RecordBatch, Table } from "apache-arrow";
import type { CheckReport } from "./check-report.js";
import { DatasetWriter } from "./dataset-writer.js";
import type { DatasetWriterOptions } from "./dataset-writer.js";
import { OupsClientError, isOupsClientError } from "./errors.js";
import type { DeclaredKey, IndexDeclaration, KeyFields, KeyOf, LevelFields } from "./index-schema.js";
import { sameIndexLayout } from "./index-schema.js";
import type {
  BoundValue,
  DatasetDescription,
  Intersection,
  OupsClientOptions,
  RangeQueryOptions,
  WriteData,
  WriteOptions,
  WriteResult,
} from "./oups-client.js";
import { OupsClient } from "./oups-client.js";
import type { CallOptions } from "./grpc/typed-client.js";

/**
 * A store seen through a declared index: keys are typed, and the declaration is checked against the daemon's
 * schema on connect (an empty store is initialised with it).
 */
export class Store<L extends readonly LevelFields[]> {
  private constructor(
    /** The underlying client, for calls that take wire keys. */
    readonly client: OupsClient,
    readonly index: IndexDeclaration<L>,
  ) {}

  /** Connects to the daemon at `address` and checks (or declares) the store's index schema. */
  static async connect<L extends readonly LevelFields[]>(
    address: string,
    index: IndexDeclaration<L>,
    options: OupsClientOptions = {},
  ): Promise<Store<L>> {
    const client = new OupsClient(address, options);
    try {
      const schema = await client.getIndexSchema().catch(async (err: unknown) => {
        if (!isOupsClientError(err, "NOT_INITIALIZED")) throw err;
        await client.initStore(index.schema);
        return index.schema;
      });
      if (!sameIndexLayout(schema, index.schema)) {
        throw new OupsClientError(
          "SCHEMA_MISMATCH",
          9,
          `index "${index.schema.name}" does not match the store's schema "${schema.name}" (${JSON.stringify(schema.levels)})`,
        );
      }
      return new Store(client, index);
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /**
   * The dataset of a key (nothing is called until one of its methods is): a key object of the declaration, or a
   * key built by its `key()`. Plain field maps are refused by the type checker, so that a misspelled field is caught.
   */
  get(key: KeyOf<L> | DeclaredKey<L>): DatasetHandle {
    return new DatasetHandle(this.client, toWire(this.index, key));
  }

  /** Keys holding a dataset, sorted; `filter` keeps those with these field values. */
  async keys(filter: Partial<KeyOf<L>> = {}, options?: CallOptions): Promise<KeyOf<L>[]> {
    const wireFilter = Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)]));
    return (await this.client.listKeys(wireFilter, options)).map((k) => this.index.parse(k));
  }

  /** Walks several datasets over the same successive intervals of their ordered column. */
  queryIntersections(
    keys: readonly (KeyOf<L> | KeyFields)[],
    options: { start?: BoundValue; end?: BoundValue; columns?: readonly string[] } & CallOptions = {},
  ): AsyncGenerator<Intersection> {
    return this.client.queryIntersections(keys.map((k) => toWire(this.index, k)), options);
  }

  /** Checks the store's datasets against their files (see {@link OupsClient.checkStore}). */
  check(options: { repair?: boolean } & CallOptions = {}): Promise<CheckReport> {
    return this.client.checkStore(options);
  }

  close(): void {
    this.client.close();
  }
}

/** One dataset of a store: write, read and manage it. */
export class DatasetHandle {
  constructor(
    private readonly client: OupsClient,
    /** The key as sent on the wire. */
    readonly key: KeyFields,
  ) {}

  /** Merges rows in one atomic commit (see {@link OupsClient.write}). */
  write(data: WriteData, options: WriteOptions = {}): Promise<WriteResult> {
    return this.client.write(this.key, data, options);
  }

  /** A buffered writer making one commit per flush. */
  writer(options: DatasetWriterOptions = {}): DatasetWriter {
    return new DatasetWriter(this.client, this.key, options);
  }

  /** Streams a range as record batches. */
  rangeQuery(options: RangeQueryOptions = {}): AsyncGenerator<RecordBatch> {
    return this.client.rangeQuery(this.key, options);
  }

  /** Reads a range into one table. */
  read(options: RangeQueryOptions = {}): Promise<Table> {
    return this.client.read(this.key, options);
  }

  describe(options?: CallOptions): Promise<DatasetDescription> {
    return this.client.describe(this.key, options);
  }

  metadata(options?: CallOptions): Promise<Record<string, string>> {
    return this.client.getMetadata(this.key, options);
  }

  updateMetadata(changes: { set?: Readonly<Record<string, string>>; remove?: readonly string[] }, options?: CallOptions) {
    return this.client.updateMetadata(this.key, changes, options);
  }

  remove(options?: CallOptions): Promise<void> {
    return this.client.remove(this.key, options);
  }
}

function toWire<L extends readonly LevelFields[]>(index: IndexDeclaration<L>, key: KeyOf<L> | KeyFields): KeyFields {
  return index.key(key as KeyOf<L>);
}
