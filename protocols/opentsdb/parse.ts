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

import { decodeRange } from "../_shared/bytes.ts";
import { goInt64, mulInt64, parseFastFloat } from "../_shared/go_float.ts";
import { HASH_SEED, hashBytes } from "../_shared/label_cache.ts";
import { LabelEncoder } from "../_shared/label_encoder.ts";
import { lineEnd, nextLine, tokenEnd, tokenEq } from "../_shared/lines.ts";
import type { ParseContext } from "../_shared/protocol.ts";

export interface OpenTSDBOptions {
  /** `-opentsdbTrimTimestamp` in ms; only values above 1000 have an effect. */
  readonly trimTimestampMs: number;
}

const SP = 0x20;
/** `put ` */
const PUT = [0x70, 0x75, 0x74, 0x20];

/**
 * Parses a block of telnet `put` lines from `body` into `ctx.w`; bad lines
 * are reported through `ctx.invalidLine` and skipped. Never throws for bad
 * input.
 *
 * Bytes to bytes: a series' labels depend only on the metric and the tags
 * part of the line, the two ranges of its label-cache key
 * (series_writer.ts); only a cache miss decodes them.
 */
export function parseOpenTSDB(body: Uint8Array, ctx: ParseContext, opts: OpenTSDBOptions): void {
  const nowSec = Math.floor(ctx.nowMs / 1000);
  ctx.w.setContext("opentsdb");
  for (let pos = 0; pos < body.length; pos = nextLine) {
    const end = lineEnd(body, pos, body.length);
    if (end > pos) parseLine(body, pos, end, ctx, opts, nowSec);
  }
}

function skipSpaces(s: Uint8Array, i: number, b: number): number {
  while (i < b && s[i] === SP) i++;
  return i;
}

function nextSpace(s: Uint8Array, i: number, b: number): number {
  while (i < b && s[i] !== SP) i++;
  return i;
}

function startsWithPut(s: Uint8Array, i: number, b: number): boolean {
  return i + 4 <= b && s[i] === PUT[0] && s[i + 1] === PUT[1] && s[i + 2] === PUT[2] && s[i + 3] === PUT[3];
}

function parseLine(
  s: Uint8Array,
  a: number,
  b: number,
  ctx: ParseContext,
  opts: OpenTSDBOptions,
  nowSec: number,
): void {
  let i = skipSpaces(s, a, b);
  if (!startsWithPut(s, i, b)) return invalid(ctx, "missing `put ` prefix", s, a, b);
  i = skipSpaces(s, i + 4, b);
  const me = nextSpace(s, i, b);
  if (me >= b) return invalid(ctx, "cannot find whitespace between metric and timestamp", s, a, b);
  if (me === i) return invalid(ctx, "metric cannot be empty", s, a, b);
  const t = skipSpaces(s, me + 1, b);
  const te = nextSpace(s, t, b);
  if (te >= b) return invalid(ctx, "cannot find whitespace between timestamp and value", s, a, b);
  const tf = parseFastFloat(s, t, te);
  if (tf === undefined) {
    return invalid(ctx, `cannot parse timestamp from ${JSON.stringify(decodeRange(s, t, te))}`, s, a, b);
  }
  const v = skipSpaces(s, te + 1, b);
  const ve = nextSpace(s, v, b);
  const value = parseFastFloat(s, v, ve);
  if (value === undefined) {
    return invalid(ctx, `cannot parse value from ${JSON.stringify(decodeRange(s, v, ve))}`, s, a, b);
  }

  const w = ctx.w;
  const tagsStart = Math.min(ve + 1, b);
  let ts = goInt64(tf);
  if (ts === 0) ts = nowSec;
  ts = mulInt64(ts, 1000);
  const trim = opts.trimTimestampMs;
  if (trim > 1000) ts -= ts % trim;
  if (w.verbatim) {
    // Labels as the line spells them: bytes to bytes, no cache (see influx/parse.ts emitDirect).
    tagEnc.reset();
    const err = addLabels(s, i, me, tagsStart, b, ctx, true);
    if (err !== null) return invalid(ctx, err, s, a, b);
    w.writeNamed(s, i, me, tagEnc, value, ts);
    return;
  }
  const h = hashBytes(s, tagsStart, b, hashBytes(s, i, me, HASH_SEED) ^ 0x2f);
  let id = w.find(h, s, i, me, tagsStart, b);
  if (id < 0) {
    w.begin();
    const err = addLabels(s, i, me, tagsStart, b, ctx, false);
    if (err !== null) return invalid(ctx, err, s, a, b);
    id = w.store(h, s, i, me, tagsStart, b);
  }
  w.writeSample(id, value, ts);
}

/** The current line's tags, encoded (the bytes-to-bytes path). */
const tagEnc = new LabelEncoder();

/**
 * The labels of a line, the metric `s[i, me)` and the tags in `s[p, b)`:
 * the tags encoded from their bytes into `tagEnc` (`direct`; the caller
 * writes the name), or all labels as strings to the writer (a label-cache
 * miss). Returns an error for a tag without `=` (the whole line
 * is then invalid: the caller drops what was added).
 */
function addLabels(
  s: Uint8Array,
  i: number,
  me: number,
  p: number,
  b: number,
  ctx: ParseContext,
  direct: boolean,
): string | null {
  const w = ctx.w;
  if (!direct) w.label("__name__", decodeRange(s, i, me));
  while (p < b) {
    p = skipSpaces(s, p, b);
    if (p >= b) break;
    const e = tokenEnd(s, p, b, SP);
    const eq = tokenEq;
    if (eq < 0) return `missing tag value for ${JSON.stringify(decodeRange(s, p, e))}`;
    if (eq > p && eq + 1 < e) {
      if (direct) tagEnc.addRanges(s, p, eq, s, eq + 1, e);
      else w.label(decodeRange(s, p, eq), decodeRange(s, eq + 1, e));
    }
    p = e + 1;
  }
  return null;
}

function invalid(ctx: ParseContext, reason: string, s: Uint8Array, a: number, b: number): void {
  ctx.invalidLine(reason, decodeRange(s, a, b));
}
