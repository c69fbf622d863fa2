import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { OupsError } from "./errors.js";
import type { IndexSchema } from "./keys/index-schema.js";
import { indexSchemasEqual, validateIndexSchema } from "./keys/index-schema.js";
import type { Key } from "./keys/key.js";
import { validateKey } from "./keys/key.js";
import { listKeys } from "./keys/list-keys.js";
import { readIndexSchema, writeIndexSchema } from "./store-descriptor.js";
import { StoreLock } from "./store-lock.js";

/** Options of {@link Store.open}. */
export interface StoreOpenOptions {
  /** Index schema to initialise an empty store with; an existing store must have exactly this one. */
  indexSchema?: IndexSchema | undefined;
  /** Take the store directory's lock (default true); only tests of the lock itself turn it off. */
  lock?: boolean | undefined;
  /** Called when the store lock is compromised: writes are refused from then on. */
  onLockCompromised?: ((err: Error) => void) | undefined;
}

/**
 * A store: one directory of ordered datasets, one per key of its index schema. The process that opens it owns it
 * (a lock on the directory keeps other daemons out).
 */
export class Store {
  private constructor(
    readonly dir: string,
    private schema: IndexSchema | undefined,
    private readonly lock: StoreLock | undefined,
  ) {}

  /** Opens (and creates, if missing) the store at `dir`, taking its lock. */
  static async open(dir: string, options: StoreOpenOptions = {}): Promise<Store> {
    const storeDir = resolve(dir);
    await mkdir(storeDir, { recursive: true });
    const lock =
      options.lock === false
        ? undefined
        : await StoreLock.acquire(storeDir, options.onLockCompromised ? { onCompromised: options.onLockCompromised } : {});
    try {
      const store = new Store(storeDir, await readIndexSchema(storeDir), lock);
      if (options.indexSchema) await store.initIndexSchema(options.indexSchema);
      return store;
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  /** The store's index schema, or undefined until one is declared. */
  get indexSchema(): IndexSchema | undefined {
    return this.schema;
  }

  /**
   * Declares the index schema: succeeds when the store has none (persisting it) or has exactly this one;
   * refuses another one, since the paths of existing datasets depend on it.
   */
  async initIndexSchema(input: IndexSchema): Promise<{ schema: IndexSchema; created: boolean }> {
    const schema = validateIndexSchema(input);
    if (this.schema) {
      if (!indexSchemasEqual(this.schema, schema)) {
        throw new OupsError(
          "SCHEMA_MISMATCH",
          `store ${this.dir} has index schema ${describeSchema(this.schema)}, not ${describeSchema(schema)}`,
        );
      }
      return { schema: this.schema, created: false };
    }
    this.assertWritable();
    await writeIndexSchema(this.dir, schema);
    this.schema = schema;
    return { schema, created: true };
  }

  /** The keys holding a dataset, sorted; `filter` keeps the keys with these field values. */
  async listKeys(filter?: Readonly<Record<string, string>>): Promise<Key[]> {
    return listKeys(this.dir, this.requireSchema(), filter);
  }

  /** Validates `key` against the index schema and returns its normalised form. */
  validateKey(key: Readonly<Record<string, string>>): Key {
    return validateKey(this.requireSchema(), key);
  }

  /** Releases the store lock. */
  async close(): Promise<void> {
    await this.lock?.release();
  }

  /** The index schema; fails clearly while the store has none. */
  requireSchema(): IndexSchema {
    if (!this.schema) {
      throw new OupsError(
        "NOT_INITIALIZED",
        `store ${this.dir} has no index schema yet: declare one with InitStore (SDK: Store.connect with an index), 'oups init --index' or 'oups serve --index'`,
      );
    }
    return this.schema;
  }

  /** Fails when the store lock was lost: another process may be writing, so this one must not. */
  assertWritable(): void {
    if (this.lock?.compromised) {
      throw new OupsError("LOCK_COMPROMISED", `the lock on store ${this.dir} was lost; writes are refused until the daemon restarts`);
    }
  }
}

function describeSchema(schema: IndexSchema): string {
  return JSON.stringify(schema.levels.map((level) => level.map((f) => `${f.name}:${f.type}`).join(schema.fieldSeparator)));
}
