/** Widest a cell of an aligned table is shown; longer text is cut with an ellipsis. */
export const MAX_CELL_WIDTH = 48;

/**
 * Lays out `rows` under `header` in columns two spaces apart, padded to the widest cell (at most
 * {@link MAX_CELL_WIDTH} characters), with a rule under the header; columns flagged in `rightAligned` are padded on
 * the left (numbers). Returns the lines, without trailing spaces.
 */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[] = []): string[] {
  const clip = (text: string) => (text.length > MAX_CELL_WIDTH ? `${text.slice(0, MAX_CELL_WIDTH - 1)}…` : text);
  const cells = [header, ...rows].map((row) => row.map(clip));
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head!), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
}
