/** One CSV record: its fields, `null` for an empty unquoted field; and the line it starts on (1-based). */
export interface CsvRecord {
  fields: (string | null)[];
  line: number;
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** States of the parser. */
const State = {
  /** At the start of a field. */
  FieldStart: 0,
  /** Inside an unquoted field. */
  Unquoted: 1,
  /** Inside a quoted field. */
  Quoted: 2,
  /** Just after a quote inside a quoted field: an escaped quote or the closing one. */
  QuoteInQuoted: 3,
  /** After the closing quote: only a delimiter may follow. */
  AfterQuoted: 4,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Parses CSV text arriving in chunks (RFC 4180): fields separated by commas, records by LF or CRLF, fields
 * optionally quoted with `"` (a quote inside doubled), quoted fields spanning lines. A leading byte-order mark
 * and blank lines are skipped. An empty field is `null` when unquoted and `""` when quoted, so that `,,` and `,"",`
 * can mean a null and an empty string. Yields the records completed by each chunk, in arrays to keep the
 * per-record cost low. Throws an Error naming the line on a character after a closing quote or an unterminated
 * quoted field.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord[]> {
  let state: State = State.FieldStart;
  let field = "";
  let quoted = false;
  let fields: (string | null)[] = [];
  let line = 1;
  let recordLine = 1;
  let skipLf = false;
  let first = true;

  const endField = () => {
    fields.push(field.length === 0 && !quoted ? null : field);
    field = "";
    quoted = false;
    state = State.FieldStart;
  };

  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const out: CsvRecord[] = [];
    const endRecord = () => {
      endField();
      // A blank line is one null field: no record.
      if (!(fields.length === 1 && fields[0] === null)) out.push({ fields, line: recordLine });
      fields = [];
      line++;
      recordLine = line;
    };
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (skipLf) {
        skipLf = false;
        if (chunk.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      switch (state) {
        case State.FieldStart:
          if (chunk.charCodeAt(i) === QUOTE) {
            quoted = true;
            state = State.Quoted;
            i++;
          } else {
            state = State.Unquoted;
          }
          break;
        case State.Unquoted: {
          let j = i;
          let c = 0;
          for (; j < n; j++) {
            c = chunk.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
          }
          field += chunk.slice(i, j);
          i = j;
          if (j < n) {
            i++;
            if (c === COMMA) endField();
            else {
              skipLf = c === CR;
              endRecord();
            }
          }
          break;
        }
        case State.Quoted: {
          const q = chunk.indexOf('"', i);
          const end = q < 0 ? n : q;
          for (let k = chunk.indexOf("\n", i); k >= 0 && k < end; k = chunk.indexOf("\n", k + 1)) line++;
          field += chunk.slice(i, end);
          i = end;
          if (q >= 0) {
            i++;
            state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted:
          if (chunk.charCodeAt(i) === QUOTE) {
            field += '"';
            i++;
            state = State.Quoted;
          } else {
            state = State.AfterQuoted;
          }
          break;
        case State.AfterQuoted: {
          const c = chunk.charCodeAt(i);
          i++;
          if (c === COMMA) endField();
          else if (c === LF || c === CR) {
            skipLf = c === CR;
            endRecord();
          } else {
            throw new Error(`CSV line ${line}: unexpected ${JSON.stringify(chunk[i - 1])} after a closing quote`);
          }
          break;
        }
      }
    }
    if (out.length > 0) yield out;
  }
  if (state === State.Quoted) throw new Error(`CSV line ${recordLine}: quoted field not closed at the end of the file`);
  if (state !== State.FieldStart || fields.length > 0 || field.length > 0 || quoted) {
    endField();
    if (!(fields.length === 1 && fields[0] === null)) yield [{ fields, line: recordLine }];
  }
}
