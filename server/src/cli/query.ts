import { extname } from "node:path";
import type { RecordBatch, Schema } from "apache-arrow";
import { Schema as ArrowSchema } from "apache-arrow";
import type { KeyFields, OupsClient, RangeQueryOptions } from "../../../client/src/index.js";
import { writeArrowFile } from "./arrow-file-output.js";
import { writeArrowStream } from "./arrow-output.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import { writeCsv } from "./csv-output.js";
import { emptyResultHints } from "./empty-result-hints.js";
import { keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { Output } from "./output.js";
import { parseBound } from "./parse-bound.js";
import { parseCommandArgs, splitList } from "./parse-command-args.js";
import { ProgressLine } from "./progress-line.js";
import { rowsInRange } from "./rows-in-range.js";
import { TABLE_END_ROWS, writeTable } from "./table-output.js";
import { UsageError } from "./usage-error.js";
import { parseVersionFlags, versionFlags, versionFlagsHelp } from "./version-args.js";

/** Output formats of `oups query`. */
const FORMATS = ["table", "csv", "parquet", "arrow", "arrows"] as const;
type Format = (typeof FORMATS)[number];

/** The format `--output FILE` implies by its extension (the names pyarrow and DuckDB give them). */
const OUTPUT_EXTENSIONS: Readonly<Record<string, Format>> = {
  ".csv": "csv",
  ".parquet": "parquet",
  ".arrow": "arrow",
  ".feather": "arrow",
  ".arrows": "arrows",
  ".ipc": "arrows",
};

/** Writes a result to an output; `emptySchema` gives the schema when no batch arrives. Resolves to the row count. */
type ResultWriter = (batches: AsyncIterable<RecordBatch>, emptySchema: () => Promise<Schema>, out: Output) => Promise<number>;

/** Help text of `oups query`. */
export const queryHelp = `Usage: oups query --key FIELDS [--start V] [--end V] [--end-inclusive] [--columns COLS]
                  [--generation N | --as-of TIME | --snapshot NAME]
                  [--format table|csv|parquet|arrow|arrows] [--output FILE] [connection flags]

Reads the rows of a dataset whose ordered column is in [start, end) (or [start, end] with --end-inclusive),
in order, streaming them to the output as they arrive. On a terminal, a progress line on stderr shows the rows
received, the share of the range's row groups read and the time left. A range that finds no row because of a
likely mistake (start after end, integer bounds 1000 times off the dataset's values, as epoch seconds for a
column in milliseconds) says so on stderr.

${keyFlagsHelp}
  --start V             first value of the ordered column (open when absent)
  --end V               end of the range (open when absent), excluded unless --end-inclusive
  --end-inclusive       include rows equal to --end
                        Bounds are read as: an ISO-8601 date or date-time (2023-01-02, 2023-01-02T09:30:00Z;
                        UTC without a zone) -> timestamp; an integer -> int64; a decimal number -> float;
                        anything else -> string
  --columns COLS        columns to return, comma-separated, in this order (default: all)
${versionFlagsHelp}
  --format F            table: aligned columns, the first and last ${TABLE_END_ROWS} rows when there are more than
                               ${2 * TABLE_END_ROWS}, then the row count (default on a terminal)
                        csv: a header line, then one line per row (default otherwise); timestamps in ISO-8601
                             UTC, nulls as empty fields, empty strings as ""
                        parquet: one Parquet file (zstd)
                        arrow: an Arrow IPC file (random-access format, as pyarrow.ipc.open_file reads)
                        arrows: an Arrow IPC stream (as pyarrow.ipc.open_stream reads)
                        Without --format, --output FILE picks it from its extension: .csv, .parquet,
                        .arrow or .feather (IPC file), .arrows or .ipc (IPC stream); another is an error.
  --output FILE         write to FILE instead of stdout (removed again if the query fails)
${connectionFlagsHelp}

Examples:
  oups query --key symbol=AAPL,year=2023,month=1 --start 2023-01-02 --end 2023-01-03
  oups query -k symbol=AAPL,year=2023,month=1 --columns ts,price --output january.parquet`;

/** `oups query`: reads a range of a dataset as a table, CSV, Parquet or Arrow. */
export async function query(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: "string", short: "k", multiple: true },
    start: { type: "string" },
    end: { type: "string" },
    "end-inclusive": { type: "boolean" },
    columns: { type: "string" },
    format: { type: "string" },
    output: { type: "string" },
    ...versionFlags,
    ...connectionFlags,
  });
  const key = parseKeyFlags(values.key);
  if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${values.format}'`);
  }
  const format = (values.format as Format | undefined) ?? defaultFormat(values.output);
  if ((format === "parquet" || format === "arrow" || format === "arrows") && values.output === undefined && process.stdout.isTTY) {
    throw new UsageError(`--format ${format} writes binary data: give --output FILE or redirect stdout`);
  }
  const columns = splitList(values.columns);
  const options: RangeQueryOptions = {
    start: values.start === undefined ? undefined : parseBound(values.start),
    end: values.end === undefined ? undefined : parseBound(values.end),
    endInclusive: values["end-inclusive"] ?? false,
    ...(columns === undefined ? {} : { columns }),
    version: parseVersionFlags(values),
  };
  const writeResult = await resultWriter(format);
  const out = values.output === undefined ? Output.stdout() : await Output.file(values.output);
  try {
    await withClient(await resolveConnection(values), async (client) => {
      // On a terminal only: the total comes from a Describe, a call that pipes and scripts need not pay for.
      const progress = new ProgressLine("received");
      const total = progress.enabled ? rowsInRange(await client.describe(key, { version: options.version }), options) : undefined;
      let received = 0;
      const batches = async function* (): AsyncGenerator<RecordBatch> {
        for await (const batch of client.rangeQuery(key, options)) {
          yield batch;
          received += batch.numRows;
          progress.update(received, total === undefined || total === 0 ? undefined : received / total);
        }
      };
      let rows: number;
      try {
        rows = await writeResult(batches(), () => projectedSchema(client, key, columns, options), out);
      } finally {
        progress.done();
      }
      if (rows === 0 && (options.start !== undefined || options.end !== undefined)) {
        for (const hint of emptyResultHints(await client.describe(key, { version: options.version }), options)) process.stderr.write(`oups query: no rows: ${hint}\n`);
      }
    });
    await out.end();
  } catch (err) {
    await out.discard();
    throw err;
  }
}

function defaultFormat(output: string | undefined): Format {
  if (output === undefined) return process.stdout.isTTY ? "table" : "csv";
  const format = OUTPUT_EXTENSIONS[extname(output).toLowerCase()];
  if (format === undefined) {
    throw new UsageError(
      `cannot tell the format of '${output}' from its extension: use ${Object.keys(OUTPUT_EXTENSIONS).join(", ")}, or give --format`,
    );
  }
  return format;
}

async function resultWriter(format: Format): Promise<ResultWriter> {
  switch (format) {
    case "table":
      return writeTable;
    case "csv":
      return writeCsv;
    case "arrow":
      return writeArrowFile;
    case "arrows":
      return writeArrowStream;
    case "parquet":
      // Loaded here only: instantiating parquet-wasm costs every other command time for nothing.
      return (await import("./parquet-output.js")).writeParquetFile;
  }
}

/** The dataset's schema, projected on `columns` when given: the shape of an empty result. */
async function projectedSchema(client: OupsClient, key: KeyFields, columns: string[] | undefined, options: RangeQueryOptions): Promise<Schema> {
  const schema = (await client.describe(key, { version: options.version })).schema ?? new ArrowSchema([]);
  if (columns === undefined) return schema;
  return new ArrowSchema(
    columns.map((name) => {
      const field = schema.fields.find((f) => f.name === name);
      if (field === undefined) throw new Error(`column "${name}" is not in the dataset`);
      return field;
    }),
  );
}
