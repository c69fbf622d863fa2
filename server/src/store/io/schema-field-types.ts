/**
 * The column paths and flatbuffer type ids of an IPC Schema message, read straight from its flatbuffer: for naming the
 * column of a type apache-arrow cannot decode (its reader then fails with the type alone). Reads only what it needs
 * (Message.header → Schema.fields → Field.name, type_type, children) and returns `[]` on anything malformed.
 */
export function schemaFieldTypes(metadata: Uint8Array): { path: string; typeId: number }[] {
  try {
    const view = new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength);
    const message = view.getUint32(0, true);
    const schema = tableField(view, message, 2);
    if (schema === undefined) return [];
    const out: { path: string; typeId: number }[] = [];
    collect(view, tableField(view, schema, 1), "", out);
    return out;
  } catch {
    return [];
  }
}

/** The flatbuffer type ids apache-arrow's reader does not know (RunEndEncoded, ListView, LargeListView, later ones). */
export function isUnknownToArrowJs(typeId: number): boolean {
  return typeId === 22 || typeId > 24;
}

/** Names of the flatbuffer `Type` union's members, as the Arrow format spells them. */
export const FLATBUFFER_TYPE_NAMES: readonly string[] = [
  "NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time", "Timestamp", "Interval", "List", "Struct",
  "Union", "FixedSizeBinary", "FixedSizeList", "Map", "Duration", "LargeBinary", "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView",
  "Utf8View", "ListView", "LargeListView",
];

function collect(view: DataView, fields: number | undefined, parent: string, out: { path: string; typeId: number }[]): void {
  if (fields === undefined) return;
  const count = view.getUint32(fields, true);
  for (let i = 0; i < count; i++) {
    const at = fields + 4 + 4 * i;
    const field = at + view.getUint32(at, true);
    const nameAt = tableField(view, field, 0);
    const name = nameAt === undefined ? "" : new TextDecoder().decode(new Uint8Array(view.buffer, view.byteOffset + nameAt + 4, view.getUint32(nameAt, true)));
    const typeSlot = slot(view, field, 2);
    const typeId = typeSlot === undefined ? 0 : view.getUint8(field + typeSlot);
    const path = `${parent}${name}`;
    out.push({ path, typeId });
    collect(view, tableField(view, field, 5), `${path}.`, out);
  }
}

/** Offset within the table at `table` of field `index`, or `undefined` when absent (from its vtable). */
function slot(view: DataView, table: number, index: number): number | undefined {
  const vtable = table - view.getInt32(table, true);
  const size = view.getUint16(vtable, true);
  const entry = 4 + 2 * index;
  if (entry >= size) return undefined;
  const offset = view.getUint16(vtable + entry, true);
  return offset === 0 ? undefined : offset;
}

/** Position of what field `index` (an offset: table, vector or string) of the table at `table` points to. */
function tableField(view: DataView, table: number, index: number): number | undefined {
  const at = slot(view, table, index);
  if (at === undefined) return undefined;
  return table + at + view.getUint32(table + at, true);
}
