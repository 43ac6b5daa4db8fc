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
 * Bytes to bytes: the body is scanned as bytes (every separator is ASCII).
 * A series' labels depend only on the line's measurement and tags (the bytes
 * before the first unescaped space) and the field key, so those two ranges
 * are the label-cache key (series_writer.ts): on a hit nothing is decoded or
 * unescaped, and the cached protobuf labels are copied into the block. Only
 * a miss decodes the measurement and tags into strings. Per-line state lives
 * in module-level typed arrays reused across lines (the parser is
 * synchronous and not reentrant, one per worker).
 *
 * @module
 */

import { bytesEqualAscii, decodeRange } from "../_shared/bytes.ts";
import { HASH_SEED, hashBytes } from "../_shared/label_cache.ts";
import { LabelEncoder } from "../_shared/label_encoder.ts";
import { type ParseContext, trimTimestamp } from "../_shared/protocol.ts";
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

/** The body being parsed. */
let src: Uint8Array = new Uint8Array(0);
/** Whether the current body has any backslash (Go's `noEscapeChars` fast path). */
let hasEsc = false;
/** Whether the current line's fields part has an unescaped quote. */
let hasQuoted = false;

// Per-line state, reused: byte ranges, not strings.
/** Measurement and tags: `src[lineStart, keyEnd)`; the measurement is `src[lineStart, mEnd)`. */
let lineStart = 0;
let keyEnd = 0;
let mEnd = 0;
let tagStarts = new Int32Array(16);
let tagEqs = new Int32Array(16);
let tagEnds = new Int32Array(16);
let nTags = 0;
let fieldStarts = new Int32Array(16);
let fieldEnds = new Int32Array(16);
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
  src = body;
  hasEsc = body.indexOf(BACKSLASH) >= 0;
  const w = ctx.w;
  // Everything besides the key bytes that the labels depend on.
  w.setContext(
    `influx\u0000${opts.db}\u0000${opts.dbLabel}\u0000${opts.measurementFieldSeparator}\u0000${opts.skipMeasurement}\u0000${opts.skipSingleField}`,
  );
  prepareDirect(opts);
  const unit = precisionUnitMs(opts.precision);
  const nowTs = ctx.nowMs - (ctx.nowMs % unit);
  const len = body.length;
  let ls = 0;
  while (ls < len) {
    let nl = body.indexOf(NL, ls);
    if (nl < 0) nl = len;
    let le = nl;
    if (le > ls && body[le - 1] === CR) le--;
    if (le > ls && body[ls] !== HASH) {
      if (nl - ls > opts.maxLineSize) {
        ctx.invalidLine(
          `too long line: more than ${opts.maxLineSize} bytes`,
          decodeRange(body, ls, Math.min(nl, ls + 200)),
        );
      } else {
        const err = parseLine(ls, le, opts.precision);
        if (err !== null) ctx.invalidLine(err, decodeRange(body, ls, le));
        else emit(ctx.w, opts, trimTimestamp(hasTimestamp ? timestampMs : nowTs, opts.trimTimestampMs));
      }
    }
    ls = nl + 1;
  }
  src = EMPTY;
}

const EMPTY = new Uint8Array(0);

/** `__name__`, the separator, and the `db` label's name and value, as bytes for emitDirect(). */
let nameBuf = new Uint8Array(256);
let sepBytes = new Uint8Array(0);
let sepOf = "";
let dbName = new Uint8Array(0);
let dbValue = new Uint8Array(0);
let dbOf = "";
let dbLabelOf = "";
/** The current line's tags (and db), encoded, for emitDirect(). */
const tagEnc = new LabelEncoder();

/**
 * Labels straight from the line's bytes into the block, for a body without
 * escapes when no label rule or extra label applies: that costs what a
 * label-cache hit costs, and keeps nothing in memory (series of a high
 * cardinality would only churn the cache).
 */
function emitDirect(w: InfluxParseContext["w"], opts: InfluxParseOptions, ts: number, skipFieldKey: boolean): void {
  const s = src;
  // The line's tags (and db) are encoded once and copied into each of its series.
  const enc = tagEnc;
  enc.reset();
  let addDB = dbValue.length > 0;
  for (let i = 0; i < nTags; i++) {
    const ks = tagStarts[i]!;
    const eq = tagEqs[i]!;
    const te = tagEnds[i]!;
    // Tags with an empty key or value are dropped; a non-empty `db` tag wins over the query arg.
    if (eq === ks || te === eq + 1) continue;
    if (addDB && eq - ks === dbName.length && bytesEqual(s, ks, dbName)) addDB = false;
    enc.addRanges(s, ks, eq, s, eq + 1, te);
  }
  if (addDB) enc.addRanges(dbName, 0, dbName.length, dbValue, 0, dbValue.length);
  // The name's prefix: the measurement and the separator (none without measurement or for a single field).
  const mLen = opts.skipMeasurement ? 0 : mEnd - lineStart;
  const pre = mLen > 0 && !skipFieldKey ? mLen + sepBytes.length : mLen;
  if (nameBuf.length < pre + 256) nameBuf = new Uint8Array(pre * 2 + 256);
  for (let i = 0; i < mLen; i++) nameBuf[i] = s[lineStart + i]!;
  if (pre > mLen) nameBuf.set(sepBytes, mLen);
  for (let f = 0; f < nFields; f++) {
    let nameEnd = pre;
    if (!skipFieldKey) {
      const fs = fieldStarts[f]!;
      const fe = fieldEnds[f]!;
      if (nameBuf.length < pre + fe - fs) {
        const grown = new Uint8Array((pre + fe - fs) * 2);
        grown.set(nameBuf.subarray(0, pre));
        nameBuf = grown;
      }
      for (let i = fs; i < fe; i++) nameBuf[nameEnd++] = s[i]!;
    }
    w.writeNamed(nameBuf, 0, nameEnd, enc, fieldValues[f]!, ts);
  }
}

/** Whether `s[a, a + want.length)` equals `want`. */
function bytesEqual(s: Uint8Array, a: number, want: Uint8Array): boolean {
  for (let k = 0; k < want.length; k++) if (s[a + k] !== want[k]) return false;
  return true;
}

/** Sets the byte forms of the options emitDirect() uses, once per body. */
function prepareDirect(opts: InfluxParseOptions): void {
  if (opts.measurementFieldSeparator !== sepOf) {
    sepOf = opts.measurementFieldSeparator;
    sepBytes = new TextEncoder().encode(sepOf);
  }
  if (opts.dbLabel !== dbLabelOf || opts.db !== dbOf) {
    dbLabelOf = opts.dbLabel;
    dbOf = opts.db;
    dbName = new TextEncoder().encode(opts.dbLabel);
    dbValue = new TextEncoder().encode(opts.db);
  }
}

function emit(w: InfluxParseContext["w"], opts: InfluxParseOptions, ts: number): void {
  // vmagent issue #1139: the measurement alone names a single-field line, so its field key is not part of the key.
  const skipFieldKey = mEnd > lineStart && nFields === 1 && opts.skipSingleField;
  if (!hasEsc && w.verbatim) {
    emitDirect(w, opts, ts, skipFieldKey);
    return;
  }
  const prefixHash = hashBytes(src, lineStart, keyEnd, HASH_SEED);
  for (let f = 0; f < nFields; f++) {
    const fs = skipFieldKey ? 0 : fieldStarts[f]!;
    const fe = skipFieldKey ? 0 : fieldEnds[f]!;
    const h = hashBytes(src, fs, fe, prefixHash ^ 0x2f);
    let id = w.find(h, src, lineStart, keyEnd, fs, fe);
    if (id < 0) {
      addLabels(w, opts, skipFieldKey, f);
      id = w.store(h, src, lineStart, keyEnd, fs, fe);
    }
    w.writeSample(id, fieldValues[f]!, ts);
  }
}

/** The string path for a label-cache miss: the labels of field `f` of the current line. */
function addLabels(w: InfluxParseContext["w"], opts: InfluxParseOptions, skipFieldKey: boolean, f: number): void {
  const measurement = unescape(lineStart, mEnd);
  let prefix = opts.skipMeasurement ? "" : measurement;
  if (prefix.length > 0 && !skipFieldKey) prefix += opts.measurementFieldSeparator;
  w.begin();
  w.label("__name__", skipFieldKey ? prefix : prefix + unescape(fieldStarts[f]!, fieldEnds[f]!));
  let addDB = opts.db.length > 0;
  for (let i = 0; i < nTags; i++) {
    const key = unescape(tagStarts[i]!, tagEqs[i]!);
    const value = unescape(tagEqs[i]! + 1, tagEnds[i]!);
    // Tags with an empty key or value are dropped.
    if (key.length === 0 || value.length === 0) continue;
    if (key === opts.dbLabel) addDB = false;
    w.label(key, value);
  }
  if (addDB) w.label(opts.dbLabel, opts.db);
}

/**
 * Index of the first `ch` in `src[from, to)` not escaped by an odd run of
 * backslashes (counted back to `from`, as Go counts within its substring), or -1.
 */
function nextUnescaped(from: number, to: number, ch: number): number {
  const s = src;
  for (let i = from; i < to; i++) {
    if (s[i] !== ch) continue;
    if (!hasEsc) return i;
    let k = i;
    while (k > from && s[k - 1] === BACKSLASH) k--;
    if (((i - k) & 1) === 0) return i;
  }
  return -1;
}

/** Whether `src[a, b)` has an odd number of unescaped quotes (Go's isInQuote). */
function isInQuote(a: number, b: number): boolean {
  let inQuote = false;
  for (;;) {
    const n = nextUnescaped(a, b, QUOTE);
    if (n < 0) return inQuote;
    inQuote = !inQuote;
    a = n + 1;
  }
}

/** Go's nextUnquotedChar: the next unescaped `ch` outside double quotes in `src[from, to)`. */
function nextUnquoted(from: number, to: number, ch: number): number {
  if (!hasQuoted) return nextUnescaped(from, to, ch);
  let p = from;
  for (;;) {
    const n = nextUnescaped(p, to, ch);
    if (n < 0) return -1;
    if (!isInQuote(p, n)) return n;
    const q = nextUnescaped(n + 1, to, QUOTE);
    if (q < 0) return -1;
    p = q + 1;
  }
}

/** Go's unescapeTagValue of `src[a, b)`, as a string. */
function unescape(a: number, b: number): string {
  const s = decodeRange(src, a, b);
  if (!hasEsc) return s;
  let n = s.indexOf("\\");
  if (n < 0) return s;
  let out = "";
  let i = 0;
  for (;;) {
    out += s.slice(i, n);
    i = n + 1;
    if (i >= s.length) return out + "\\";
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== COMMA && c !== EQ && c !== BACKSLASH) out += "\\";
    out += s[i];
    i++;
    n = s.indexOf("\\", i);
    if (n < 0) return out + s.slice(i);
  }
}

function skipSpaces(i: number, to: number): number {
  while (i < to && src[i] === SPACE) i++;
  return i;
}

const HTTP_HINT = "please switch from tcp to http protocol for data ingestion; " +
  "do not set `-influxListenAddr` command-line flag, since it is needed for tcp protocol only";

function startsWithHTTP(i: number, to: number): boolean {
  const s = src;
  return to - i >= 5 && s[i] === 0x48 && s[i + 1] === 0x54 && s[i + 2] === 0x54 && s[i + 3] === 0x50 &&
    s[i + 4] === 0x2f;
}

function quoted(a: number, b: number): string {
  return JSON.stringify(decodeRange(src, a, b));
}

/** Parses the line `src[ls, le)` into the per-line state; returns an error message or null. */
function parseLine(ls: number, le: number, precision: Precision): string | null {
  nTags = 0;
  nFields = 0;
  hasTimestamp = false;
  lineStart = ls;
  const sp = nextUnescaped(ls, le, SPACE);
  if (sp < 0) return `cannot find Whitespace I in ${quoted(ls, le)}`;
  keyEnd = sp;
  mEnd = sp;
  const comma = nextUnescaped(ls, sp, COMMA);
  if (comma >= 0) {
    const err = parseTags(comma + 1, sp);
    if (err !== null) return err;
    mEnd = comma;
  }
  const fs = skipSpaces(sp + 1, le);
  hasQuoted = nextUnescaped(fs, le, QUOTE) >= 0;
  const tsSep = nextUnquoted(fs, le, SPACE);
  if (tsSep < 0) return parseFields(fs, le);
  const err = parseFields(fs, tsSep);
  if (err !== null) return startsWithHTTP(tsSep + 1, le) ? HTTP_HINT : err;
  const ts = skipSpaces(tsSep + 1, le);
  const t = parseTimestampMs(src, ts, le, precision);
  if (typeof t === "string") {
    return startsWithHTTP(ts, le) ? HTTP_HINT : `cannot parse timestamp ${quoted(ts, le)}: ${t}`;
  }
  if (t !== null) {
    hasTimestamp = true;
    timestampMs = t;
  }
  return null;
}

/** Tags in `src[a, b)` as ranges; empty keys and values are dropped later, on the string path. */
function parseTags(a: number, b: number): string | null {
  for (;;) {
    const n = nextUnescaped(a, b, COMMA);
    const end = n < 0 ? b : n;
    const eq = nextUnescaped(a, end, EQ);
    if (eq < 0) return `missing tag value for ${quoted(a, end)}`;
    if (nTags === tagStarts.length) {
      tagStarts = grow(tagStarts);
      tagEqs = grow(tagEqs);
      tagEnds = grow(tagEnds);
    }
    tagStarts[nTags] = a;
    tagEqs[nTags] = eq;
    tagEnds[nTags] = end;
    nTags++;
    if (n < 0) return null;
    a = n + 1;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Fields in `src[a, b)`. */
function parseFields(a: number, b: number): string | null {
  for (;;) {
    const n = nextUnquoted(a, b, COMMA);
    const end = n < 0 ? b : n;
    const err = parseField(a, end);
    if (err !== null) return err;
    if (n < 0) return null;
    a = n + 1;
  }
}

function parseField(a: number, b: number): string | null {
  const eq = nextUnescaped(a, b, EQ);
  if (eq < 0) return `missing field value for ${quoted(a, b)}`;
  if (eq === a) return "field key cannot be empty";
  const v = parseFieldValue(eq + 1, b);
  if (typeof v === "string") return `cannot parse field value for ${JSON.stringify(unescape(a, eq))}: ${v}`;
  if (nFields === fieldValues.length) {
    fieldStarts = grow(fieldStarts);
    fieldEnds = grow(fieldEnds);
    const grown = new Float64Array(fieldValues.length * 2);
    grown.set(fieldValues);
    fieldValues = grown;
  }
  fieldStarts[nFields] = a;
  fieldEnds[nFields] = eq;
  fieldValues[nFields] = v;
  nFields++;
  return null;
}

/** Whether `src[a, b)` is one of Go's spellings of a boolean word (`true`, `True`, `TRUE`). */
function isBoolWord(a: number, b: number, lower: string): boolean {
  const cap = lower[0]!.toUpperCase() + lower.slice(1);
  return bytesEqualAscii(src, a, b, lower) || bytesEqualAscii(src, a, b, cap) ||
    bytesEqualAscii(src, a, b, lower.toUpperCase());
}

function parseFieldValue(a: number, b: number): number | string {
  if (a >= b) return "field value cannot be empty";
  const s = src;
  if (hasQuoted && s[a] === QUOTE) {
    if (b - a < 2 || s[b - 1] !== QUOTE) {
      return `missing closing quote for quoted field value ${decodeRange(s, a, b)}`;
    }
    // Agents sometimes send numbers as strings.
    return parseBestEffort(s, a + 1, b - 1);
  }
  const last = s[b - 1];
  if (last === 0x69) return parseInt64Value(s, a, b - 1); // 'i'
  if (last === 0x75) return parseUint64Value(s, a, b - 1); // 'u'
  switch (b - a) {
    case 1: {
      const c = s[a];
      if (c === 0x74 || c === 0x54) return 1; // t T
      if (c === 0x66 || c === 0x46) return 0; // f F
      break;
    }
    case 4:
      if (isBoolWord(a, b, "true")) return 1;
      break;
    case 5:
      if (isBoolWord(a, b, "false")) return 0;
      break;
  }
  return parseBestEffort(s, a, b);
}
