import type { Table } from "apache-arrow";
import { tableFromIPC } from "apache-arrow";
import type { KeyFields, OupsClient } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";

/** A version as the contract names it (VersionSelector's oneof). */
export type WireVersion = { case: "generation"; value: bigint } | { case: "snapshot"; value: string };

/** Generation `g` as a wire selector. */
export const generation = (g: number): WireVersion => ({ case: "generation", value: BigInt(g) });

/** Snapshot `name` as a wire selector. */
export const snapshot = (name: string): WireVersion => ({ case: "snapshot", value: name });

/** Reads a whole version of a dataset through the raw contract (RangeQuery with a version selector). */
export async function readVersion(client: OupsClient, key: KeyFields, version: WireVersion): Promise<Table> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const r of client.rpc.rangeQuery({ key: { fields: key as Record<string, string> }, version: { version } })) chunks.push(r.arrowIpc);
  } catch (err) {
    throw OupsClientError.from(err);
  }
  return tableFromIPC(Buffer.concat(chunks));
}

/** The generations ListVersions reports for a dataset, oldest first. */
export async function listedGenerations(client: OupsClient, key: KeyFields): Promise<number[]> {
  try {
    const r = await client.rpc.listVersions({ key: { fields: key as Record<string, string> } });
    return r.versions.map((v) => Number(v.generation));
  } catch (err) {
    throw OupsClientError.from(err);
  }
}
