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
 * Bytes to bytes: {@linkcode PromLineScanner} finds the parts of each line
 * on the request bytes (every separator is ASCII). A series' labels depend
 * only on the bytes up to the end of its label set (the label-cache key of
 * series_writer.ts), so a cache hit decodes nothing; the scraper uses the
 * same scanner with its own label handling (promscrape/scrape_process.ts).
 *
 * @module
 */

import { decodeRange } from "../_shared/bytes.ts";
import { parseFastFloat } from "../_shared/go_float.ts";
import { HASH_SEED, hashBytes } from "../_shared/label_cache.ts";
import { LabelEncoder } from "../_shared/label_encoder.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";

export interface PromTextOptions {
  /** Timestamp (ms) for samples without one or with timestamp 0. */
  readonly defaultTimestampMs: number;
  /** When false every sample gets `defaultTimestampMs` (scrape `honor_timestamps: false`). Default true. */
  readonly honorTimestamps?: boolean;
  /** Called for each rejected line. */
  readonly invalidLine: (reason: string, line: string) => void;
}

const enum C {
  Tab = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Hash = 0x23,
  Comma = 0x2c,
  Eq = 0x3d,
  Backslash = 0x5c,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

const MAX_INT64_MS = 9.2e18;

function isBlank(c: number): boolean {
  return c === C.Space || c === C.Tab;
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Go's unescapeValue for a label value (`\\`, `\"`, `\n`; any other `\x` is kept). */
function unescape(s: string): string {
  let i = s.indexOf("\\");
  if (i < 0) return s;
  let out = "";
  let from = 0;
  while (i >= 0) {
    out += s.slice(from, i);
    if (i + 1 >= s.length) return out + "\\";
    const c = s.charCodeAt(i + 1);
    if (c === C.Backslash) out += "\\";
    else if (c === C.Quote) out += '"';
    else if (c === 0x6e) out += "\n";
    else out += s.slice(i, i + 2);
    from = i + 2;
    i = s.indexOf("\\", from);
  }
  return out + s.slice(from);
}

/**
 * Walks the sample lines of a text exposition body. After next() returns
 * true, the fields describe the current line: byte ranges into `src`, the
 * value and the timestamp (0 when the line has none). Ranges are valid until
 * the next reset(); strings are made only on request (metricName(),
 * labelName(), labelValue()).
 */
export class PromLineScanner {
  src: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  /** The current line: `[lineStart, lineEnd)`, its metric name `[lineStart, metricEnd)`, its series key `[lineStart, keyEnd)`. */
  lineStart = 0;
  lineEnd = 0;
  metricEnd = 0;
  keyEnd = 0;
  /** Labels with a non-empty name: name `[nameStart[i], nameEnd[i])`, value `[valueStart[i], valueEnd[i])` (escaped). */
  nLabels = 0;
  nameStart = new Int32Array(16);
  nameEnd = new Int32Array(16);
  valueStart = new Int32Array(16);
  valueEnd = new Int32Array(16);
  /** Whether any label value of the line has a backslash (labelValue() unescapes). */
  escaped = false;
  value = 0;
  timestamp = 0;
  /** Starts on `src[from, to)` (whole lines). */
  reset(src: Uint8Array, from = 0, to = src.length): void {
    this.src = src;
    this.#pos = from;
    this.#end = to;
  }

  /** Moves to the next sample line; invalid lines go to `invalidLine` and are skipped. False at the end. */
  next(invalidLine: (reason: string, line: string) => void): boolean {
    const s = this.src;
    const len = this.#end;
    while (this.#pos < len) {
      let nl = s.indexOf(C.LF, this.#pos);
      if (nl < 0 || nl > len) nl = len;
      let end = nl;
      let start = this.#pos;
      this.#pos = nl + 1;
      if (end > start && s[end - 1] === C.CR) end--;
      while (start < end && isBlank(s[start]!)) start++;
      if (start === end || s[start] === C.Hash) continue;
      const err = this.#parseLine(start, end);
      if (err !== "") {
        invalidLine(err, decodeRange(s, start, end));
        continue;
      }
      return true;
    }
    return false;
  }

  metricName(): string {
    return decodeRange(this.src, this.lineStart, this.metricEnd);
  }

  labelName(i: number): string {
    return decodeRange(this.src, this.nameStart[i]!, this.nameEnd[i]!);
  }

  labelValue(i: number): string {
    const v = decodeRange(this.src, this.valueStart[i]!, this.valueEnd[i]!);
    return this.escaped ? unescape(v) : v;
  }

  #quoted(a: number, b: number): string {
    return JSON.stringify(decodeRange(this.src, a, b));
  }

  /** Parses the line `src[start, end)` (non-empty, not a comment); returns "" or the reason it is invalid. */
  #parseLine(start: number, end: number): string {
    const s = this.src;
    this.nLabels = 0;
    this.escaped = false;
    this.lineStart = start;
    this.lineEnd = end;
    let p = start;
    // Every scan below stays within the line, so a body of many lines is parsed in linear time.
    let brace = start;
    while (brace < end && s[brace] !== C.LBrace) brace++;
    if (brace < end) {
      let metricEnd = brace;
      while (metricEnd > start && isBlank(s[metricEnd - 1]!)) metricEnd--;
      this.metricEnd = metricEnd;
      p = brace + 1;
      for (;;) {
        while (p < end && isBlank(s[p]!)) p++;
        if (p < end && s[p] === C.RBrace) {
          p++;
          break;
        }
        let eq = p;
        while (eq < end && s[eq] !== C.Eq) eq++;
        if (eq >= end) return `cannot unmarshal tags: missing value for tag ${this.#quoted(p, end)}`;
        let keyEnd = eq;
        while (keyEnd > p && isBlank(s[keyEnd - 1]!)) keyEnd--;
        const keyStart = p;
        p = eq + 1;
        while (p < end && isBlank(s[p]!)) p++;
        if (p >= end || s[p] !== C.Quote) {
          return `cannot unmarshal tags: expecting quoted value for tag ${this.#quoted(keyStart, keyEnd)}`;
        }
        const vStart = p + 1;
        // The closing quote is the first one not escaped by a backslash.
        let q = vStart;
        let esc = false;
        for (;;) {
          while (q < end && s[q] !== C.Quote && s[q] !== C.Backslash) q++;
          if (q >= end) return `cannot unmarshal tags: missing closing quote for tag value ${this.#quoted(p, end)}`;
          if (s[q] === C.Quote) break;
          esc = true;
          q += 2;
          if (q > end) return `cannot unmarshal tags: missing closing quote for tag value ${this.#quoted(p, end)}`;
        }
        const vEnd = q;
        p = vEnd + 1;
        if (keyEnd > keyStart) {
          if (esc) this.escaped = true;
          const n = this.nLabels++;
          if (n === this.nameStart.length) {
            this.nameStart = grow(this.nameStart);
            this.nameEnd = grow(this.nameEnd);
            this.valueStart = grow(this.valueStart);
            this.valueEnd = grow(this.valueEnd);
          }
          this.nameStart[n] = keyStart;
          this.nameEnd[n] = keyEnd;
          this.valueStart[n] = vStart;
          this.valueEnd[n] = vEnd;
        }
        while (p < end && isBlank(s[p]!)) p++;
        if (p < end && s[p] === C.RBrace) {
          p++;
          break;
        }
        if (p >= end || s[p] !== C.Comma) {
          const last = this.nLabels > 0 ? this.labelName(this.nLabels - 1) : "";
          return `cannot unmarshal tags: missing comma after tag ${last}`;
        }
        p++;
      }
      this.keyEnd = p;
      if (p < end && s[p] === C.Space) p++;
    } else {
      let n = p;
      while (n < end && !isBlank(s[n]!)) n++;
      if (n >= end) return "missing value";
      this.metricEnd = n;
      this.keyEnd = n;
      p = n + 1;
    }
    if (this.metricEnd === start) return "metric cannot be empty";
    while (p < end && isBlank(s[p]!)) p++;
    let vEnd = p;
    while (vEnd < end && s[vEnd] !== C.Hash) vEnd++;
    if (p >= vEnd) return "value cannot be empty";
    let n = p;
    while (n < vEnd && !isBlank(s[n]!)) n++;
    this.timestamp = 0;
    if (n >= vEnd) {
      const v = parseFastFloat(s, p, vEnd);
      if (v === undefined) return `cannot parse value ${this.#quoted(p, vEnd)}`;
      this.value = v;
      return "";
    }
    const v = parseFastFloat(s, p, n);
    if (v === undefined) return `cannot parse value ${this.#quoted(p, n)}`;
    this.value = v;
    let t0 = n + 1;
    while (t0 < vEnd && isBlank(s[t0]!)) t0++;
    if (t0 >= vEnd) return "";
    let t1 = vEnd;
    while (t1 > t0 && isBlank(s[t1 - 1]!)) t1--;
    let ts = parseFastFloat(s, t0, t1);
    if (ts === undefined) return `cannot parse timestamp ${this.#quoted(t0, t1)}`;
    // OpenMetrics timestamps are seconds; a value that small cannot be a ms timestamp of interest.
    if (ts >= -2147483648 && ts < 2147483648) ts *= 1000;
    // Go's int64(NaN/±Inf/huge) yields MinInt64, which no storage accepts; reject it here.
    if (!(ts > -MAX_INT64_MS && ts < MAX_INT64_MS)) return `timestamp out of range: ${decodeRange(s, t0, t1)}`;
    this.timestamp = Math.trunc(ts);
    return "";
  }
}

const scanner = new PromLineScanner();
/** The current line's labels but the name, encoded (the bytes-to-bytes path). */
const labelEnc = new LabelEncoder();

/**
 * Parses a text exposition body into `w`, one series per sample with
 * `__name__` first. Returns the number of samples written. Never throws on
 * bad input: bad lines go to `opts.invalidLine`.
 */
export function parsePromText(body: Uint8Array, w: SeriesWriter, opts: PromTextOptions): number {
  const sc = scanner;
  sc.reset(body);
  w.setContext("prometheus");
  const honor = opts.honorTimestamps !== false;
  const defTs = opts.defaultTimestampMs;
  let rows = 0;
  const verbatim = w.verbatim;
  while (sc.next(opts.invalidLine)) {
    const ts = !honor || sc.timestamp === 0 ? defTs : sc.timestamp;
    rows++;
    if (verbatim && !sc.escaped) {
      // Labels as the request spells them: bytes to bytes, no cache.
      const enc = labelEnc;
      enc.reset();
      for (let i = 0; i < sc.nLabels; i++) {
        enc.addRanges(body, sc.nameStart[i]!, sc.nameEnd[i]!, body, sc.valueStart[i]!, sc.valueEnd[i]!);
      }
      w.writeNamed(body, sc.lineStart, sc.metricEnd, enc, sc.value, ts);
      continue;
    }
    const a = sc.lineStart;
    const b = sc.keyEnd;
    const h = hashBytes(body, a, b, HASH_SEED);
    let id = w.find(h, body, a, b);
    if (id < 0) {
      w.begin();
      w.label("__name__", sc.metricName());
      for (let i = 0; i < sc.nLabels; i++) w.label(sc.labelName(i), sc.labelValue(i));
      id = w.store(h, body, a, b);
    }
    w.writeSample(id, sc.value, ts);
  }
  sc.reset(EMPTY);
  return rows;
}

const EMPTY = new Uint8Array(0);
