/**
 * Go number semantics that push parsers need to match vmagent v1.79.5 exactly:
 *
 * - {@linkcode parseFastFloat}: `fastfloat.Parse` as vendored by v1.79.5
 *   (valyala/fastjson v1.6.3). It differs from `Number()`: no leading `+`,
 *   no `.5` and no `5.`, `inf`/`infinity`/`nan` in any case, and it rounds
 *   like Go (mantissa ÷ 10^k, then × `math.Pow10(exp)`), falling back to a
 *   correctly rounded parse (Go `strconv.ParseFloat`, which also takes `_`
 *   between digits) for long mantissas and exponents above 300.
 * - {@linkcode goInt64}: Go's `int64(f)` on amd64, where NaN and values out of
 *   range become -2^63.
 * - {@linkcode mulInt64}: int64 multiplication with wrap-around (vmagent's
 *   `ts *= 1e3` on absurd timestamps, e.g. `1e30` s becomes 0 ms).
 *
 * The parsers work on a byte range of the request (`src[a, b)`), so callers
 * need no substring; {@linkcode parseFastFloatString} is for the few callers
 * that hold a string.
 *
 * @module
 */

import { bytesEqualFold, decodeRange, stringBytes } from "./bytes.ts";

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
// Go's math.Pow10 tables: 10^(32·i) and 10^i for i < 32.
const POW10_POS32 = [1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288];
const POW10_NEG32 = [1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320];
const POW10_TAB: number[] = [];
for (let i = 0; i < 32; i++) POW10_TAB.push(Number(`1e${i}`));

/** Go's `math.Pow10(n)`, with the same two-step rounding. */
export function goPow10(n: number): number {
  if (n >= 0 && n <= 308) return POW10_POS32[n >>> 5]! * POW10_TAB[n & 31]!;
  if (n >= -323 && n <= 0) return POW10_NEG32[-n >>> 5]! / POW10_TAB[-n & 31]!;
  return n > 0 ? Infinity : 0;
}

const INT64_MIN = -9223372036854775808;
const INT64_LIMIT = 9223372036854775808;

/** Go's `int64(f)` on amd64: truncation toward zero; NaN and |f| ≥ 2^63 give -2^63. */
export function goInt64(f: number): number {
  if (!(f >= INT64_MIN && f < INT64_LIMIT)) return INT64_MIN;
  return Math.trunc(f) + 0; // + 0 turns -0 into 0
}

/**
 * `a * m` in int64 with wrap-around, for integer `a` in int64 range and a
 * small positive integer `m`. Exact below 2^53; above, the wrapped int64 is
 * rounded to the nearest double.
 */
export function mulInt64(a: number, m: number): number {
  const p = a * m;
  if (p <= Number.MAX_SAFE_INTEGER && p >= -Number.MAX_SAFE_INTEGER) return p;
  return Number(BigInt.asIntN(64, BigInt(a) * BigInt(m)));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Go strconv.ParseFloat's decimal syntax, with `_` only between digits (underscoreOK).
const GO_DECIMAL_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/**
 * Go `strconv.ParseFloat(s, 64)` where fastfloat falls back to it. Out of
 * range gives ±Inf, which fastfloat accepts. Hex floats and inf/nan cannot
 * reach here (the fallback only runs after a run of digits).
 */
function fallback(s: Uint8Array, a: number, b: number): number | undefined {
  const t = decodeRange(s, a, b);
  if (!GO_DECIMAL_FLOAT.test(t)) return undefined;
  return Number(t.includes("_") ? t.replaceAll("_", "") : t);
}

/**
 * fastfloat.Parse (fastjson v1.6.3) of `s[a:b)`; `undefined` where Go
 * returns an error. fastfloat.ParseBestEffort is the same with 0 for errors.
 */
export function parseFastFloat(s: Uint8Array, a: number, b: number): number | undefined {
  if (a >= b) return undefined;
  let i = a;
  const minus = s[i]! === 0x2d;
  if (minus) {
    i++;
    if (i >= b) return undefined;
  }
  let d = 0;
  const j = i;
  while (i < b) {
    const c = s[i]!;
    if (!isDigit(c)) break;
    d = d * 10 + (c - 0x30);
    i++;
    if (i - a > 18) return fallback(s, a, b); // may not fit uint64
  }
  if (i <= j) {
    let k = i;
    if (s[k]! === 0x2b) k++;
    if (bytesEqualFold(s, k, b, "inf") || bytesEqualFold(s, k, b, "infinity")) return minus ? -Infinity : Infinity;
    if (bytesEqualFold(s, k, b, "nan")) return NaN;
    return undefined;
  }
  // float64(d) of up to 18 digits: accumulating past 2^53 in doubles would round more than once.
  let f = i - j > 15 ? Number(decodeRange(s, j, i)) : d;
  if (i >= b) return minus ? -f : f;
  if (s[i]! === 0x2e) {
    i++;
    if (i >= b) return undefined; // v1.6.3 wants a fractional part
    const k = i;
    while (i < b) {
      const c = s[i]!;
      if (!isDigit(c)) break;
      d = d * 10 + (c - 0x30);
      i++;
      if (i - j >= POW10.length) return fallback(s, a, b); // mantissa out of range
    }
    // Here at most 15 digits were read in all, so d is exact (or no fraction digit followed).
    if (i > k) f = d / POW10[i - k]!;
    if (i >= b) return minus ? -f : f;
  }
  const e = s[i]!;
  if (e === 0x65 || e === 0x45) {
    i++;
    if (i >= b) return undefined;
    let expMinus = false;
    const sign = s[i]!;
    if (sign === 0x2b || sign === 0x2d) {
      expMinus = sign === 0x2d;
      i++;
      if (i >= b) return undefined;
    }
    let exp = 0;
    const j2 = i;
    while (i < b) {
      const c = s[i]!;
      if (!isDigit(c)) break;
      exp = exp * 10 + (c - 0x30);
      i++;
      if (exp > 300) return fallback(s, a, b); // may not fit float64
    }
    if (i <= j2) return undefined;
    f *= goPow10(expMinus ? -exp : exp);
    if (i >= b) return minus ? -f : f;
  }
  return undefined;
}

/** parseFastFloat of a whole string (a decoded JSON token, a CSV field with quotes removed). */
export function parseFastFloatString(s: string): number | undefined {
  const b = stringBytes(s);
  return parseFastFloat(b, 0, b.length);
}
