/**
 * Number parsing exactly as vmagent v1.79.5 does it for Influx lines: the
 * `fastfloat` functions of github.com/valyala/fastjson (v1.6.x) that
 * lib/protoparser/influx calls, including their quirks (`+5`, `.5` and `5.`
 * parse as 0; a number longer than 18 chars falls back to Go's
 * `strconv.ParseFloat`). Rounding matches Go's float64 conversions: every
 * step is either exact in a double or a single correctly rounded operation.
 *
 * All functions work on the bytes `s[a, b)` of the request, so the line is
 * never decoded on the fast path. Errors are returned as message strings
 * (never thrown), values as numbers; `typeof r === "string"` tells them apart
 * without allocating.
 *
 * @module
 */

import { parseFastFloat } from "../_shared/go_float.ts";
import { decodeRange } from "../_shared/bytes.ts";

const C_0 = 0x30;
const C_9 = 0x39;
const C_MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

/**
 * The value of the decimal digits `s[a, b)` as Go's `float64(uint64)` would
 * give it: exact up to 15 digits, correctly rounded beyond.
 */
function digitsValue(s: Uint8Array, a: number, b: number): number {
  if (b - a > 15) return Number(decodeRange(s, a, b));
  let d = 0;
  for (let i = a; i < b; i++) d = d * 10 + (s[i]! - C_0);
  return d;
}

/**
 * fastfloat.ParseBestEffort of `s[a, b)`: fastfloat.Parse (go_float.ts) with
 * 0 for anything it cannot parse.
 */
export function parseBestEffort(s: Uint8Array, a: number, b: number): number {
  return parseFastFloat(s, a, b) ?? 0;
}

/** Start of the significant digits of the last successful parseIntDigits(). */
let digitsStart = 0;
let digitsNeg = false;

const INT64_MAX = "9223372036854775807";
const INT64_MIN_ABS = "9223372036854775808";
const UINT64_MAX = "18446744073709551615";

/** `s[a, b)` (digits only) ≤ the decimal `limit`, ignoring leading zeros. */
function withinLimit(s: Uint8Array, a: number, b: number, limit: string): boolean {
  while (a < b - 1 && s[a]! === C_0) a++;
  const n = b - a;
  if (n !== limit.length) return n < limit.length;
  for (let i = 0; i < n; i++) {
    const c = s[a + i]!;
    const l = limit.charCodeAt(i);
    if (c !== l) return c < l;
  }
  return true;
}

/**
 * Validates `s[a, b)` as fastfloat.ParseInt64 does (`-?[0-9]+` within int64)
 * and records where its digits start; returns an error message or null.
 */
function parseIntDigits(s: Uint8Array, a: number, b: number, unsigned: boolean): string | null {
  const kind = unsigned ? "uint64" : "int64";
  if (a >= b) return `cannot parse ${kind} from empty string`;
  let i = a;
  const neg = !unsigned && s[a]! === C_MINUS;
  if (neg) i++;
  const start = i;
  while (i < b && isDigit(s[i]!)) i++;
  if (i === start) return `cannot parse ${kind} from ${JSON.stringify(decodeRange(s, a, b))}`;
  if (i < b) return `unparsed tail left after parsing ${kind} from ${JSON.stringify(decodeRange(s, a, b))}`;
  const limit = unsigned ? UINT64_MAX : neg ? INT64_MIN_ABS : INT64_MAX;
  if (!withinLimit(s, start, b, limit)) return `parsing ${JSON.stringify(decodeRange(s, a, b))}: value out of range`;
  digitsStart = start;
  digitsNeg = neg;
  return null;
}

/** `float64(ParseInt64(s[a, b)))`, or an error message. */
export function parseInt64Value(s: Uint8Array, a: number, b: number): number | string {
  const err = parseIntDigits(s, a, b, false);
  if (err !== null) return err;
  const v = digitsValue(s, digitsStart, b);
  // int64 has no negative zero.
  return digitsNeg && v !== 0 ? -v : v;
}

/** `float64(ParseUint64(s[a, b)))`, or an error message. */
export function parseUint64Value(s: Uint8Array, a: number, b: number): number | string {
  const err = parseIntDigits(s, a, b, true);
  if (err !== null) return err;
  return digitsValue(s, digitsStart, b);
}

/** How an Influx timestamp converts to milliseconds (vmagent's `precision` arg). */
export const enum Precision {
  /** No (or an unknown) `precision`: guessed from the magnitude. */
  Auto = 0,
  Ns = 1,
  Us = 2,
  Ms = 3,
  S = 4,
  M = 5,
  H = 6,
}

/** The `precision` query arg as vmagent maps it; unknown values mean Auto. */
export function precisionOf(arg: string | null): Precision {
  switch (arg) {
    case "ns":
      return Precision.Ns;
    case "u":
    case "us":
    case "\u00b5":
      return Precision.Us;
    case "ms":
      return Precision.Ms;
    case "s":
      return Precision.S;
    case "m":
      return Precision.M;
    case "h":
      return Precision.H;
    default:
      return Precision.Auto;
  }
}

/** Milliseconds per unit for the precisions whose missing timestamps are truncated to the unit. */
export function precisionUnitMs(p: Precision): number {
  return p === Precision.S ? 1000 : p === Precision.M ? 60_000 : p === Precision.H ? 3_600_000 : 1;
}

/** Integer part of `digits / 10^k` with the sign: Go's truncating int64 division, done on the digits. */
function divPow10(s: Uint8Array, b: number, k: number): number {
  const end = b - k;
  if (end <= digitsStart) return 0;
  const v = digitsValue(s, digitsStart, end);
  return digitsNeg && v !== 0 ? -v : v;
}

/**
 * Parses the timestamp `s[a, b)` (fastfloat.ParseInt64) and converts it to
 * ms for `p`. Returns null for a zero timestamp (the caller substitutes the
 * current time; a non-zero one that converts to 0 ms stays 0), or an error message.
 */
export function parseTimestampMs(s: Uint8Array, a: number, b: number, p: Precision): number | string | null {
  const err = parseIntDigits(s, a, b, false);
  if (err !== null) return err;
  let sig = digitsStart;
  while (sig < b && s[sig]! === C_0) sig++;
  const nd = b - sig;
  if (nd === 0) return null;
  switch (p) {
    case Precision.Ns:
      return divPow10(s, b, 6);
    case Precision.Us:
      return divPow10(s, b, 3);
    case Precision.Ms:
      return divPow10(s, b, 0);
    case Precision.S:
      return divPow10(s, b, 0) * 1000;
    case Precision.M:
      return divPow10(s, b, 0) * 60_000;
    case Precision.H:
      return divPow10(s, b, 0) * 3_600_000;
    default:
      // detectTimestamp: >=1e17 ns, >=1e14 us, >=1e11 ms, else (negatives too) s.
      if (digitsNeg) return divPow10(s, b, 0) * 1000;
      if (nd >= 18) return divPow10(s, b, 6);
      if (nd >= 15) return divPow10(s, b, 3);
      if (nd >= 12) return divPow10(s, b, 0);
      return divPow10(s, b, 0) * 1000;
  }
}
