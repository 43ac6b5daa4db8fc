/**
 * Number parsing exactly as vmagent v1.79.5 does it for Influx lines: the
 * `fastfloat` functions of github.com/valyala/fastjson (v1.6.x) that
 * lib/protoparser/influx calls, including their quirks (`+5`, `.5` and `5.`
 * parse as 0; a number longer than 18 chars falls back to Go's
 * `strconv.ParseFloat`). Rounding matches Go's float64 conversions: every
 * step is either exact in a double or a single correctly rounded operation.
 *
 * All functions work on `s[a, b)` so the line is never sliced on the fast
 * path. Errors are returned as message strings (never thrown), values as
 * numbers; `typeof r === "string"` tells them apart without allocating.
 *
 * @module
 */

const C_0 = 0x30;
const C_9 = 0x39;
const C_MINUS = 0x2d;
const C_PLUS = 0x2b;
const C_DOT = 0x2e;

/** Exact powers of ten fastfloat uses; its table length bounds the fast mantissa path. */
const FLOAT64_POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/** Go's math.Pow10 tables: the result is the product (quotient) of two correctly rounded constants. */
const POW10_TAB: number[] = [];
for (let i = 0; i < 32; i++) POW10_TAB.push(Number(`1e${i}`));
const POW10_POS32 = [1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288];
const POW10_NEG32 = [1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320];

/** Go's `math.Pow10(n)`. */
export function goPow10(n: number): number {
  if (n >= 0 && n <= 308) return POW10_POS32[n >>> 5]! * POW10_TAB[n & 31]!;
  if (n < 0 && n >= -323) return POW10_NEG32[-n >>> 5]! / POW10_TAB[-n & 31]!;
  return n > 0 ? Infinity : 0;
}

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

/** Case-insensitive `s[a, b) == word` for a lower-case ASCII word. */
function equalFold(s: string, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(a + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The value of the decimal digits `s[a, b)` as Go's `float64(uint64)` would
 * give it: exact up to 15 digits, correctly rounded beyond.
 */
function digitsValue(s: string, a: number, b: number): number {
  if (b - a > 15) return Number(s.slice(a, b));
  let d = 0;
  for (let i = a; i < b; i++) d = d * 10 + (s.charCodeAt(i) - C_0);
  return d;
}

/**
 * Go's `underscoreOK` for a base-10 number: underscores only between digits.
 */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s.charCodeAt(0) === C_MINUS || s.charCodeAt(0) === C_PLUS)) i = 1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      saw = "0";
      continue;
    }
    if (c === 0x5f) {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const GO_DECIMAL_FLOAT = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/;

/**
 * fastfloat's fallback: `f, err := strconv.ParseFloat(s, 64); if err != nil
 * && !IsInf(f) { return 0 }`. Reached only after 18+ leading digits, so hex
 * floats (which need a `0x` prefix) cannot occur and are not supported.
 */
function goParseFloatBestEffort(s: string): number {
  let a = 0;
  let minus = false;
  const c0 = s.charCodeAt(0);
  if (c0 === C_MINUS || c0 === C_PLUS) {
    minus = c0 === C_MINUS;
    a = 1;
  }
  if (equalFold(s, a, s.length, "inf") || equalFold(s, a, s.length, "infinity")) return minus ? -Infinity : Infinity;
  if (equalFold(s, a, s.length, "nan")) return NaN;
  if (!GO_DECIMAL_FLOAT.test(s)) return 0;
  if (s.includes("_")) {
    if (!underscoreOK(s)) return 0;
    s = s.replaceAll("_", "");
  }
  // Both Go and JS round correctly; out-of-range values become ±Inf in both.
  return Number(s);
}

/**
 * fastfloat.ParseBestEffort of `s[a, b)`: 0 for anything it cannot parse.
 */
export function parseBestEffort(s: string, a: number, b: number): number {
  if (a >= b) return 0;
  let i = a;
  const minus = s.charCodeAt(a) === C_MINUS;
  if (minus) {
    i++;
    if (i >= b) return 0;
  }
  let d = 0;
  const j = i;
  while (i < b) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    d = d * 10 + (c - C_0);
    i++;
    // Go counts chars of s (the sign included) here.
    if (i - a > 18) return goParseFloatBestEffort(s.slice(a, b));
  }
  if (i <= j) {
    let k = i;
    if (k < b && s.charCodeAt(k) === C_PLUS) k++;
    if (equalFold(s, k, b, "inf") || equalFold(s, k, b, "infinity")) return minus ? -Infinity : Infinity;
    if (equalFold(s, k, b, "nan")) return NaN;
    return 0;
  }
  // Up to 18 digits: Go converts the exact uint64 once.
  let f = i - j > 15 ? digitsValue(s, j, i) : d;
  if (i >= b) return minus ? -f : f;
  if (s.charCodeAt(i) === C_DOT) {
    i++;
    if (i >= b) return 0;
    const k = i;
    while (i < b) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) break;
      // At most 15 digits reach here (see the bound below), so d stays exact.
      d = d * 10 + (c - C_0);
      i++;
      if (i - j >= FLOAT64_POW10.length) return goParseFloatBestEffort(s.slice(a, b));
    }
    f = d / FLOAT64_POW10[i - k]!;
    if (i >= b) return minus ? -f : f;
  }
  const e = s.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    if (i >= b) return 0;
    let expMinus = false;
    const sc = s.charCodeAt(i);
    if (sc === C_PLUS || sc === C_MINUS) {
      expMinus = sc === C_MINUS;
      i++;
      if (i >= b) return 0;
    }
    let exp = 0;
    const j2 = i;
    while (i < b) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) break;
      exp = exp * 10 + (c - C_0);
      i++;
      if (exp > 300) return goParseFloatBestEffort(s.slice(a, b));
    }
    if (i <= j2) return 0;
    f *= goPow10(expMinus ? -exp : exp);
    if (i >= b) return minus ? -f : f;
  }
  return 0;
}

/** Start of the significant digits of the last successful parseIntDigits(). */
let digitsStart = 0;
let digitsNeg = false;

const INT64_MAX = "9223372036854775807";
const INT64_MIN_ABS = "9223372036854775808";
const UINT64_MAX = "18446744073709551615";

/** `s[a, b)` (digits only) ≤ the decimal `limit`, ignoring leading zeros. */
function withinLimit(s: string, a: number, b: number, limit: string): boolean {
  while (a < b - 1 && s.charCodeAt(a) === C_0) a++;
  const n = b - a;
  if (n !== limit.length) return n < limit.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(a + i);
    const l = limit.charCodeAt(i);
    if (c !== l) return c < l;
  }
  return true;
}

/**
 * Validates `s[a, b)` as fastfloat.ParseInt64 does (`-?[0-9]+` within int64)
 * and records where its digits start; returns an error message or null.
 */
function parseIntDigits(s: string, a: number, b: number, unsigned: boolean): string | null {
  const kind = unsigned ? "uint64" : "int64";
  if (a >= b) return `cannot parse ${kind} from empty string`;
  let i = a;
  const neg = !unsigned && s.charCodeAt(a) === C_MINUS;
  if (neg) i++;
  const start = i;
  while (i < b && isDigit(s.charCodeAt(i))) i++;
  if (i === start) return `cannot parse ${kind} from ${JSON.stringify(s.slice(a, b))}`;
  if (i < b) return `unparsed tail left after parsing ${kind} from ${JSON.stringify(s.slice(a, b))}`;
  const limit = unsigned ? UINT64_MAX : neg ? INT64_MIN_ABS : INT64_MAX;
  if (!withinLimit(s, start, b, limit)) return `parsing ${JSON.stringify(s.slice(a, b))}: value out of range`;
  digitsStart = start;
  digitsNeg = neg;
  return null;
}

/** `float64(ParseInt64(s[a, b)))`, or an error message. */
export function parseInt64Value(s: string, a: number, b: number): number | string {
  const err = parseIntDigits(s, a, b, false);
  if (err !== null) return err;
  const v = digitsValue(s, digitsStart, b);
  // int64 has no negative zero.
  return digitsNeg && v !== 0 ? -v : v;
}

/** `float64(ParseUint64(s[a, b)))`, or an error message. */
export function parseUint64Value(s: string, a: number, b: number): number | string {
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
function divPow10(s: string, b: number, k: number): number {
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
export function parseTimestampMs(s: string, a: number, b: number, p: Precision): number | string | null {
  const err = parseIntDigits(s, a, b, false);
  if (err !== null) return err;
  let sig = digitsStart;
  while (sig < b && s.charCodeAt(sig) === C_0) sig++;
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
