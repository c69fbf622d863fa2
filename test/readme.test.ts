import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import test from "ava";
import { withDaemon } from "./helpers/with-daemon.js";

const run = promisify(execFile);

/** The repository (tests run from build/test/). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The README's program blocks: every fenced block tagged `ts`, in order. */
async function programBlocks(): Promise<string[]> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

test("the README has a Node SDK example", async (t) => {
  const blocks = await programBlocks();
  t.true(blocks.length >= 1);
  t.true(blocks.some((b) => b.includes('from "@oups-store/oups/client"')));
});

test("the SDK resolves by the package's own name once built, as the README imports it", (t) => {
  // Node resolves a package's own name through its "exports" from inside the package: the README's import.
  t.true(existsSync(join(ROOT, "build/client/src/index.js")));
  t.true(existsSync(join(ROOT, "build/client/src/index.d.ts")));
});

test("every README program block type-checks and runs as written against a fresh daemon", async (t) => {
  const blocks = await programBlocks();
  // Inside the package, so that "@oups-store/oups/client" resolves to this build (package self-reference).
  await mkdir(join(ROOT, "build"), { recursive: true });
  const dir = await mkdtemp(join(ROOT, "build", "readme-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  for (const [i, block] of blocks.entries()) {
    const source = join(dir, `block-${i}.ts`);
    await writeFile(source, block);
    // The block as a user compiles it: strict, ES modules for Node.
    const flags = ["--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2023", "--types", "node", "--skipLibCheck", "--ignoreConfig"];
    const compiled = await run(process.execPath, [tsc, ...flags, "--rootDir", dir, "--outDir", dir, source], { cwd: dir }).catch((err: { stdout: string }) => err);
    t.is("code" in compiled ? compiled.stdout : "", "", `README block ${i + 1} does not type-check`);
    await withDaemon(
      async ({ daemon, storeDir, client }) => {
        const { stdout, stderr } = await run(process.execPath, [join(dir, `block-${i}.js`)], {
          env: { ...process.env, OUPS_ADDRESS: daemon.address },
          timeout: 60_000,
        });
        t.is(stderr, "", `README block ${i + 1} wrote to stderr`);
        t.log(stdout);
        if (block.includes("AAPL-2023/1/")) {
          // The example's comment says where its dataset lands: check it.
          t.true(existsSync(join(storeDir, "AAPL-2023", "1", "_manifest.json")));
          t.is((await client.describe({ symbol: "AAPL", year: "2023", month: "1" })).totalRows, 5);
        }
      },
      { index: null },
    );
  }
});
