/**
 * The only server module that imports the generated contract: the rest of the RPC layer imports it from here,
 * and the engine never does.
 */
export * from "#gen/oups/v1/store_pb.js";
