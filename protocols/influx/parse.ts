/**
 * InfluxDB line protocol parser, following vmagent v1.79.5
 * (lib/protoparser/influx/parser.go, streamparser.go and
 * app/vmagent/influx/request_handler.go) quirk for quirk:
 *
 * - `measurement[,tagK=tagV…] fieldK=fieldV[,…] [timestamp]`, lines split on
 *   `\n`, one trailing `\r` stripped, empty and `#` lines skipped;
 * - separators are found by scanning for the char not preceded by an odd
 *   number of backslashes (counted within the part being split); `\` before
 *   space, `,`, `=`, `\` is removed, before anything else it is kept;
 * - field values: `…i` int64, `…u` uint64, booleans, quoted strings parsed as
 *   numbers best effort (0 when not numeric), everything else best-effort
 *   float (see numbers.ts); whitespace after the fields must be followed by a
 *   timestamp (v1.79.5 rejects a trailing space);
 * - a bad line is reported through `invalidLine` and skipped as a whole.
 *
 * The body is decoded once; lines are scanned by index without slicing, and
 * per-line state lives in module-level arrays reused across lines (the
 * parser is synchronous and not reentrant, one per worker).
 *
 * @module
 */

import { trimTimestamp, type ParseContext } from "../_shared/protocol.ts";
import {
  parseBestEffort,
  parseInt64Value,
  parseTimestampMs,
  parseUint64Value,
  type Precision,
  precisionUnitMs,
} from "./numbers.ts";

/** Flags and query args that shape the parse of one body. */
export interface InfluxParseOptions {
  /** `-influxMeasurementFieldSeparator`. */
  readonly measurementFieldSeparator: string;
  /** `-influxSkipMeasurement`. */
  readonly skipMeasurement: boolean;
  /** `-influxSkipSingleField`. */
  readonly skipSingleField: boolean;
  /** `-influxDBLabel`: the label name for `db`. */
  readonly dbLabel: string;
  /** The `db` query arg; "" adds no label (always so for TCP/UDP). */
  readonly db: string;
  readonly precision: Precision;
  /** `-influx.maxLineSize` in bytes; longer lines are skipped. */
  readonly maxLineSize: number;
  /** `-influxTrimTimestamp` in ms. */
  readonly trimTimestampMs: number;
}

/** The part of ParseContext the parser uses. */
export type InfluxParseContext = Pick<ParseContext, "w" | "nowMs" | "invalidLine">;

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COMMA = 0x2c;
const EQ = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HASH = 0x23;

// `ignoreBOM` keeps a leading BOM in the measurement, as Go does.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Whether the current body has any backslash (Go's `noEscapeChars` fast path). */
let hasEsc = false;
/** Whether the current line's fields part has an unescaped quote. */
let hasQuoted = false;

// Per-line state, reused.
let measurement = "";
const tagKeys: string[] = [];
const tagValues: string[] = [];
let nTags = 0;
const fieldKeys: string[] = [];
let fieldValues = new Float64Array(16);
let nFields = 0;
/** False when the timestamp is missing or 0 (the current time is used). */
let hasTimestamp = false;
let timestampMs = 0;

/**
 * Parses an Influx line protocol body into `ctx.w`: one series per field,
 * labels `__name__`, the tags, then `db` unless a tag has that name.
 */
export function parseInflux(body: Uint8Array, opts: InfluxParseOptions, ctx: InfluxParseContext): void {
  if (body.length === 0) return;
  const s = decoder.decode(body);
  hasEsc = s.indexOf("\\") >= 0;
  const w = ctx.w;
  const unit = precisionUnitMs(opts.precision);
  const nowTs = ctx.nowMs - (ctx.nowMs % unit);
  const len = s.length;
  let ls = 0;
  while (ls < len) {
    let nl = s.indexOf("\n", ls);
    if (nl < 0) nl = len;
    const rawEnd = nl;
    let le = nl;
    if (le > ls && s.charCodeAt(le - 1) === CR) le--;
    if (le > ls && s.charCodeAt(ls) !== HASH) {
      if (tooLong(s, ls, rawEnd, opts.maxLineSize)) {
        ctx.invalidLine(`too long line: more than ${opts.maxLineSize} bytes`, s.slice(ls, Math.min(rawEnd, ls + 200)));
      } else {
        const err = parseLine(s, ls, le, opts.precision);
        if (err !== null) ctx.invalidLine(err, s.slice(ls, le));
        else emit(w, opts, trimTimestamp(hasTimestamp ? timestampMs : nowTs, opts.trimTimestampMs));
      }
    }
    ls = nl + 1;
  }
}

/** Whether `s[a, b)` is longer than `max` bytes in UTF-8 (counted exactly only when it could be). */
function tooLong(s: string, a: number, b: number, max: number): boolean {
  const chars = b - a;
  if (chars > max) return true;
  if (chars * 3 <= max) return false;
  let bytes = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes > max;
}

function emit(w: InfluxParseContext["w"], opts: InfluxParseOptions, ts: number): void {
  let prefix = opts.skipMeasurement ? "" : measurement;
  // vmagent issue #1139: the measurement alone names a single-field line.
  const skipFieldKey = measurement.length > 0 && nFields === 1 && opts.skipSingleField;
  if (prefix.length > 0 && !skipFieldKey) prefix += opts.measurementFieldSeparator;
  const db = opts.db;
  let addDB = db.length > 0;
  if (addDB) {
    for (let i = 0; i < nTags; i++) {
      if (tagKeys[i] === opts.dbLabel) {
        addDB = false;
        break;
      }
    }
  }
  for (let f = 0; f < nFields; f++) {
    w.begin();
    w.label("__name__", skipFieldKey ? prefix : prefix + fieldKeys[f]!);
    for (let i = 0; i < nTags; i++) w.label(tagKeys[i]!, tagValues[i]!);
    if (addDB) w.label(opts.dbLabel, db);
    w.sample(fieldValues[f]!, ts);
    w.end();
  }
}

/**
 * Index of the first `ch` in `s[from, to)` not escaped by an odd run of
 * backslashes (counted back to `from`, as Go counts within its substring), or -1.
 */
function nextUnescaped(s: string, from: number, to: number, ch: number): number {
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) !== ch) continue;
    if (!hasEsc) return i;
    let k = i;
    while (k > from && s.charCodeAt(k - 1) === BACKSLASH) k--;
    if (((i - k) & 1) === 0) return i;
  }
  return -1;
}

/** Whether `s[a, b)` has an odd number of unescaped quotes (Go's isInQuote). */
function isInQuote(s: string, a: number, b: number): boolean {
  let inQuote = false;
  for (;;) {
    const n = nextUnescaped(s, a, b, QUOTE);
    if (n < 0) return inQuote;
    inQuote = !inQuote;
    a = n + 1;
  }
}

/** Go's nextUnquotedChar: the next unescaped `ch` outside double quotes in `s[from, to)`. */
function nextUnquoted(s: string, from: number, to: number, ch: number): number {
  if (!hasQuoted) return nextUnescaped(s, from, to, ch);
  let p = from;
  for (;;) {
    const n = nextUnescaped(s, p, to, ch);
    if (n < 0) return -1;
    if (!isInQuote(s, p, n)) return n;
    const q = nextUnescaped(s, n + 1, to, QUOTE);
    if (q < 0) return -1;
    p = q + 1;
  }
}

/** Index of the first backslash in `s[a, b)`, or -1 (bounded, unlike indexOf). */
function nextBackslash(s: string, a: number, b: number): number {
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === BACKSLASH) return i;
  return -1;
}

/** Go's unescapeTagValue of `s[a, b)`. */
function unescape(s: string, a: number, b: number): string {
  if (!hasEsc) return s.slice(a, b);
  let n = nextBackslash(s, a, b);
  if (n < 0) return s.slice(a, b);
  let out = "";
  for (;;) {
    out += s.slice(a, n);
    a = n + 1;
    if (a >= b) return out + "\\";
    const c = s.charCodeAt(a);
    if (c !== SPACE && c !== COMMA && c !== EQ && c !== BACKSLASH) out += "\\";
    out += s[a];
    a++;
    n = nextBackslash(s, a, b);
    if (n < 0) return out + s.slice(a, b);
  }
}

function skipSpaces(s: string, i: number, to: number): number {
  while (i < to && s.charCodeAt(i) === SPACE) i++;
  return i;
}

const HTTP_HINT = "please switch from tcp to http protocol for data ingestion; " +
  "do not set `-influxListenAddr` command-line flag, since it is needed for tcp protocol only";

function startsWithHTTP(s: string, i: number, to: number): boolean {
  return to - i >= 5 && s.startsWith("HTTP/", i);
}

/** Parses the line `s[ls, le)` into the per-line state; returns an error message or null. */
function parseLine(s: string, ls: number, le: number, precision: Precision): string | null {
  nTags = 0;
  nFields = 0;
  hasTimestamp = false;
  const sp = nextUnescaped(s, ls, le, SPACE);
  if (sp < 0) return `cannot find Whitespace I in ${JSON.stringify(s.slice(ls, le))}`;
  let mEnd = sp;
  const comma = nextUnescaped(s, ls, sp, COMMA);
  if (comma >= 0) {
    const err = parseTags(s, comma + 1, sp);
    if (err !== null) return err;
    mEnd = comma;
  }
  measurement = unescape(s, ls, mEnd);
  const fs = skipSpaces(s, sp + 1, le);
  hasQuoted = nextUnescaped(s, fs, le, QUOTE) >= 0;
  const tsSep = nextUnquoted(s, fs, le, SPACE);
  if (tsSep < 0) return parseFields(s, fs, le);
  const err = parseFields(s, fs, tsSep);
  if (err !== null) return startsWithHTTP(s, tsSep + 1, le) ? HTTP_HINT : err;
  const ts = skipSpaces(s, tsSep + 1, le);
  const t = parseTimestampMs(s, ts, le, precision);
  if (typeof t === "string") {
    return startsWithHTTP(s, ts, le) ? HTTP_HINT : `cannot parse timestamp ${JSON.stringify(s.slice(ts, le))}: ${t}`;
  }
  if (t !== null) {
    hasTimestamp = true;
    timestampMs = t;
  }
  return null;
}

/** Tags in `s[a, b)`; tags with an empty key or value are dropped. */
function parseTags(s: string, a: number, b: number): string | null {
  for (;;) {
    const n = nextUnescaped(s, a, b, COMMA);
    const end = n < 0 ? b : n;
    const eq = nextUnescaped(s, a, end, EQ);
    if (eq < 0) return `missing tag value for ${JSON.stringify(s.slice(a, end))}`;
    const key = unescape(s, a, eq);
    const value = unescape(s, eq + 1, end);
    if (key.length > 0 && value.length > 0) {
      tagKeys[nTags] = key;
      tagValues[nTags] = value;
      nTags++;
    }
    if (n < 0) return null;
    a = n + 1;
  }
}

/** Fields in `s[a, b)`. */
function parseFields(s: string, a: number, b: number): string | null {
  for (;;) {
    const n = nextUnquoted(s, a, b, COMMA);
    const end = n < 0 ? b : n;
    const err = parseField(s, a, end);
    if (err !== null) return err;
    if (n < 0) return null;
    a = n + 1;
  }
}

function parseField(s: string, a: number, b: number): string | null {
  const eq = nextUnescaped(s, a, b, EQ);
  if (eq < 0) return `missing field value for ${JSON.stringify(s.slice(a, b))}`;
  const key = unescape(s, a, eq);
  if (key.length === 0) return "field key cannot be empty";
  const v = parseFieldValue(s, eq + 1, b);
  if (typeof v === "string") return `cannot parse field value for ${JSON.stringify(key)}: ${v}`;
  if (nFields === fieldValues.length) {
    const grown = new Float64Array(fieldValues.length * 2);
    grown.set(fieldValues);
    fieldValues = grown;
  }
  fieldKeys[nFields] = key;
  fieldValues[nFields] = v;
  nFields++;
  return null;
}

function parseFieldValue(s: string, a: number, b: number): number | string {
  if (a >= b) return "field value cannot be empty";
  if (hasQuoted && s.charCodeAt(a) === QUOTE) {
    if (b - a < 2 || s.charCodeAt(b - 1) !== QUOTE) {
      return `missing closing quote for quoted field value ${s.slice(a, b)}`;
    }
    // Agents sometimes send numbers as strings.
    return parseBestEffort(s, a + 1, b - 1);
  }
  const last = s.charCodeAt(b - 1);
  if (last === 0x69) return parseInt64Value(s, a, b - 1); // 'i'
  if (last === 0x75) return parseUint64Value(s, a, b - 1); // 'u'
  switch (b - a) {
    case 1: {
      const c = s.charCodeAt(a);
      if (c === 0x74 || c === 0x54) return 1; // t T
      if (c === 0x66 || c === 0x46) return 0; // f F
      break;
    }
    case 4:
      if (s.startsWith("true", a) || s.startsWith("True", a) || s.startsWith("TRUE", a)) return 1;
      break;
    case 5:
      if (s.startsWith("false", a) || s.startsWith("False", a) || s.startsWith("FALSE", a)) return 0;
      break;
  }
  return parseBestEffort(s, a, b);
}
