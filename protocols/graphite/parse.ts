/**
 * Graphite plaintext protocol parser, as vmagent v1.79.5 reads it
 * (lib/protoparser/graphite/parser.go, streamparser.go):
 *
 *     path[;tag=value…] value [timestamp]
 *
 * - Lines end at `\n`; one trailing `\r` is dropped; empty lines are skipped.
 *   A line of blanks, or one starting with a blank, has an empty metric and is
 *   invalid (v1.79.5 does not trim leading blanks).
 * - The path ends at the first space or tab; further runs of spaces/tabs
 *   separate value and timestamp. Blanks after the timestamp are ignored, but
 *   a blank after a value without timestamp makes the line invalid (the empty
 *   timestamp does not parse), as in v1.79.5.
 * - Tags follow the first `;`, separated by `;`: `k=v` (value split at the
 *   first `=`); a tag without `=` or with an empty key or value is dropped.
 *   The metric name is the path verbatim.
 * - Value and timestamp use fastfloat rules (see go_float.ts); the timestamp
 *   is truncated to whole seconds like Go's int64(); missing, 0 or -1 means
 *   the current second; then ×1000 and `-graphiteTrimTimestamp` when it is
 *   above 1s.
 * - `-graphite.sanitizeMetricName` (vmagent v1.102.0+): runs of `.` collapse
 *   to one and characters outside `[a-zA-Z0-9:_.]` become `_`, in the metric
 *   name and in tag keys.
 *
 * @module
 */

import { decodeRange } from "../_shared/bytes.ts";
import { goInt64, mulInt64, parseFastFloat } from "../_shared/go_float.ts";
import { HASH_SEED, hashBytes } from "../_shared/label_cache.ts";
import { LabelEncoder } from "../_shared/label_encoder.ts";
import { lineEnd, nextLine, tokenEnd, tokenEq } from "../_shared/lines.ts";
import type { ParseContext } from "../_shared/protocol.ts";

export interface GraphiteOptions {
  /** `-graphiteTrimTimestamp` in ms; only values above 1000 have an effect. */
  readonly trimTimestampMs: number;
  /** `-graphite.sanitizeMetricName`. */
  readonly sanitizeMetricName: boolean;
}

const SP = 0x20;
const TAB = 0x09;
const SEMI = 0x3b;

function isBlank(c: number): boolean {
  return c === SP || c === TAB;
}

/**
 * Parses a block of Graphite lines from `body` into `ctx.w`; bad lines are
 * reported through `ctx.invalidLine` and skipped. Never throws for bad input.
 *
 * Bytes to bytes: a series' labels depend only on the path with its tags
 * (the bytes before the first blank), the label-cache key (series_writer.ts);
 * only a cache miss decodes them.
 */
export function parseGraphite(body: Uint8Array, ctx: ParseContext, opts: GraphiteOptions): void {
  const nowSec = Math.floor(ctx.nowMs / 1000);
  ctx.w.setContext(opts.sanitizeMetricName ? "graphite\u0000sanitize" : "graphite");
  for (let pos = 0; pos < body.length; pos = nextLine) {
    const end = lineEnd(body, pos, body.length);
    if (end > pos) parseLine(body, pos, end, ctx, opts, nowSec);
  }
}

function parseLine(
  s: Uint8Array,
  a: number,
  b: number,
  ctx: ParseContext,
  opts: GraphiteOptions,
  nowSec: number,
): void {
  // Path (with tags) up to the first blank; the metric ends at the first `;`.
  // Scans stay within the line so a body of many lines stays linear.
  let n = a;
  let metricEnd = -1;
  for (; n < b; n++) {
    const c = s[n]!;
    if (c === SP || c === TAB) break;
    if (c === SEMI && metricEnd < 0) metricEnd = n;
  }
  if (n >= b) return invalid(ctx, "cannot find separator between metric and value", s, a, b);
  if (metricEnd < 0) metricEnd = n;
  if (metricEnd === a) return invalid(ctx, "metric cannot be empty", s, a, b);

  // Value, then the optional timestamp.
  let v = n + 1;
  while (v < b && isBlank(s[v]!)) v++;
  let ve = v;
  while (ve < b && !isBlank(s[ve]!)) ve++;
  const value = parseFastFloat(s, v, ve);
  if (value === undefined) {
    return invalid(ctx, `cannot unmarshal value from ${JSON.stringify(decodeRange(s, v, ve))}`, s, a, b);
  }
  let ts = 0;
  if (ve < b) {
    let t = ve + 1;
    while (t < b && isBlank(s[t]!)) t++;
    let te = b;
    while (te > t && isBlank(s[te - 1]!)) te--;
    const f = parseFastFloat(s, t, te);
    if (f === undefined) {
      return invalid(ctx, `cannot unmarshal timestamp from ${JSON.stringify(decodeRange(s, t, te))}`, s, a, b);
    }
    ts = goInt64(f);
  }
  if (ts === 0 || ts === -1) ts = nowSec;
  ts = mulInt64(ts, 1000);
  const trim = opts.trimTimestampMs;
  if (trim > 1000) ts -= ts % trim;

  const w = ctx.w;
  if (w.verbatim && !opts.sanitizeMetricName) {
    // Labels as the line spells them: bytes to bytes, no cache (see influx/parse.ts emitDirect).
    tagEnc.reset();
    addLabels(s, a, metricEnd, n, ctx, opts, true);
    w.writeNamed(s, a, metricEnd, tagEnc, value, ts);
    return;
  }
  const h = hashBytes(s, a, n, HASH_SEED);
  let id = w.find(h, s, a, n);
  if (id < 0) {
    w.begin();
    addLabels(s, a, metricEnd, n, ctx, opts, false);
    id = w.store(h, s, a, n);
  }
  w.writeSample(id, value, ts);
}

/**
 * The labels of a line, the metric `s[a, metricEnd)` and the tags up to `n`:
 * the tags encoded from their bytes into `tagEnc` (`direct`; the caller
 * writes the name), or all labels as strings to the writer (a label-cache
 * miss).
 */
function addLabels(
  s: Uint8Array,
  a: number,
  metricEnd: number,
  n: number,
  ctx: ParseContext,
  opts: GraphiteOptions,
  direct: boolean,
): void {
  const w = ctx.w;
  const sanitize = opts.sanitizeMetricName;
  if (!direct) {
    const metric = decodeRange(s, a, metricEnd);
    w.label("__name__", sanitize ? sanitizeName(metric) : metric);
  }
  // Tags: `;`-separated k=v pairs between the metric and the first blank.
  let p = metricEnd;
  while (p < n) {
    const start = p + 1;
    const e = tokenEnd(s, start, n, SEMI);
    const eq = tokenEq;
    // Drop tags without `=` and tags with an empty key or value.
    if (eq > start && eq + 1 < e) {
      if (direct) {
        tagEnc.addRanges(s, start, eq, s, eq + 1, e);
      } else {
        const key = decodeRange(s, start, eq);
        w.label(sanitize ? sanitizeName(key) : key, decodeRange(s, eq + 1, e));
      }
    }
    p = e;
  }
}

/** The current line's tags, encoded (the bytes-to-bytes path). */
const tagEnc = new LabelEncoder();

function invalid(ctx: ParseContext, reason: string, s: Uint8Array, a: number, b: number): void {
  ctx.invalidLine(reason, decodeRange(s, a, b));
}

const NEEDS_SANITIZING = /\.\.|[^a-zA-Z0-9:_.]/;

/** `-graphite.sanitizeMetricName`: collapse runs of dots, then replace chars outside [a-zA-Z0-9:_.] with `_`. */
export function sanitizeName(s: string): string {
  if (!NEEDS_SANITIZING.test(s)) return s;
  return s.replace(/\.+/g, ".").replace(/[^a-zA-Z0-9:_.]/gu, "_");
}
