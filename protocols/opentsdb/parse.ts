/**
 * OpenTSDB telnet `put` parser, as vmagent v1.79.5 reads it
 * (lib/protoparser/opentsdb/parser.go, streamparser.go):
 *
 *     put <metric> <timestamp> <value> [<tagk>=<tagv> …]
 *
 * - Lines end at `\n`; one trailing `\r` is dropped; empty lines are skipped.
 * - Leading spaces are skipped, then `put ` is required. Fields are separated
 *   by one or more spaces (only spaces: a tab is part of the field).
 * - Tags are optional (OpenTSDB requires one; vmagent does not). A tag
 *   without `=` makes the whole line invalid; the value is split at the first
 *   `=`; tags with an empty key or value are dropped.
 * - Timestamp and value use fastfloat rules (see go_float.ts); the timestamp
 *   is truncated to whole seconds like Go's int64() (no millisecond detection
 *   in v1.79.5); 0 means the current second; then ×1000 and
 *   `-opentsdbTrimTimestamp` when it is above 1s.
 *
 * @module
 */

import { goInt64, mulInt64, parseFastFloat } from "../_shared/go_float.ts";
import type { ParseContext } from "../_shared/protocol.ts";

export interface OpenTSDBOptions {
  /** `-opentsdbTrimTimestamp` in ms; only values above 1000 have an effect. */
  readonly trimTimestampMs: number;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

const SP = 0x20;
const EQ = 0x3d;

/**
 * Parses a block of telnet `put` lines from `body` into `ctx.w`; bad lines
 * are reported through `ctx.invalidLine` and skipped. Never throws for bad
 * input.
 */
export function parseOpenTSDB(body: Uint8Array, ctx: ParseContext, opts: OpenTSDBOptions): void {
  const text = decoder.decode(body);
  const nowSec = Math.floor(ctx.nowMs / 1000);
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let end = text.indexOf("\n", pos);
    const next = end < 0 ? len : end + 1;
    if (end < 0) end = len;
    if (end > pos && text.charCodeAt(end - 1) === 0x0d) end--;
    if (end > pos) parseLine(text, pos, end, ctx, opts, nowSec);
    pos = next;
  }
}

function skipSpaces(s: string, i: number, b: number): number {
  while (i < b && s.charCodeAt(i) === SP) i++;
  return i;
}

function nextSpace(s: string, i: number, b: number): number {
  while (i < b && s.charCodeAt(i) !== SP) i++;
  return i;
}

function parseLine(s: string, a: number, b: number, ctx: ParseContext, opts: OpenTSDBOptions, nowSec: number): void {
  let i = skipSpaces(s, a, b);
  if (!s.startsWith("put ", i) || i + 4 > b) return invalid(ctx, "missing `put ` prefix", s, a, b);
  i = skipSpaces(s, i + 4, b);
  const me = nextSpace(s, i, b);
  if (me >= b) return invalid(ctx, "cannot find whitespace between metric and timestamp", s, a, b);
  if (me === i) return invalid(ctx, "metric cannot be empty", s, a, b);
  const t = skipSpaces(s, me + 1, b);
  const te = nextSpace(s, t, b);
  if (te >= b) return invalid(ctx, "cannot find whitespace between timestamp and value", s, a, b);
  const tf = parseFastFloat(s, t, te);
  if (tf === undefined) return invalid(ctx, `cannot parse timestamp from ${JSON.stringify(s.slice(t, te))}`, s, a, b);
  const v = skipSpaces(s, te + 1, b);
  const ve = nextSpace(s, v, b);
  const value = parseFastFloat(s, v, ve);
  if (value === undefined) return invalid(ctx, `cannot parse value from ${JSON.stringify(s.slice(v, ve))}`, s, a, b);

  const w = ctx.w;
  // begin() resets the series, so a line rejected below for a bad tag leaves nothing behind.
  w.begin();
  w.label("__name__", s.slice(i, me));
  let p = ve + 1;
  while (p < b) {
    p = skipSpaces(s, p, b);
    if (p >= b) break;
    let e = p;
    let eq = -1;
    for (; e < b; e++) {
      const c = s.charCodeAt(e);
      if (c === SP) break;
      if (c === EQ && eq < 0) eq = e;
    }
    if (eq < 0) return invalid(ctx, `missing tag value for ${JSON.stringify(s.slice(p, e))}`, s, a, b);
    if (eq > p && eq + 1 < e) w.label(s.slice(p, eq), s.slice(eq + 1, e));
    p = e + 1;
  }

  let ts = goInt64(tf);
  if (ts === 0) ts = nowSec;
  ts = mulInt64(ts, 1000);
  const trim = opts.trimTimestampMs;
  if (trim > 1000) ts -= ts % trim;
  w.sample(value, ts);
  w.end();
}

function invalid(ctx: ParseContext, reason: string, s: string, a: number, b: number): void {
  ctx.invalidLine(reason, s.slice(a, b));
}
