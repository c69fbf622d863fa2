import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Store } from "../../store/store.js";
import type { CheckStoreRequest, CheckStoreResponseSchema } from "../contract.js";
import { keyToWire } from "../convert.js";
import type { HandlerContext } from "../typed-service.js";

/** CheckStore: runs the engine's check of the whole store (see Store.check) and sends its report. */
export async function handleCheckStore(
  store: Store,
  request: CheckStoreRequest,
  context: HandlerContext,
): Promise<MessageInitShape<typeof CheckStoreResponseSchema>> {
  const report = await store.check({ repair: request.repair, signal: context.signal });
  return {
    datasets: BigInt(report.datasets),
    rowGroups: BigInt(report.rowGroups),
    findings: report.findings.map((f) => ({
      key: f.key === undefined ? undefined : keyToWire(f.key),
      path: f.path,
      kind: f.kind,
      message: f.message,
      repairable: f.repairable,
      repaired: f.repaired,
    })),
    heldFiles: report.heldFiles.map((h) => ({ key: h.key === undefined ? undefined : keyToWire(h.key), path: h.path, heldBy: h.heldBy })),
    retainedVersions: BigInt(report.retainedVersions),
  };
}
