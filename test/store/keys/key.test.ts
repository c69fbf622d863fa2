import test from "ava";
import { OupsError } from "../../../server/src/store/errors.js";
import { parseIndexSpec } from "../../../server/src/store/keys/index-schema.js";
import type { Key } from "../../../server/src/store/keys/key.js";
import { compareKeys, keyId, keyToPath, pathToKey, validateKey } from "../../../server/src/store/keys/key.js";

const flat = parseIndexSpec("symbol,year:int");
const nested = parseIndexSpec("symbol,year:int/month:int/venue");
const underscored = parseIndexSpec("symbol,delta:int", "index", "_");

const roundTrips: [title: string, schema: typeof flat, key: Key, path: string][] = [
  ["toplevel only", flat, { symbol: "AAPL", year: "2024" }, "AAPL-2024"],
  ["toplevel only, one field", parseIndexSpec("city"), { city: "paris" }, "paris"],
  [
    "with 2 sublevels",
    nested,
    { symbol: "AAPL", year: "2024", month: "3", venue: "XNAS" },
    "AAPL-2024/3/XNAS",
  ],
  ["negative int with a non-dash separator", underscored, { symbol: "T", delta: "-5" }, "T_-5"],
  ["unicode and spaces", flat, { symbol: "café au lait 🚀", year: "0" }, "café au lait 🚀-0"],
];

for (const [title, schema, key, path] of roundTrips) {
  test(`key and path round-trip: ${title}`, (t) => {
    t.is(keyToPath(schema, key), path);
    t.deepEqual(pathToKey(schema, path), key);
    t.is(keyId(schema, key), path);
  });
}

test("validateKey returns a frozen copy with fields in schema order", (t) => {
  const input = { venue: "XNAS", month: "3", year: "2024", symbol: "AAPL" };
  const key = validateKey(nested, input);
  t.deepEqual(Object.keys(key), ["symbol", "year", "month", "venue"]);
  t.true(Object.isFrozen(key));
  t.not(key, input);
});

const invalid: [title: string, key: Record<string, unknown>, field: string][] = [
  ["a missing field", { symbol: "AAPL" }, "year"],
  ["an extra field", { symbol: "AAPL", year: "1", month: "2" }, "month"],
  ["an empty value", { symbol: "", year: "1" }, "symbol"],
  ["a value of 129 characters", { symbol: "x".repeat(129), year: "1" }, "symbol"],
  ["a value holding the separator", { symbol: "A-B", year: "1" }, "symbol"],
  ["a value holding '/'", { symbol: "a/b", year: "1" }, "symbol"],
  ["a value holding '\\'", { symbol: "a\\b", year: "1" }, "symbol"],
  ["a value holding '.'", { symbol: "a.b", year: "1" }, "symbol"],
  ["the value '.'", { symbol: ".", year: "1" }, "symbol"],
  ["the value '..'", { symbol: "..", year: "1" }, "symbol"],
  ["a value holding NUL", { symbol: "a\u0000b", year: "1" }, "symbol"],
  ["a value holding a tab", { symbol: "a\tb", year: "1" }, "symbol"],
  ["a value holding a newline", { symbol: "a\nb", year: "1" }, "symbol"],
  ["a value holding U+001F", { symbol: "a\u001fb", year: "1" }, "symbol"],
  ["a value holding DEL", { symbol: "a\u007fb", year: "1" }, "symbol"],
  ["a value holding a C1 control", { symbol: "a\u0085b", year: "1" }, "symbol"],
  ["a value holding a zero-width space", { symbol: "a\u200bb", year: "1" }, "symbol"],
  ["a value holding a bidi override", { symbol: "a\u202eb", year: "1" }, "symbol"],
  ["a value holding a lone surrogate", { symbol: "a\ud800b", year: "1" }, "symbol"],
  ["a value holding a private-use character", { symbol: "a\ue000b", year: "1" }, "symbol"],
  ["a value holding a line separator", { symbol: "a\u2028b", year: "1" }, "symbol"],
  ["a value that is not a string", { symbol: 42, year: "1" }, "symbol"],
  ["an int with a leading zero", { symbol: "A", year: "05" }, "year"],
  ["an int with a plus sign", { symbol: "A", year: "+5" }, "year"],
  ["an int with a '-' sign when the separator is '-'", { symbol: "A", year: "-5" }, "year"],
  ["an int with spaces", { symbol: "A", year: " 5" }, "year"],
  ["an int in exponent form", { symbol: "A", year: "1e3" }, "year"],
  ["an int in hex", { symbol: "A", year: "0x10" }, "year"],
  ["a decimal int", { symbol: "A", year: "1.0" }, "year"],
  ["an int beyond the safe range", { symbol: "A", year: "9007199254740992" }, "year"],
  ["an int as a number", { symbol: "A", year: 2024 }, "year"],
];

for (const [title, key, field] of invalid) {
  test(`validateKey rejects ${title} with INVALID_KEY naming "${field}"`, (t) => {
    const err = t.throws(() => validateKey(flat, key), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_KEY");
    t.true(err?.message.includes(`"${field}"`), err?.message);
    t.throws(() => keyToPath(flat, key as Key), { instanceOf: OupsError });
  });
}

const invalidUnderscored: [title: string, key: Record<string, unknown>][] = [
  ["-0", { symbol: "A", delta: "-0" }],
  ["-05", { symbol: "A", delta: "-05" }],
  ["a value holding the '_' separator", { symbol: "A_B", delta: "1" }],
];

for (const [title, key] of invalidUnderscored) {
  test(`validateKey rejects ${title} with separator "_"`, (t) => {
    const err = t.throws(() => validateKey(underscored, key), { instanceOf: OupsError });
    t.is(err?.code, "INVALID_KEY");
  });
}

test("validateKey accepts the largest safe integer and a 128-character value", (t) => {
  const key = validateKey(flat, { symbol: "x".repeat(128), year: String(Number.MAX_SAFE_INTEGER) });
  t.is(key.year, "9007199254740991");
});

test("validateKey explains that negative ints need another separator", (t) => {
  const err = t.throws(() => validateKey(flat, { symbol: "A", year: "-5" }), { instanceOf: OupsError });
  t.true(err?.message.includes("other than"), err?.message);
});

test("validateKey rejects a level whose directory name exceeds 255 bytes", (t) => {
  const schema = parseIndexSpec("a,b");
  const err = t.throws(() => validateKey(schema, { a: "é".repeat(100), b: "é".repeat(100) }), {
    instanceOf: OupsError,
  });
  t.is(err?.code, "INVALID_KEY");
  t.true(err?.message.includes("255 bytes"), err?.message);
});

test("validateKey rejects a non-object", (t) => {
  const err = t.throws(() => validateKey(flat, null as unknown as Key), { instanceOf: OupsError });
  t.is(err?.code, "INVALID_KEY");
});

const notKeys: [title: string, schema: typeof flat, path: string][] = [
  ["an extra piece", flat, "AAPL-2024-1"],
  ["a missing piece", flat, "AAPL"],
  ["an empty piece", flat, "AAPL-"],
  ["a non-canonical int", flat, "AAPL-05"],
  ["an int with a plus sign", flat, "AAPL-+5"],
  ["a non-numeric int", flat, "AAPL-x"],
  ["too deep", flat, "AAPL-2024/x"],
  ["too shallow", nested, "AAPL-2024/3"],
  ["too deep with sublevels", nested, "AAPL-2024/3/XNAS/x"],
  ["an extra piece in a sublevel", nested, "AAPL-2024/3-4/XNAS"],
  ["a trailing slash", nested, "AAPL-2024/3/XNAS/"],
  ["a leading slash", flat, "/AAPL-2024"],
  ["a dot-dot segment", nested, "../3/XNAS"],
  ["a dot segment", nested, "AAPL-2024/./XNAS"],
  ["a hidden name", flat, ".AAPL-2024"],
  ["a backslash", flat, "A\\B-2024"],
  ["an empty path", flat, ""],
  ["a non-canonical negative int", underscored, "A_-05"],
];

for (const [title, schema, path] of notKeys) {
  test(`pathToKey returns undefined for ${title}`, (t) => {
    t.is(pathToKey(schema, path), undefined);
  });
}

test("compareKeys orders ints numerically and strings by code unit", (t) => {
  const keys: Key[] = [
    { symbol: "b", year: "2" },
    { symbol: "a", year: "10" },
    { symbol: "B", year: "1" },
    { symbol: "a", year: "2" },
  ];
  keys.sort((x, y) => compareKeys(flat, x, y));
  t.deepEqual(
    keys.map((k) => keyToPath(flat, k)),
    ["B-1", "a-2", "a-10", "b-2"],
  );
});
