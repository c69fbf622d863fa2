import type { Store } from "../store/store.js";
import { OupsError } from "../store/errors.js";
import { StoreService } from "./contract.js";
import { indexSchemaFromWire, indexSchemaToWire, keyFromWire, keyToWire } from "./convert.js";
import type { ServiceImpl } from "./typed-service.js";

/** The StoreService handlers: thin translation between wire messages and the engine. */
export function createStoreService(store: Store): ServiceImpl<typeof StoreService> {
  return {
    async initStore(request) {
      const { schema, created } = await store.initIndexSchema(indexSchemaFromWire(request.schema));
      return { schema: indexSchemaToWire(schema), created };
    },
    async getIndexSchema() {
      return { schema: indexSchemaToWire(store.requireSchema()) };
    },
    async listKeys(request) {
      const keys = await store.listKeys(keyFromWire(request.prefix));
      return { keys: keys.map(keyToWire) };
    },
    async describe() {
      throw unimplemented("Describe", "the storage engine");
    },
    async write() {
      throw unimplemented("Write", "the storage engine");
    },
    async *rangeQuery() {
      throw unimplemented("RangeQuery", "the storage engine");
    },
    async *queryIntersections() {
      throw unimplemented("QueryIntersections", "cross-dataset queries");
    },
    async getMetadata() {
      throw unimplemented("GetMetadata", "dataset metadata");
    },
    async updateMetadata() {
      throw unimplemented("UpdateMetadata", "dataset metadata");
    },
    async remove() {
      throw unimplemented("Remove", "the storage engine");
    },
  };
}

function unimplemented(rpc: string, feature: string): OupsError {
  return new OupsError("UNIMPLEMENTED", `${rpc} is not implemented yet: it comes with ${feature}`);
}

export { StoreService };
