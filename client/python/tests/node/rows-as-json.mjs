// Column name -> values as JSON can carry them: bigints and non-finite or negative-zero numbers as text.
export function rowsAsJson(table) {
  const out = {};
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name);
    out[field.name] = Array.from({ length: table.numRows }, (_, i) => toJson(column.get(i)));
  }
  return out;
}

function toJson(value) {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) return `${value === 0 ? "-0" : value}`;
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Array.from(value);
  return value ?? null;
}
