/**
 * Prometheus text exposition (and OpenMetrics) → series, with vmagent
 * v1.79.5's exact line rules (lib/protoparser/prometheus/parser.go). Used by
 * `/api/v1/import/prometheus` and meant for the scraper too.
 *
 * Per line (split at `\n`, one trailing `\r` dropped, leading spaces/tabs
 * skipped; empty and `#` lines skipped):
 * - if the line contains `{` anywhere, the metric name is what precedes the
 *   first `{` (trailing blanks trimmed) and a label set follows; otherwise the
 *   name runs to the first space/tab. The name is not validated;
 * - labels `name="value"` separated by `,` (trailing `,` allowed, blanks
 *   around tokens allowed); an empty name drops the pair; value escapes
 *   `\\`, `\"`, `\n` (any other `\x` is kept verbatim);
 * - everything from the first `#` after the labels is dropped (exemplars);
 * - value, then an optional timestamp: both fastfloat numbers; a timestamp
 *   in [-2^31, 2^31) is seconds (×1000), anything else ms, truncated toward
 *   zero; extra fields after the timestamp reject the line;
 * - a missing or zero timestamp takes the default timestamp.
 *
 * Quirk kept for compatibility: `m 1 # {a="b"} 2` has a `{` so it reads as
 * metric `m 1 #` with label a="b" and value 2, exactly as vmagent does.
 *
 * Hot path: one TextDecoder call per body, then charCode scanning with no
 * per-line allocation besides the name/label substrings the writer needs.
 *
 * @module
 */

import { parseFastFloat } from "../_shared/go_float.ts";
import type { SeriesSink } from "../_shared/series_writer.ts";

export interface PromTextOptions {
  /** Timestamp (ms) for samples without one or with timestamp 0. */
  readonly defaultTimestampMs: number;
  /** When false every sample gets `defaultTimestampMs` (scrape `honor_timestamps: false`). Default true. */
  readonly honorTimestamps?: boolean;
  /** Called for each rejected line. */
  readonly invalidLine: (reason: string, line: string) => void;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

const enum C {
  Tab = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Hash = 0x23,
  Comma = 0x2c,
  Backslash = 0x5c,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

const MAX_INT64_MS = 9.2e18;

/*
 * Next-occurrence caches for characters searched with native indexOf. The
 * search position only moves forward within a body, so each cache scans the
 * body at most once even when a line lacks the character (no quadratic
 * blow-up on adversarial input). Reset per body.
 */
let braceAt = -1;
let eqAt = -1;
let quoteAt = -1;
let hashAt = -1;
let backslashAt = -1;

function next(s: string, ch: string, at: number, p: number): number {
  if (at >= p) return at;
  const i = s.indexOf(ch, p);
  return i < 0 ? s.length : i;
}

/** Scratch label storage for the current line. */
const labelNames: string[] = [];
const labelValues: string[] = [];
let nLabels = 0;

function isBlank(c: number): boolean {
  return c === C.Space || c === C.Tab;
}

function skipBlanks(s: string, p: number, end: number): number {
  while (p < end && isBlank(s.charCodeAt(p))) p++;
  return p;
}

function nextBlank(s: string, p: number, end: number): number {
  for (; p < end; p++) if (isBlank(s.charCodeAt(p))) return p;
  return -1;
}

/** Go's unescapeValue for a label value with at least one backslash. */
function unescape(s: string, start: number, end: number): string {
  let out = "";
  let from = start;
  let i = s.indexOf("\\", start);
  while (i >= 0 && i < end) {
    out += s.slice(from, i);
    if (i + 1 >= end) {
      out += "\\";
      return out;
    }
    const c = s.charCodeAt(i + 1);
    if (c === C.Backslash) out += "\\";
    else if (c === C.Quote) out += '"';
    else if (c === 0x6e) out += "\n";
    else out += s.slice(i, i + 2);
    from = i + 2;
    i = s.indexOf("\\", from);
  }
  return out + s.slice(from, end);
}

/** Parsed metric name end, value and timestamp of the current line. */
let metricEnd = 0;
let value = 0;
let timestamp = 0;

/**
 * Parses the line `s[start, end)` (non-empty, not a comment) into the label
 * scratch and value/timestamp; returns "" or the reason it is invalid.
 * `timestamp` is 0 when the line has none.
 */
function parseLine(s: string, start: number, end: number, names: string[], values: string[]): string {
  nLabels = 0;
  let p = start;
  braceAt = next(s, "{", braceAt, p);
  if (braceAt < end) {
    metricEnd = braceAt;
    while (metricEnd > start && isBlank(s.charCodeAt(metricEnd - 1))) metricEnd--;
    p = braceAt + 1;
    for (;;) {
      p = skipBlanks(s, p, end);
      if (p < end && s.charCodeAt(p) === C.RBrace) {
        p++;
        break;
      }
      eqAt = next(s, "=", eqAt, p);
      if (eqAt >= end) return `cannot unmarshal tags: missing value for tag ${JSON.stringify(s.slice(p, end))}`;
      let keyEnd = eqAt;
      while (keyEnd > p && isBlank(s.charCodeAt(keyEnd - 1))) keyEnd--;
      const keyStart = p;
      p = skipBlanks(s, eqAt + 1, end);
      if (p >= end || s.charCodeAt(p) !== C.Quote) {
        return `cannot unmarshal tags: expecting quoted value for tag ${JSON.stringify(s.slice(keyStart, keyEnd))}`;
      }
      const vStart = p + 1;
      // The closing quote is the first one preceded by an even number of backslashes.
      let q = vStart;
      for (;;) {
        quoteAt = next(s, '"', quoteAt, q);
        if (quoteAt >= end) return `cannot unmarshal tags: missing closing quote for tag value ${JSON.stringify(s.slice(p, end))}`;
        let b = quoteAt;
        while (b > vStart && s.charCodeAt(b - 1) === C.Backslash) b--;
        if ((quoteAt - b) % 2 === 0) break;
        q = quoteAt + 1;
      }
      const vEnd = quoteAt;
      p = vEnd + 1;
      if (keyEnd > keyStart) {
        backslashAt = next(s, "\\", backslashAt, vStart);
        names[nLabels] = s.slice(keyStart, keyEnd);
        values[nLabels++] = backslashAt < vEnd ? unescape(s, vStart, vEnd) : s.slice(vStart, vEnd);
      }
      p = skipBlanks(s, p, end);
      if (p < end && s.charCodeAt(p) === C.RBrace) {
        p++;
        break;
      }
      if (p >= end || s.charCodeAt(p) !== C.Comma) return `cannot unmarshal tags: missing comma after tag ${names[nLabels - 1] ?? ""}`;
      p++;
    }
    if (p < end && s.charCodeAt(p) === C.Space) p++;
  } else {
    const n = nextBlank(s, p, end);
    if (n < 0) return "missing value";
    metricEnd = n;
    p = n + 1;
  }
  if (metricEnd === start) return "metric cannot be empty";
  p = skipBlanks(s, p, end);
  hashAt = next(s, "#", hashAt, p);
  const vEnd = hashAt < end ? hashAt : end;
  if (p >= vEnd) return "value cannot be empty";
  const n = nextBlank(s, p, vEnd);
  timestamp = 0;
  if (n < 0) {
    const v = parseFastFloat(s, p, vEnd);
    if (v === undefined) return `cannot parse value ${JSON.stringify(s.slice(p, vEnd))}`;
    value = v;
    return "";
  }
  const v = parseFastFloat(s, p, n);
  if (v === undefined) return `cannot parse value ${JSON.stringify(s.slice(p, n))}`;
  value = v;
  const t0 = skipBlanks(s, n + 1, vEnd);
  if (t0 >= vEnd) return "";
  let t1 = vEnd;
  while (t1 > t0 && isBlank(s.charCodeAt(t1 - 1))) t1--;
  let ts = parseFastFloat(s, t0, t1);
  if (ts === undefined) return `cannot parse timestamp ${JSON.stringify(s.slice(t0, t1))}`;
  // OpenMetrics timestamps are seconds; a value that small cannot be a ms timestamp of interest.
  if (ts >= -2147483648 && ts < 2147483648) ts *= 1000;
  // Go's int64(NaN/±Inf/huge) yields MinInt64, which no storage accepts; reject it here.
  if (!(ts > -MAX_INT64_MS && ts < MAX_INT64_MS)) return `timestamp out of range: ${s.slice(t0, t1)}`;
  timestamp = Math.trunc(ts);
  return "";
}

/**
 * Parses a text exposition body into `w`, one series per sample with
 * `__name__` first. Returns the number of samples written. Never throws on
 * bad input: bad lines go to `opts.invalidLine`.
 */
export function parsePromText(body: Uint8Array | string, w: SeriesSink, opts: PromTextOptions): number {
  const s = typeof body === "string" ? body : decoder.decode(body);
  const len = s.length;
  const honor = opts.honorTimestamps !== false;
  const defTs = opts.defaultTimestampMs;
  braceAt = eqAt = quoteAt = hashAt = backslashAt = -1;
  let rows = 0;
  let pos = 0;
  while (pos < len) {
    let nl = s.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let end = nl;
    let start = pos;
    pos = nl + 1;
    if (end > start && s.charCodeAt(end - 1) === C.CR) end--;
    start = skipBlanks(s, start, end);
    if (start === end || s.charCodeAt(start) === C.Hash) continue;
    const err = parseLine(s, start, end, labelNames, labelValues);
    if (err !== "") {
      opts.invalidLine(err, s.slice(start, end));
      continue;
    }
    w.begin();
    w.label("__name__", s.slice(start, metricEnd));
    for (let i = 0; i < nLabels; i++) w.label(labelNames[i]!, labelValues[i]!);
    w.sample(value, !honor || timestamp === 0 ? defTs : timestamp);
    w.end();
    rows++;
  }
  return rows;
}
