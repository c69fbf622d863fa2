import test from "ava";
import type { KeyFields } from "../../client/src/index.js";
import { OupsClientError } from "../../client/src/index.js";
import { unpackKeys } from "../../client/src/unpack-keys.js";

test("unpackKeys reads a packed page, repeated and non-ASCII values included, after the keys already listed", (t) => {
  const out: KeyFields[] = [{ a: "0", b: "0" }];
  unpackKeys(["a", "b"], "A\n1\nA\n2\nAB\n2\n\u00e9\u{1F600}\n2\nA\n22\n", out);
  t.deepEqual(out, [{ a: "0", b: "0" }, { a: "A", b: "1" }, { a: "A", b: "2" }, { a: "AB", b: "2" }, { a: "\u00e9\u{1F600}", b: "2" }, { a: "A", b: "22" }]);
  const none: KeyFields[] = [];
  unpackKeys(["a"], "", none);
  t.deepEqual(none, []);
});

test("unpackKeys refuses values that do not make whole keys", (t) => {
  for (const values of ["A\n1\nB\n", "A\n1", "A"]) {
    const err = t.throws(() => unpackKeys(["a", "b"], values, []), { instanceOf: OupsClientError }, JSON.stringify(values));
    t.is(err?.code, "INTERNAL");
  }
});
