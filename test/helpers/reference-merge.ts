/** A row as the model sees it: column name to value. */
export type ModelRow = Readonly<Record<string, unknown>>;

/** Which columns make two rows duplicates ("all": every column), or undefined to keep duplicates. */
export type ModelDedupe = readonly string[] | "all" | undefined;

/**
 * The obviously-correct model of a write: the stored rows followed by the incoming rows, stably sorted on
 * `orderedOn` (so among equal values stored rows come first, then incoming ones in input order), then, with
 * `dedupe`, every row dropped that equals a later row on `orderedOn` and the dedupe columns (keep-last).
 */
export function referenceMerge<R extends ModelRow>(
  stored: readonly R[],
  incoming: readonly R[],
  orderedOn: string,
  dedupe: ModelDedupe,
): R[] {
  const all = [...stored, ...incoming];
  const merged = all
    .map((row, position) => ({ row, position }))
    .sort((a, b) => compare(a.row[orderedOn], b.row[orderedOn]) || a.position - b.position)
    .map(({ row }) => row);
  if (dedupe === undefined) return merged;
  const keyOf = (row: R) => {
    const columns = dedupe === "all" ? Object.keys(row).sort() : [...new Set([orderedOn, ...dedupe])];
    return columns.map((c) => `${typeof row[c]}:${String(row[c])}`).join("\u0001");
  };
  const lastIndex = new Map<string, number>();
  merged.forEach((row, i) => lastIndex.set(keyOf(row), i));
  return merged.filter((row, i) => lastIndex.get(keyOf(row)) === i);
}

function compare(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}
