import type { RecordBatch, Schema } from "apache-arrow";
import { DataType } from "apache-arrow";
import { cellFormatter } from "./format-value.js";
import type { Output } from "./output.js";

/** Text buffered before a write to the output: large enough to amortise writes, small enough to stay cheap. */
const FLUSH_CHARS = 1 << 20;

/**
 * Writes batches as CSV (RFC 4180, `\n` line ends) with a header line; the header comes from `emptySchema()` when
 * there is no batch. A null is an empty field and an empty string is `""`, so that `oups write` tells them apart.
 * Returns the number of rows written.
 */
export async function writeCsv(
  batches: AsyncIterable<RecordBatch>,
  emptySchema: () => Promise<Schema>,
  out: Output,
): Promise<number> {
  let rows = 0;
  let headerWritten = false;
  for await (const batch of batches) {
    if (!headerWritten) {
      await out.write(csvHeader(batch.schema));
      headerWritten = true;
    }
    const columns = batch.schema.fields.map((field, c) => {
      const format = cellFormatter(batch.getChildAt(c)!);
      const text = DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type) || DataType.isDictionary(field.type);
      return { format, text };
    });
    let chunk = "";
    for (let row = 0; row < batch.numRows; row++) {
      let line = "";
      for (let c = 0; c < columns.length; c++) {
        const { format, text } = columns[c]!;
        if (c > 0) line += ",";
        line += csvField(format(row), text);
      }
      chunk += `${line}\n`;
      if (chunk.length >= FLUSH_CHARS) {
        await out.write(chunk);
        chunk = "";
      }
    }
    await out.write(chunk);
    rows += batch.numRows;
    if (out.closed) break;
  }
  if (!headerWritten) await out.write(csvHeader(await emptySchema()));
  return rows;
}

function csvHeader(schema: Schema): string {
  return `${schema.fields.map((f) => csvField(f.name, true)).join(",")}\n`;
}

/** One CSV field: quoted when it holds a comma, quote or line break, or is an empty string (not a null). */
export function csvField(value: string | null, text: boolean): string {
  if (value === null) return "";
  if (value.length === 0) return text ? '""' : "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
