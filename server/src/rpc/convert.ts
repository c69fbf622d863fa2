import type { MessageInitShape } from "@bufbuild/protobuf";
import { OupsError } from "../store/errors.js";
import type { IndexFieldType, IndexSchema } from "../store/keys/index-schema.js";
import type { Key } from "../store/keys/key.js";
import type { IndexSchema as IndexSchemaMessage, Key as KeyMessage } from "./contract.js";
import { IndexFieldType as WireFieldType, type IndexSchemaSchema, type KeySchema } from "./contract.js";

const wireFieldTypes: Record<IndexFieldType, WireFieldType> = {
  string: WireFieldType.STRING,
  int: WireFieldType.INT,
};

/** Engine index schema → wire message. */
export function indexSchemaToWire(schema: IndexSchema): MessageInitShape<typeof IndexSchemaSchema> {
  return {
    name: schema.name,
    fieldSeparator: schema.fieldSeparator,
    levels: schema.levels.map((fields) => ({
      fields: fields.map((f) => ({ name: f.name, type: wireFieldTypes[f.type] })),
    })),
  };
}

/** Wire message → engine index schema (validated later by the engine). */
export function indexSchemaFromWire(message: IndexSchemaMessage | undefined): IndexSchema {
  if (!message) throw new OupsError("INVALID_ARGUMENT", "schema is required");
  return {
    name: message.name,
    fieldSeparator: message.fieldSeparator || "-",
    levels: message.levels.map((level) =>
      level.fields.map((f) => {
        if (f.type === WireFieldType.STRING) return { name: f.name, type: "string" as const };
        if (f.type === WireFieldType.INT) return { name: f.name, type: "int" as const };
        throw new OupsError("INVALID_ARGUMENT", `index field "${f.name}" has no type`);
      }),
    ),
  };
}

/** Wire key → plain field map; a missing key is an empty map, which the engine rejects naming the fields. */
export function keyFromWire(message: KeyMessage | undefined): Record<string, string> {
  return message?.fields ?? {};
}

/** Engine key → wire message. */
export function keyToWire(key: Key): MessageInitShape<typeof KeySchema> {
  return { fields: { ...key } };
}
