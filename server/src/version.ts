import { readFileSync } from "node:fs";

/**
 * The package's version, read from its package.json at run time: the build keeps the source tree's layout
 * (build/server/src/version.js), so the file is three levels up, in the repository as in an installed package.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
