import type { RecordBatch } from "apache-arrow";
import type { KeyFields, OupsClient, WriteOptions, WriteResult } from "../../../client/src/index.js";
import { isOupsClientError } from "../../../client/src/index.js";
import { connectionFlags, connectionFlagsHelp, resolveConnection, withClient } from "./connect.js";
import type { CsvColumnType } from "./csv-batches.js";
import { CSV_BATCH_ROWS, CSV_COLUMN_TYPES } from "./csv-batches.js";
import { inputBatches } from "./input-batches.js";
import { InputOrderCheck } from "./input-order.js";
import { keyFlagsHelp, parseKeyFlags } from "./key-args.js";
import { parseCommandArgs, parseCount, parsePairs, splitList } from "./parse-command-args.js";
import { ProgressLine } from "./progress-line.js";
import { parseTimeZone, withTimeZone } from "./time-zone-option.js";
import { UsageError } from "./usage-error.js";

/** Help text of `oups write`. */
export const writeHelp = `Usage: oups write --key FIELDS [--ordered-on COL] [options] FILE

Merges the rows of FILE into a dataset in one atomic commit: rows streamed to the daemon in batches (a large
file is not loaded whole), merged with the rows already there, row groups they overlap rewritten. Nothing is
committed when anything fails midway. On a terminal, a progress line on stderr shows rows sent, rows/s, and the
share of the file read with the time left (CSV, Parquet, Arrow IPC file). Rows not ordered on the ordered column
are refused naming their place in FILE: the CSV line (the header is line 1), the Parquet row group and row, or
the Arrow record batch and row (all counted from 1), with the values as the column's type shows them.
Prints the result (rows received, row groups added and rewritten, totals, generation).

FILE is read by its extension:
  .parquet              Parquet, one row group at a time, with the Arrow types stored in the file
  .arrow .feather       Arrow IPC file format, one record batch at a time
  .arrows .ipc          Arrow IPC stream format, one record batch at a time
  .csv                  CSV (RFC 4180: comma-separated, "quoted" fields, header line naming the columns),
                        ${CSV_BATCH_ROWS} rows per batch; column types are inferred from the values of the
                        first ${CSV_BATCH_ROWS} rows, empty values aside:
                          all integers (within int64)         -> Int64
                          all numbers (also nan, inf)         -> Float64
                          all ISO-8601 dates or date-times    -> Timestamp(ms), no time zone unless
                            --timestamp-tz: 2023-01-02, 2023-01-02T09:30:00.123Z,
                            2023-01-02 09:30 (no zone = UTC), ...+01:00
                          anything else                       -> Utf8
                        An empty unquoted field is a null (so is a blank number); "" is an empty string.
                        A later value that does not fit its column's type is an error naming the line.

${keyFlagsHelp}
  --ordered-on COL      the column the dataset is ordered on: required when the write creates the dataset,
                        checked against it afterwards
  --duplicates-on COLS  drop rows equal on these columns (comma-separated; the ordered column is always
                        included), keeping the newest
  --drop-duplicates     drop duplicates; without --duplicates-on, rows equal on every column
  --row-group-target N|PERIOD
                        row group size to aim for: a row count, or a period for a timestamp ordered column
                        ("1D", "2h", "MS")
  --max-n-off-target-rgs N
                        coalesce runs of more than N off-target row groups next to the new rows
  --sort                sort the rows on the ordered column (else unordered input is refused)
  --compression C       Parquet compression of new row groups: the daemon's default (snappy unless
                        oups serve --compression says otherwise), snappy, zstd, lz4, gzip, brotli, none
  --schema-evolution none|add-columns
                        add-columns: columns the dataset lacks are added to its schema (each must be nullable;
                        rows stored before read as nulls), int32/float32 columns written as int64/float64 widen
                        the dataset's type. Default none: other columns are refused (nullable ones may be left out)
  --meta NAME=VALUE     dataset metadata to add or replace; repeatable
  --remove-meta NAME    dataset metadata to remove; repeatable
  --timestamp-columns COLS
                        (CSV) read these columns as timestamps: ISO-8601 text, or integers counting
                        milliseconds since the epoch
  --types COL=TYPE,...  (CSV) give column types instead of inferring them: ${CSV_COLUMN_TYPES.join(", ")}
  --timestamp-tz ZONE   time zone of the timestamp columns: none (the default for CSV, as apache-arrow's
                        tableFromArrays and pyarrow's pa.timestamp('ms') make them), UTC, an IANA name or an
                        offset (+01:00). A dataset's time zone is part of its type: match it. For Parquet and
                        Arrow input, relabels the file's timestamp columns (values unchanged); absent, they
                        keep the file's zone
  --json                print the result as one JSON object
${connectionFlagsHelp}

Example:
  oups write --key symbol=AAPL,year=2023,month=1 --ordered-on ts --duplicates-on ts ticks.csv`;

/** `oups write`: merges the rows of a Parquet, Arrow or CSV file into a dataset. */
export async function write(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      key: { type: "string", short: "k", multiple: true },
      "ordered-on": { type: "string" },
      "duplicates-on": { type: "string" },
      "drop-duplicates": { type: "boolean" },
      "row-group-target": { type: "string" },
      "max-n-off-target-rgs": { type: "string" },
      sort: { type: "boolean" },
      compression: { type: "string" },
      "schema-evolution": { type: "string" },
      meta: { type: "string", multiple: true },
      "remove-meta": { type: "string", multiple: true },
      "timestamp-columns": { type: "string" },
      types: { type: "string" },
      "timestamp-tz": { type: "string" },
      json: { type: "boolean" },
      ...connectionFlags,
    },
    true,
  );
  const key = parseKeyFlags(values.key);
  if (positionals.length === 0) throw new UsageError("missing FILE to write (.parquet, .arrow, .arrows, .ipc or .csv)");
  if (positionals.length > 1) throw new UsageError(`one FILE at a time, got ${positionals.length}`);
  const target = values["row-group-target"];
  const options: WriteOptions = {
    orderedOn: values["ordered-on"],
    duplicatesOn: splitList(values["duplicates-on"]),
    dropDuplicates: values["drop-duplicates"] ? true : undefined,
    rowGroupTarget: target === undefined ? undefined : /^\d+$/.test(target) ? parseCount(target, "--row-group-target") : target,
    maxNOffTargetRgs: parseCount(values["max-n-off-target-rgs"], "--max-n-off-target-rgs"),
    sort: values.sort,
    compression: values.compression,
    schemaEvolution: parseSchemaEvolution(values["schema-evolution"]),
    metadata: values.meta ? parsePairs(values.meta, "--meta") : undefined,
    removeMetadata: values["remove-meta"],
  };
  const timeZone = parseTimeZone(values["timestamp-tz"]);
  const input = await inputBatches(positionals[0]!, {
    timestampColumns: splitList(values["timestamp-columns"]),
    columnTypes: parseColumnTypes(values.types),
    timeZone,
  });
  // The first batch is read before the call starts: a file that fails at once (bad header, bad value in the first
  // rows) never reaches the daemon.
  const iterator = input.batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error(`nothing to write: ${positionals[0]} holds no record batch`);
  const progress = new ProgressLine();
  let rows = 0;
  // An input error surfaces in the call as a cancelled write; the error itself says what went wrong.
  let inputError: unknown;
  async function* counted(order: InputOrderCheck | undefined): AsyncGenerator<RecordBatch> {
    try {
      for (let next = first; !next.done; next = await iterator.next()) {
        order?.check(next.value);
        yield timeZone === undefined ? next.value : withTimeZone(next.value, timeZone);
        rows += next.value.numRows;
        progress.update(rows, input.fraction());
      }
    } catch (err) {
      inputError = err;
      throw err;
    }
  }
  let result: WriteResult;
  try {
    result = await withClient(await resolveConnection(values), async (client) => {
      // Checked here too, so that unordered rows are named by their place in the file (the daemon counts batches).
      const orderedOn = options.sort ? undefined : (options.orderedOn ?? (await orderedColumnOf(client, key)));
      const order = orderedOn === undefined ? undefined : new InputOrderCheck(orderedOn, input.locate);
      return client.write(key, counted(order), options);
    });
  } catch (err) {
    throw inputError ?? err;
  } finally {
    progress.done();
  }
  process.stdout.write(`${values.json ? JSON.stringify(result) : formatResult(result)}\n`);
}

/** The ordered column of the dataset at `key`, or undefined when there is none yet. */
async function orderedColumnOf(client: OupsClient, key: KeyFields): Promise<string | undefined> {
  try {
    return (await client.describe(key)).orderedOn || undefined;
  } catch (err) {
    if (isOupsClientError(err) && err.code === "NOT_FOUND") return undefined;
    throw err;
  }
}

function parseColumnTypes(text: string | undefined): Record<string, CsvColumnType> | undefined {
  if (text === undefined) return undefined;
  const pairs = parsePairs(splitList(text) ?? [], "--types");
  for (const [column, type] of Object.entries(pairs)) {
    if (!(CSV_COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--types: column "${column}" has type '${type}', expected one of ${CSV_COLUMN_TYPES.join(", ")}`);
    }
  }
  return pairs as Record<string, CsvColumnType>;
}

function formatResult(r: WriteResult): string {
  return [
    `rows received         ${r.rowsReceived}`,
    `rows in dataset       ${r.totalRows}`,
    `row groups added      ${r.rowGroupsAdded}`,
    `row groups rewritten  ${r.rowGroupsRewritten}`,
    `row groups in dataset ${r.rowGroupsTotal}`,
    `generation            ${r.generation}`,
  ].join("\n");
}

/** `--schema-evolution`'s value, checked before the daemon is called. */
function parseSchemaEvolution(value: string | undefined): WriteOptions["schemaEvolution"] {
  if (value === undefined || value === "none" || value === "add-columns") return value;
  throw new UsageError(`--schema-evolution must be none or add-columns, got ${JSON.stringify(value)}`);
}
