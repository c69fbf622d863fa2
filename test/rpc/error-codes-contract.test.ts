import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import test from "ava";
import { statusByAccessCode, statusByCode } from "../../server/src/rpc/service-error.js";

/** The repository (tests run from build/test/). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Every code the daemon can put in the `oups-error-code` trailer, with the gRPC status name it goes with. */
const daemonCodes = new Map(
  Object.entries({ ...statusByCode, ...statusByAccessCode }).map(([code, s]) => [code, status[s]] as const),
);

test("store.proto lists every error code of the trailer, each with the status the daemon sends", async (t) => {
  const proto = await readFile(join(ROOT, "proto/oups/v1/store.proto"), "utf8");
  const listed = new Map([...proto.matchAll(/^\/\/ {3}([A-Z_]+) +([A-Z_]+) +\S/gm)].map((m) => [m[1]!, m[2]!] as const));
  t.deepEqual(Object.fromEntries(listed), Object.fromEntries(daemonCodes));
});

test("the README's Errors table lists every error code, each with the status the daemon sends", async (t) => {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("\n## ", readme.indexOf("## Errors") + 1));
  const listed = new Map([...section.matchAll(/^\| `([A-Z_]+)` \| ([A-Z_]+) \|/gm)].map((m) => [m[1]!, m[2]!] as const));
  t.deepEqual(Object.fromEntries(listed), Object.fromEntries(daemonCodes));
});
