/**
 * OpenTSDB HTTP `/api/put` parser, as vmagent v1.79.5 reads it
 * (lib/protoparser/opentsdbhttp/parser.go, stream/streamparser.go):
 *
 *     {"metric": "m", "value": 1.5, "timestamp": 1700000000, "tags": {"k": "v"}}
 *
 * or an array of such objects.
 *
 * - A body that is not JSON (as fastjson reads it, see json_tape.ts) fails
 *   the request (HTTP 400) before anything is written. Valid JSON that is
 *   neither an object nor an array is one invalid row; the request succeeds.
 * - Per item (a bad item is counted and skipped, the rest kept): `metric`
 *   must be a non-empty string; `value` is required and `timestamp` optional,
 *   each a number or a string holding one (fastfloat rules, see go_float.ts);
 *   `tags`, when present, must be an object whose values are all strings
 *   (tags with an empty key or value are skipped). Duplicate keys: the first
 *   wins for the item fields, every duplicate tag is kept.
 * - Timestamp: Go int64() of the number; missing or 0 means the current
 *   second; a value with bits 32..62 clear (`ts & 0x7FFFFFFF00000000 == 0`,
 *   i.e. below 2^32 for positive values) is seconds and ×1000, anything else
 *   is milliseconds; then `-opentsdbhttpTrimTimestamp`.
 *
 * @module
 */

import { goInt64, mulInt64, parseFastFloatString } from "../_shared/go_float.ts";
import { type ParseContext, ParseError, trimTimestamp } from "../_shared/protocol.ts";
import { JsonSyntaxError, JsonTape, Kind } from "./json_tape.ts";

export interface OpenTSDBHTTPOptions {
  /** `-opentsdbhttpTrimTimestamp` in ms. */
  readonly trimTimestampMs: number;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
/** One tape per parse worker, reused across requests. */
const tape = new JsonTape();

const TWO_32 = 4294967296;
/** -2^63 + 2^32: negative int64s below this have bits 32..62 clear. */
const NEG_SECONDS_LIMIT = -9223372032559808512;

/** Parses one /api/put body into `ctx.w`. Throws ParseError (before writing anything) for a body that is not JSON. */
export function parseOpenTSDBHTTP(body: Uint8Array, ctx: ParseContext, opts: OpenTSDBHTTPOptions): void {
  try {
    tape.parse(decoder.decode(body));
  } catch (err: unknown) {
    if (err instanceof JsonSyntaxError) throw new ParseError(`cannot parse HTTP OpenTSDB json: ${err.message}`);
    throw err;
  }
  const nowSec = Math.floor(ctx.nowMs / 1000);
  switch (tape.kind[0]) {
    case Kind.Object:
      row(0, ctx, opts, nowSec);
      break;
    case Kind.Array: {
      const n = tape.a[0]!;
      for (let i = 1, c = 0; c < n; c++) {
        row(i, ctx, opts, nowSec);
        i = tape.next[i]!;
      }
      break;
    }
    default:
      ctx.invalidLine("OpenTSDB JSON must be either object or array", tape.source(0));
  }
}

/** fastjson getFloat64: a number, or a string holding one; `undefined` otherwise. */
function float(i: number): number | undefined {
  switch (tape.kind[i]) {
    case Kind.Number:
      return parseFastFloatString(tape.text.slice(tape.a[i]!, tape.b[i]!));
    case Kind.String:
      return parseFastFloatString(tape.text.slice(tape.a[i]!, tape.b[i]!));
    case Kind.EscapedString: {
      const s = tape.string(i);
      return parseFastFloatString(s);
    }
    default:
      return undefined;
  }
}

function isString(i: number): boolean {
  const k = tape.kind[i];
  return k === Kind.String || k === Kind.EscapedString;
}

function row(obj: number, ctx: ParseContext, opts: OpenTSDBHTTPOptions, nowSec: number): void {
  const m = tape.get(obj, "metric");
  const metric = m >= 0 && isString(m) ? tape.string(m) : "";
  if (metric === "") return ctx.invalidLine("missing `metric`", tape.source(obj));
  let ts = 0;
  const t = tape.get(obj, "timestamp");
  if (t >= 0) {
    const f = float(t);
    if (f === undefined) return ctx.invalidLine("invalid `timestamp`", tape.source(obj));
    ts = goInt64(f);
  }
  const v = tape.get(obj, "value");
  if (v < 0) return ctx.invalidLine("missing `value`", tape.source(obj));
  const value = float(v);
  if (value === undefined) return ctx.invalidLine("invalid `value`", tape.source(obj));
  const tags = tape.get(obj, "tags");
  let nTags = 0;
  if (tags >= 0) {
    if (tape.kind[tags] !== Kind.Object) return ctx.invalidLine("invalid `tags`: not an object", tape.source(obj));
    nTags = tape.a[tags]!;
    for (let k = tags + 1, c = 0; c < nTags; c++) {
      if (!isString(k + 1)) return ctx.invalidLine("cannot parse tags: tag value must be string", tape.source(obj));
      k = tape.next[k + 1]!;
    }
  }

  const w = ctx.w;
  w.begin();
  w.label("__name__", metric);
  for (let k = tags + 1, c = 0; c < nTags; c++) {
    const key = tape.string(k);
    const val = tape.string(k + 1);
    if (key !== "" && val !== "") w.label(key, val);
    k = tape.next[k + 1]!;
  }
  if (ts === 0) ts = nowSec;
  if ((ts >= 0 && ts < TWO_32) || ts < NEG_SECONDS_LIMIT) ts = mulInt64(ts, 1000);
  w.sample(value, trimTimestamp(ts, opts.trimTimestampMs));
  w.end();
}
