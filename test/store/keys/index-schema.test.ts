import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import type { IndexSchema } from "../../../server/src/store/keys/index-schema.js";
import {
  indexFieldNames,
  indexSchemasEqual,
  parseIndexSpec,
  validateIndexSchema,
} from "../../../server/src/store/keys/index-schema.js";

const good: [spec: string, levels: IndexSchema["levels"]][] = [
  ["symbol", [[{ name: "symbol", type: "string" }]]],
  [
    "symbol,year:int/month:int",
    [
      [
        { name: "symbol", type: "string" },
        { name: "year", type: "int" },
      ],
      [{ name: "month", type: "int" }],
    ],
  ],
  [
    "a:string/b/c:int",
    [[{ name: "a", type: "string" }], [{ name: "b", type: "string" }], [{ name: "c", type: "int" }]],
  ],
  [" city , kind : int ", [[{ name: "city", type: "string" }, { name: "kind", type: "int" }]]],
  ["_x9,Y_Z", [[{ name: "_x9", type: "string" }, { name: "Y_Z", type: "string" }]]],
];

for (const [spec, levels] of good) {
  test(`parseIndexSpec accepts ${JSON.stringify(spec)}`, (t) => {
    t.deepEqual(parseIndexSpec(spec), { name: "index", fieldSeparator: "-", levels });
  });
}

const bad: [spec: string, messagePart: string][] = [
  ["", "empty field"],
  ["a,", "empty field"],
  ["a,,b", "empty field"],
  ["a/", "empty field in level 1"],
  ["/a", "empty field in level 0"],
  ["a:float", `type "float"`],
  ["a:int:int", `type "int:int"`],
  [":int", "must match"],
  ["9lives", "must match"],
  ["a-b", "must match"],
  ["a.b", "must match"],
  [`${"x".repeat(65)}`, "must match"],
  ["a,b/a", `"a" is used more than once`],
  ["__proto__", "reserved"],
];

for (const [spec, messagePart] of bad) {
  test(`parseIndexSpec rejects ${JSON.stringify(spec)} with INVALID_ARGUMENT`, (t) => {
    const err = t.throws(() => parseIndexSpec(spec), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(messagePart), err?.message);
  });
}

test("parseIndexSpec takes a name and a separator", (t) => {
  const schema = parseIndexSpec("a,b:int", "ticks", "_");
  t.is(schema.name, "ticks");
  t.is(schema.fieldSeparator, "_");
});

test("a 64-character field name is accepted", (t) => {
  t.is(indexFieldNames(parseIndexSpec(`x${"y".repeat(63)}`))[0]?.length, 64);
});

for (const separator of ["-", "_", "~", "+", "=", ",", "@"]) {
  test(`validateIndexSchema accepts the separator "${separator}"`, (t) => {
    const schema = validateIndexSchema({ name: "s", fieldSeparator: separator, levels: [[{ name: "a", type: "int" }]] });
    t.is(schema.fieldSeparator, separator);
  });
}

const badSchemas: [title: string, input: unknown, messagePart: string][] = [
  ["a non-object", "symbol", "expected an object"],
  ["null", null, "expected an object"],
  ["an empty name", { name: "", levels: [[{ name: "a", type: "int" }]] }, `"name"`],
  ["a name with a control character", { name: "a\nb", levels: [[{ name: "a", type: "int" }]] }, "control"],
  ["no levels", { name: "s", levels: [] }, `"levels"`],
  ["levels not an array", { name: "s", levels: {} }, `"levels"`],
  ["an empty level", { name: "s", levels: [[{ name: "a", type: "int" }], []] }, "level 1"],
  ["a field that is a string", { name: "s", levels: [["a"]] }, "not an object"],
  ["a missing field type", { name: "s", levels: [[{ name: "a" }]] }, `field "a" has type`],
  ["an unknown field type", { name: "s", levels: [[{ name: "a", type: "float" }]] }, `"float"`],
  ["an unknown schema property", { name: "s", fieldSep: "_", levels: [[{ name: "a", type: "int" }]] }, `"fieldSep"`],
  ["an unknown field property", { name: "s", levels: [[{ name: "a", type: "int", unit: "s" }]] }, `"unit"`],
  ["the separator '.'", { name: "s", fieldSeparator: ".", levels: [[{ name: "a", type: "int" }]] }, `"."`],
  ["the separator '/'", { name: "s", fieldSeparator: "/", levels: [[{ name: "a", type: "int" }]] }, `"/"`],
  ["a two-character separator", { name: "s", fieldSeparator: "--", levels: [[{ name: "a", type: "int" }]] }, `"--"`],
  ["an empty separator", { name: "s", fieldSeparator: "", levels: [[{ name: "a", type: "int" }]] }, `""`],
  [
    "a field name repeated across levels",
    { name: "s", levels: [[{ name: "a", type: "int" }], [{ name: "a", type: "string" }]] },
    "more than once",
  ],
];

for (const [title, input, messagePart] of badSchemas) {
  test(`validateIndexSchema rejects ${title}`, (t) => {
    const err = t.throws(() => validateIndexSchema(input), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_ARGUMENT");
    t.true(err?.message.includes(messagePart), err?.message);
  });
}

test("validateIndexSchema fills in the default separator and survives a JSON round trip", (t) => {
  const schema = validateIndexSchema({ name: "s", levels: [[{ name: "a", type: "int" }]] });
  t.is(schema.fieldSeparator, "-");
  t.deepEqual(validateIndexSchema(JSON.parse(JSON.stringify(schema))), schema);
});

test("indexSchemasEqual compares name, separator, levels and types", (t) => {
  const base = parseIndexSpec("a,b:int/c");
  t.true(indexSchemasEqual(base, parseIndexSpec("a,b:int/c")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a,b:int/c", "other")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a,b:int/c", "index", "_")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a,b/c")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a/b:int/c")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a,b:int,c")));
  t.false(indexSchemasEqual(base, parseIndexSpec("a,b:int/d")));
});

test("indexFieldNames flattens levels in order", (t) => {
  t.deepEqual(indexFieldNames(parseIndexSpec("a,b:int/c/d,e")), ["a", "b", "c", "d", "e"]);
});
