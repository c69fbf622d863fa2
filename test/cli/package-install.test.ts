import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import test from "ava";
import { makeTempDir, removeTempDir } from "../helpers/with-daemon.js";

const run = promisify(execFile);

/** The repository (tests run from build/test/cli/). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface PackageJson {
  name: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  files: string[];
}

test("the package has a scoped name of its own, the oups bin, and builds itself when packed or installed from git", async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as PackageJson;
  t.is(pkg.name, "@oups-store/oups");
  t.deepEqual(Object.keys(pkg.bin), ["oups"]);
  // npm runs `prepare` on `npm pack`, `npm publish` and installs from git, and not on installs of a tarball.
  t.is(pkg.scripts.prepare, "npm run build");
});

// Slow (npm pack + a global install, ~1 min) and needs the npm registry or a warm npm cache for the dependencies.
test("PACKAGING: npm pack, then npm i -g of the tarball gives a working `oups` (with its version) and `npx oups`", async (t) => {
  t.timeout(300_000);
  const dir = await makeTempDir("oups-pack-");
  t.teardown(() => removeTempDir(dir));
  const env = { ...process.env, npm_config_prefix: join(dir, "prefix"), npm_config_update_notifier: "false" };
  // --ignore-scripts: `npm test` built the package already, and rebuilding build/ under the other tests is a race.
  await run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, env });
  const tarballs = (await readdir(dir)).filter((f) => f.endsWith(".tgz"));
  t.deepEqual(tarballs, ["oups-store-oups-0.1.0.tgz"]);
  await run("npm", ["install", "--global", "--prefer-offline", "--no-audit", "--no-fund", join(dir, tarballs[0]!)], { cwd: dir, env });
  const direct = await run(join(dir, "prefix", "bin", "oups"), ["--help"], { cwd: dir, env });
  t.regex(direct.stdout, /^Usage: oups <command>/);
  // The version is read from the installed package's own package.json.
  t.is((await run(join(dir, "prefix", "bin", "oups"), ["--version"], { cwd: dir, env })).stdout, "oups 0.1.0\n");
  const viaNpx = await run("npx", ["--no-install", "oups", "query", "--help"], { cwd: dir, env });
  t.regex(viaNpx.stdout, /^Usage: oups query /);
});
