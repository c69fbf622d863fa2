import { resolve } from "node:path";
import { DEFAULT_FIELD_SEPARATOR, FIELD_SEPARATORS, parseIndexSpec } from "../store/keys/index-schema.js";
import { Store } from "../store/store.js";
import { DEFAULT_STORE_DIR } from "../config.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups init`. */
export const initHelp = `Usage: oups init --store DIR --index SPEC [--name NAME] [--field-separator C]

Declares the index schema of the store in DIR, creating the directory if needed. Works on the directory
itself, not through a daemon: no daemon may be serving it. Running it again with the same schema does nothing;
a store that has another schema is an error.

  --store DIR            store directory (env OUPS_STORE, default ${DEFAULT_STORE_DIR})
  --index SPEC           fields separated by ',', levels by '/', each field optionally ':int' or ':string'
                         (default), e.g. "symbol,year:int/month:int" (env OUPS_INDEX)
  --name NAME            name of the index schema (default "index")
  --field-separator C    character joining the fields of a level in directory names, one of
                         ${FIELD_SEPARATORS.join(" ")} (default ${DEFAULT_FIELD_SEPARATOR})

Example:
  oups init --store ./data --index "symbol,year:int/month:int"`;

/** `oups init`: declares a store's index schema, directly on its directory. */
export async function init(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    store: { type: "string" },
    index: { type: "string" },
    name: { type: "string" },
    "field-separator": { type: "string" },
  });
  const spec = values.index ?? process.env.OUPS_INDEX;
  if (spec === undefined) throw new UsageError('missing --index (e.g. --index "symbol,year:int/month:int")');
  const dir = resolve(values.store ?? process.env.OUPS_STORE ?? DEFAULT_STORE_DIR);
  const schema = parseIndexSpec(spec, values.name, values["field-separator"]);
  // One worker at most: init reads and writes no Parquet file.
  const store = await Store.open(dir, { parquetWorkers: 1 });
  try {
    const { created } = await store.initIndexSchema(schema);
    process.stdout.write(
      created ? `initialised store ${dir} with index "${spec}"\n` : `store ${dir} already has index "${spec}"\n`,
    );
  } finally {
    await store.close();
  }
}
