/**
 * JSON lines of `/api/v1/import` (VictoriaMetrics export format) → series:
 * `{"metric":{"__name__":"m","k":"v"},"values":[…],"timestamps":[…]}` per
 * line.
 *
 * A hand scanner with valyala/fastjson's rules as vmagent uses them, run
 * once per line without building a value tree:
 * - the whole line must be one JSON value (whitespace around it allowed);
 *   strings are not validated (raw control characters pass; bad escapes are
 *   kept verbatim, `\uD83D\uDE00` pairs are joined);
 * - number tokens are runs of `0-9 . e E + -` or an optionally signed
 *   `inf`/`nan` (any case), checked by fastfloat (so `+1`, `.5`, `1.` fail);
 * - the first `metric`, `values`, `timestamps` keys win; a `metric` that is
 *   not an object, an empty object, empty or missing arrays, a value that is
 *   not a number, a timestamp that is not a strict int64, or arrays of
 *   different lengths reject the line;
 * - a non-string label value becomes "" (a fastjson/vmagent quirk);
 * - like later VictoriaMetrics (not v1.79.5), `null` and the strings
 *   "NaN", "Inf", "-Inf", "infinity", "null" (a few spellings) are accepted as
 *   values;
 * - lines longer than `-import.maxLineLen` (counted in UTF-16 units) are
 *   skipped as invalid (vmagent fails the rest of the request instead).
 *
 * @module
 */

import { parseFastFloatString } from "../_shared/go_float.ts";
import { parseInt64String } from "../_shared/go_int64.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import { unescapeJson } from "../_shared/json_unescape.ts";

export interface VmImportOptions {
  /** `-import.maxLineLen`. */
  readonly maxLineLen: number;
  /** Called for each rejected line. */
  readonly invalidLine: (reason: string, line: string) => void;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const MAX_DEPTH = 300;

const enum C {
  Tab = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  D0 = 0x30,
  D9 = 0x39,
  Colon = 0x3a,
  E = 0x45,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  e = 0x65,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

/* Scanner state for the current body. */
let s = "";
/** End of the current line. */
let end = 0;
/** Syntax error of the current line ("" = none). */
let jerr = "";
/** Next `"` at or after the last search (monotonic cache, see prometheus/parse.ts). */
let quoteAt = -1;
let backslashAt = -1;

/* Results of the current line. */
const labelNames: string[] = [];
const labelValues: string[] = [];
let nLabels = 0;
let values = new Float64Array(64);
let timestamps = new Float64Array(64);
let nValues = 0;
let nTimestamps = 0;
let metricSeen = 0; // 0 none, 1 object, 2 other type
let valuesSeen = false;
let timestampsSeen = false;
let valuesErr = "";
let timestampsErr = "";

function skipWS(p: number): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c !== C.Space && c !== C.Tab && c !== C.LF && c !== C.CR) break;
    p++;
  }
  return p;
}

function fail(msg: string): number {
  if (jerr === "") jerr = msg;
  return -1;
}

/** Position of the quote closing the string opened at `p`, or -1. */
function closingQuote(p: number): number {
  let q = p + 1;
  for (;;) {
    if (quoteAt < q) {
      quoteAt = s.indexOf('"', q);
      if (quoteAt < 0) quoteAt = s.length;
    }
    if (quoteAt >= end) return fail(`missing closing '"'`);
    let b = quoteAt;
    while (b > p + 1 && s.charCodeAt(b - 1) === C.Backslash) b--;
    if ((quoteAt - b) % 2 === 0) return quoteAt;
    q = quoteAt + 1;
  }
}

/** Bounds (inside the quotes) of the key read by the last objectKey(). */
let keyStart = 0;
let keyEnd = 0;

/** Reads `"key":` at `p`; returns the position of the member's value (whitespace skipped), or -1. */
function objectKey(p: number): number {
  if (p >= end || s.charCodeAt(p) !== C.Quote) return fail(`cannot find opening '"' for object key`);
  const q = closingQuote(p);
  if (q < 0) return -1;
  keyStart = p + 1;
  keyEnd = q;
  p = skipWS(q + 1);
  if (p >= end || s.charCodeAt(p) !== C.Colon) return fail("missing ':' after object key");
  return skipWS(p + 1);
}

/** Whether the last memberEnd() read the closing bracket rather than a comma. */
let closed = false;

/** After a member of an object (`obj`) or array: reads `,` or the closing `close`; returns the position after it, or -1. */
function memberEnd(p: number, close: number, obj: boolean): number {
  p = skipWS(p);
  if (p >= end) return fail(obj ? "unexpected end of object" : "unexpected end of array");
  const d = s.charCodeAt(p);
  closed = d === close;
  if (closed || d === C.Comma) return p + 1;
  return fail(obj ? "missing ',' after object value" : "missing ',' after array value");
}

/** The string between quotes at `[a, b)`, unescaped best-effort like fastjson. */
function stringAt(a: number, b: number): string {
  if (backslashAt < a) {
    backslashAt = s.indexOf("\\", a);
    if (backslashAt < 0) backslashAt = s.length;
  }
  if (backslashAt >= b) return s.slice(a, b);
  return unescapeJson(s, a, b, backslashAt);
}

function isNumberChar(c: number): boolean {
  return (c >= C.D0 && c <= C.D9) || c === C.Minus || c === C.Dot || c === C.e || c === C.E || c === C.Plus;
}

function equalFold3(p: number, w: string): boolean {
  if (p + 3 > end) return false;
  for (let i = 0; i < 3; i++) if ((s.charCodeAt(p + i) | 0x20) !== w.charCodeAt(i)) return false;
  return true;
}

/** End of the number token at `p` (fastjson parseRawNumber), or -1. */
function numberEnd(p: number): number {
  for (let i = p; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isNumberChar(c)) continue;
    const k = i - p;
    if (k === 0 || (k === 1 && (s.charCodeAt(p) === C.Minus || s.charCodeAt(p) === C.Plus))) {
      if (equalFold3(i, "inf") || equalFold3(i, "nan")) return i + 3;
      return fail(`cannot parse number: unexpected char: ${JSON.stringify(s[p])}`);
    }
    return i;
  }
  return end;
}

const enum T {
  Other = 0,
  Number,
  String,
  Null,
}
/** Type and bounds of the last scalar parsed by value(). */
let vType = T.Other;
let vStart = 0;
let vEnd = 0;

/** Parses any JSON value at `p` (after whitespace); returns the position after it or -1. */
function value(p: number, depth: number): number {
  if (p >= end) return fail("cannot parse empty string");
  if (depth > MAX_DEPTH) return fail(`too big depth for the nested JSON; it exceeds ${MAX_DEPTH}`);
  vType = T.Other;
  const c = s.charCodeAt(p);
  switch (c) {
    case C.LBrace:
    case C.LBracket: {
      const obj = c === C.LBrace;
      const close = obj ? C.RBrace : C.RBracket;
      p = skipWS(p + 1);
      if (p < end && s.charCodeAt(p) === close) return p + 1;
      for (;;) {
        p = skipWS(p);
        if (obj && (p = objectKey(p)) < 0) return -1;
        if ((p = value(p, depth + 1)) < 0 || (p = memberEnd(p, close, obj)) < 0) return -1;
        if (closed) {
          vType = T.Other;
          return p;
        }
      }
    }
    case C.Quote: {
      const q = closingQuote(p);
      if (q < 0) return -1;
      vType = T.String;
      vStart = p + 1;
      vEnd = q;
      return q + 1;
    }
    case 0x74: // t
      if (s.startsWith("true", p) && p + 4 <= end) return p + 4;
      return fail("unexpected value found");
    case 0x66: // f
      if (s.startsWith("false", p) && p + 5 <= end) return p + 5;
      return fail("unexpected value found");
    case 0x6e: // n
      if (s.startsWith("null", p) && p + 4 <= end) {
        vType = T.Null;
        return p + 4;
      }
      if (!equalFold3(p, "nan")) return fail("unexpected value found");
      vType = T.Number;
      vStart = p;
      vEnd = p + 3;
      return p + 3;
    default: {
      const e = numberEnd(p);
      if (e < 0) return -1;
      vType = T.Number;
      vStart = p;
      vEnd = e;
      return e;
    }
  }
}

/** HEAD VictoriaMetrics: special values given as strings. */
function specialFloat(str: string): number | undefined {
  const minus = str.startsWith("-");
  const t = minus ? str.slice(1) : str;
  switch (t) {
    case "infinity":
    case "Infinity":
    case "Inf":
    case "inf":
      return minus ? -Infinity : Infinity;
    case "null":
    case "Null":
    case "nan":
    case "NaN":
      return NaN;
    default:
      return undefined;
  }
}

/** The `metric` object: collects labels (a non-string value becomes ""). */
function metricObject(p: number, depth: number): number {
  p = skipWS(p + 1);
  if (p < end && s.charCodeAt(p) === C.RBrace) return p + 1;
  for (;;) {
    if ((p = objectKey(skipWS(p))) < 0) return -1;
    const name = stringAt(keyStart, keyEnd);
    if ((p = value(p, depth + 1)) < 0) return -1;
    labelNames[nLabels] = name;
    labelValues[nLabels++] = vType === T.String ? stringAt(vStart, vEnd) : "";
    if ((p = memberEnd(p, C.RBrace, true)) < 0 || closed) return p;
  }
}

/** A `values` (isValues) or `timestamps` array. */
function numberArray(p: number, depth: number, isValues: boolean): number {
  p = skipWS(p + 1);
  if (p < end && s.charCodeAt(p) === C.RBracket) return p + 1;
  let n = 0;
  for (;;) {
    p = value(skipWS(p), depth + 1);
    if (p < 0) return -1;
    if (isValues) {
      let v: number | undefined;
      if (vType === T.Number) v = parseFastFloatString(s.slice(vStart, vEnd));
      else if (vType === T.Null) v = NaN;
      else if (vType === T.String) v = specialFloat(stringAt(vStart, vEnd));
      if (v === undefined) {
        if (valuesErr === "") valuesErr = `cannot unmarshal value at position ${n}`;
      } else {
        if (n >= values.length) values = grow(values);
        values[n] = v;
      }
    } else {
      const t = vType === T.Number ? parseInt64String(s.slice(vStart, vEnd)) : undefined;
      if (t === undefined) {
        if (timestampsErr === "") timestampsErr = `cannot unmarshal timestamp at position ${n}`;
      } else {
        if (n >= timestamps.length) timestamps = grow(timestamps);
        timestamps[n] = t;
      }
    }
    n++;
    if (isValues) nValues = n;
    else nTimestamps = n;
    if ((p = memberEnd(p, C.RBracket, false)) < 0 || closed) return p;
  }
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Key at `[a, b)` equals `word`, escapes resolved. */
function keyIs(a: number, b: number, word: string): boolean {
  if (b - a === word.length && s.startsWith(word, a)) return true;
  return b - a > word.length && stringAt(a, b) === word;
}

/** Scans the line `[p, end)`; returns "" or why it is rejected. */
function line(p: number): string {
  jerr = "";
  nLabels = nValues = nTimestamps = 0;
  metricSeen = 0;
  valuesSeen = timestampsSeen = false;
  valuesErr = timestampsErr = "";
  p = skipWS(p);
  let q: number;
  if (p < end && s.charCodeAt(p) === C.LBrace) q = topObject(p);
  else q = value(p, 0);
  if (q < 0) return `cannot parse json line: ${jerr}`;
  q = skipWS(q);
  if (q < end) return `cannot parse json line: unexpected tail: ${JSON.stringify(s.slice(q, Math.min(end, q + 64)))}`;
  if (metricSeen !== 1) return "missing `metric` object";
  if (nLabels === 0) return "missing tags";
  if (!valuesSeen || nValues === 0) return "missing `values` array";
  if (valuesErr !== "") return valuesErr;
  if (!timestampsSeen || nTimestamps === 0) return "missing `timestamps` array";
  if (timestampsErr !== "") return timestampsErr;
  if (nTimestamps !== nValues) {
    return `\`timestamps\` array size must match \`values\` array size; got ${nTimestamps}; want ${nValues}`;
  }
  return "";
}

function topObject(p: number): number {
  p = skipWS(p + 1);
  if (p < end && s.charCodeAt(p) === C.RBrace) return p + 1;
  for (;;) {
    if ((p = objectKey(skipWS(p))) < 0) return -1;
    const k0 = keyStart;
    const q = keyEnd;
    const c = p < end ? s.charCodeAt(p) : 0;
    if (metricSeen === 0 && keyIs(k0, q, "metric")) {
      metricSeen = c === C.LBrace ? 1 : 2;
      p = c === C.LBrace ? metricObject(p, 1) : value(p, 1);
    } else if (!valuesSeen && keyIs(k0, q, "values")) {
      valuesSeen = c === C.LBracket;
      p = valuesSeen ? numberArray(p, 1, true) : value(p, 1);
    } else if (!timestampsSeen && keyIs(k0, q, "timestamps")) {
      timestampsSeen = c === C.LBracket;
      p = timestampsSeen ? numberArray(p, 1, false) : value(p, 1);
    } else p = value(p, 1);
    if (p < 0 || (p = memberEnd(p, C.RBrace, true)) < 0 || closed) return p;
  }
}

/**
 * Parses a body of JSON lines into `w`, one series per line. Returns the
 * number of samples written. Never throws on bad input.
 */
export function parseVmImport(body: Uint8Array | string, w: SeriesWriter, opts: VmImportOptions): number {
  s = typeof body === "string" ? body : decoder.decode(body);
  quoteAt = backslashAt = -1;
  const len = s.length;
  let rows = 0;
  let pos = 0;
  try {
    while (pos < len) {
      let nl = s.indexOf("\n", pos);
      if (nl < 0) nl = len;
      const start = pos;
      end = nl;
      pos = nl + 1;
      if (end > start && s.charCodeAt(end - 1) === C.CR) end--;
      if (end === start) continue;
      if (end - start > opts.maxLineLen) {
        opts.invalidLine(`the line length exceeds -import.maxLineLen=${opts.maxLineLen}`, s.slice(start, start + 200));
        continue;
      }
      const err = line(start);
      if (err !== "") {
        opts.invalidLine(err, s.slice(start, end));
        continue;
      }
      w.begin();
      for (let i = 0; i < nLabels; i++) w.label(labelNames[i]!, labelValues[i]!);
      for (let i = 0; i < nValues; i++) w.sample(values[i]!, timestamps[i]!);
      w.end();
      rows += nValues;
    }
  } finally {
    s = "";
  }
  return rows;
}
