import type { RecordBatch, Schema } from "apache-arrow";
import { DataType } from "apache-arrow";
import { alignedTable } from "./aligned-table.js";
import { cellFormatter } from "./format-value.js";
import type { Output } from "./output.js";

/** Rows shown from each end of a result; a longer one shows an ellipsis row between them. */
export const TABLE_END_ROWS = 20;

/**
 * Writes batches as an aligned table for a person: all rows when there are at most twice {@link TABLE_END_ROWS},
 * else the first and last ones around an ellipsis row; then the row count. Only the rows that may be shown are
 * kept, so a long result costs no memory. Returns the number of rows.
 */
export async function writeTable(
  batches: AsyncIterable<RecordBatch>,
  emptySchema: () => Promise<Schema>,
  out: Output,
): Promise<number> {
  let schema: Schema | undefined;
  const head: string[][] = [];
  const tail: string[][] = [];
  let rows = 0;
  for await (const batch of batches) {
    schema ??= batch.schema;
    const formatters = batch.schema.fields.map((_, c) => cellFormatter(batch.getChildAt(c)!));
    const rowText = (row: number) => formatters.map((format) => oneLine(format(row) ?? "null"));
    const headRows = Math.min(batch.numRows, TABLE_END_ROWS - head.length);
    for (let row = 0; row < headRows; row++) head.push(rowText(row));
    // The last rows overall are among the last rows of each batch: the others need no formatting.
    for (let row = Math.max(headRows, batch.numRows - TABLE_END_ROWS); row < batch.numRows; row++) {
      tail.push(rowText(row));
      if (tail.length > TABLE_END_ROWS) tail.shift();
    }
    rows += batch.numRows;
  }
  schema ??= await emptySchema();
  const header = schema.fields.map((f) => f.name);
  const numeric = schema.fields.map((f) => DataType.isInt(f.type) || DataType.isFloat(f.type) || DataType.isDecimal(f.type));
  const skipped = rows - head.length - tail.length;
  const body = skipped > 0 ? [...head, header.map(() => "…"), ...tail] : [...head, ...tail];
  const lines = alignedTable(header, body, numeric);
  const count = `${rows} ${rows === 1 ? "row" : "rows"}${skipped > 0 ? ` (${skipped} not shown)` : ""}`;
  await out.write(`${lines.join("\n")}\n${count}\n`);
  return rows;
}

/** A cell on one line: line breaks and tabs shown as escapes, which would otherwise break the columns. */
function oneLine(text: string): string {
  return /[\r\n\t]/.test(text) ? text.replaceAll("\r", "\\r").replaceAll("\n", "\\n").replaceAll("\t", "\\t") : text;
}
