import type { RecordBatch } from "apache-arrow";
import { firstUnordered } from "../store/arrow/check-order.js";
import { formatOrdinal } from "../store/arrow/format-ordinal.js";
import { orderedColumn } from "../store/arrow/ordered-column.js";
import type { Ordinal } from "../store/ordinal.js";

/** Where row `row` (0-based) of the `batch`-th batch (0-based) of an input file is, as its user counts: "CSV line 7". */
export type RowLocator = (batch: number, records: RecordBatch, row: number) => string;

/**
 * Checks, batch by batch before they are sent, that an input file's rows never decrease on the ordered column,
 * with the engine's own comparison, so that a failure names the place in the file (the CSV line, the record
 * batch and row) rather than in the stream the daemon receives. Leaves anything else (a missing column, a null)
 * to the daemon, whose messages say it already.
 */
export class InputOrderCheck {
  private previous: { value: Ordinal; where: string } | undefined;
  private batch = 0;

  constructor(
    private readonly column: string,
    private readonly locate: RowLocator,
  ) {}

  /** Throws an Error naming the first row of `records` smaller than the row before it. */
  check(records: RecordBatch): void {
    const batch = this.batch++;
    if (records.numRows === 0) return;
    let values: ArrayLike<Ordinal>;
    try {
      values = orderedColumn(records, this.column).values;
    } catch {
      return;
    }
    const type = records.schema.fields.find((f) => f.name === this.column)!.type;
    const i = firstUnordered(values, this.previous?.value);
    if (i >= 0) {
      const before = i === 0 ? this.previous! : { value: values[i - 1] as Ordinal, where: this.locate(batch, records, i - 1) };
      throw new Error(
        `rows not ordered on "${this.column}": ${this.locate(batch, records, i)} has ${formatOrdinal(values[i] as Ordinal, type)}, ` +
          `less than ${formatOrdinal(before.value, type)} at ${before.where} before it: sort the file, or pass --sort`,
      );
    }
    const last = records.numRows - 1;
    this.previous = { value: values[last] as Ordinal, where: this.locate(batch, records, last) };
  }
}
