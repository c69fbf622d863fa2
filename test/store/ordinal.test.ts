import test from "ava";
import { compareOrdinals, compareText } from "../../server/src/store/ordinal.js";
import { seededRandom } from "../helpers/seeded-random.js";

/** The order pyarrow, DuckDB and Arrow C++ give text: their UTF-8 bytes compared. */
const utf8Order = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));

const tricky = ["", "a", "ab", "b", "z", "\u007f", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffef", "\uffff", "\u{10000}", "\u{1f600}", "\u{1f600}a", "\u{10ffff}", "a\uffff", "a\u{1f600}"];

test("compareText orders text by code point, as UTF-8 bytes compare, not by UTF-16 units", (t) => {
  t.is(compareText("\uffff", "\u{1f600}"), -1);
  t.is(compareText("\u{1f600}", "\uffff"), 1);
  // JavaScript's own operator disagrees on exactly this pair: the reason for compareText.
  t.true("\u{1f600}" < "\uffff");
  for (const a of tricky) {
    for (const b of tricky) t.is(compareText(a, b), utf8Order(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

test("compareText agrees with UTF-8 byte order on random strings from every plane", (t) => {
  const random = seededRandom(10);
  const units = [0x41, 0x7a, 0xe9, 0x4e2d, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  const word = () => String.fromCodePoint(...Array.from({ length: Math.floor(random() * 4) }, () => units[Math.floor(random() * units.length)]!));
  for (let i = 0; i < 5_000; i++) {
    const a = word();
    const b = word();
    t.is(compareText(a, b), utf8Order(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

test("compareOrdinals compares numbers and bigints natively and text by code point", (t) => {
  t.is(compareOrdinals(1, 2), -1);
  t.is(compareOrdinals(2n, 1n), 1);
  t.is(compareOrdinals(-0, 0), 0);
  t.is(compareOrdinals("\uffff", "\u{1f600}"), -1);
  t.deepEqual(["\u{1f600}", "b", "\uffff", "a"].sort(compareOrdinals), ["a", "b", "\uffff", "\u{1f600}"]);
});
