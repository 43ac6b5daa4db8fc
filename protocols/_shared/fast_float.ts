/**
 * Number parsing with the exact acceptance rules and rounding of the
 * `valyala/fastjson/fastfloat` version vmagent v1.79.5 uses for Prometheus
 * text, CSV and JSON-line values, so a value that vmagent rejects is rejected
 * here too and an accepted one yields the same float64 bits.
 *
 * Accepted: `-?digits(.digits+)?([eE][+-]?digits)?` (a leading `+`, `.5` and
 * `1.` are rejected, `5.e3` is accepted), and case-insensitive `inf`,
 * `infinity`, `nan` with an optional sign. Like fastfloat, short mantissas
 * are converted as `digits / 10^k * Pow10(exp)` (not always correctly
 * rounded); long ones fall back to a correctly rounded parse.
 *
 * All functions work on a `[start, end)` range of a string to avoid
 * substring allocation on hot paths, and return `undefined` on a syntax
 * error.
 *
 * @module
 */

/** Exact powers of ten 1e0…1e16 (fastfloat's float64pow10). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const POW10_TAB: number[] = [];
for (let i = 0; i < 32; i++) POW10_TAB.push(Number(`1e${i}`));
const POW10_POS32 = [1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288];
const POW10_NEG32 = [1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320];

/** Go's math.Pow10 for |n| ≤ 308 (the only range fastfloat calls it with). */
function goPow10(n: number): number {
  if (n >= 0) return POW10_POS32[n >>> 5]! * POW10_TAB[n & 31]!;
  const m = -n;
  return POW10_NEG32[m >>> 5]! / POW10_TAB[m & 31]!;
}

const enum C {
  Plus = 0x2b,
  Minus = 0x2d,
  Dot = 0x2e,
  D0 = 0x30,
  D9 = 0x39,
  E = 0x45,
  e = 0x65,
}

/** strconv.ParseFloat for a string that starts with a digit: decimal syntax only, overflow → ±Inf. */
function slowParse(s: string, start: number, end: number): number | undefined {
  let i = start;
  const c0 = s.charCodeAt(i);
  if (c0 === C.Minus || c0 === C.Plus) i++;
  const digits0 = i;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  let nd = i - digits0;
  if (i < end && s.charCodeAt(i) === C.Dot) {
    i++;
    const f0 = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    nd += i - f0;
  }
  if (nd === 0) return undefined;
  if (i < end && (s.charCodeAt(i) | 0x20) === C.e) {
    i++;
    if (i < end && (s.charCodeAt(i) === C.Plus || s.charCodeAt(i) === C.Minus)) i++;
    const e0 = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    if (i === e0) return undefined;
  }
  if (i !== end) return undefined;
  return Number(s.slice(start, end));
}

function isDigit(c: number): boolean {
  return c >= C.D0 && c <= C.D9;
}

/** Case-insensitive comparison of `s[start, end)` with lower-case ASCII `word`. */
function equalFold(s: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(start + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** fastfloat.Parse of `s[start, end)`; `undefined` when vmagent v1.79.5 would reject it. */
export function parseFloatRange(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  const minus = s.charCodeAt(i) === C.Minus;
  if (minus) {
    i++;
    if (i >= end) return undefined;
  }
  let d = 0;
  const j = i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < C.D0 || c > C.D9) break;
    d = d * 10 + (c - C.D0);
    i++;
    if (i - start > 18) return slowParse(s, start, end);
  }
  if (i <= j) {
    let k = i;
    if (s.charCodeAt(k) === C.Plus) k++;
    if (equalFold(s, k, end, "inf") || equalFold(s, k, end, "infinity")) return minus ? -Infinity : Infinity;
    if (equalFold(s, k, end, "nan")) return NaN;
    return undefined;
  }
  // Integers of more than 15 digits: convert the exact digit string once, like float64(uint64).
  let f = i - j > 15 ? Number(s.slice(j, i)) : d;
  if (i >= end) return minus ? -f : f;
  if (s.charCodeAt(i) === C.Dot) {
    i++;
    if (i >= end) return undefined;
    const k = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < C.D0 || c > C.D9) break;
      d = d * 10 + (c - C.D0);
      i++;
      if (i - j >= POW10.length) return slowParse(s, start, end);
    }
    if (i > k) f = d / POW10[i - k]!;
    if (i >= end) return minus ? -f : f;
  }
  const c = s.charCodeAt(i);
  if (c === C.e || c === C.E) {
    i++;
    if (i >= end) return undefined;
    let expMinus = false;
    const sc = s.charCodeAt(i);
    if (sc === C.Plus || sc === C.Minus) {
      expMinus = sc === C.Minus;
      i++;
      if (i >= end) return undefined;
    }
    let exp = 0;
    const e0 = i;
    while (i < end) {
      const ec = s.charCodeAt(i);
      if (ec < C.D0 || ec > C.D9) break;
      exp = exp * 10 + (ec - C.D0);
      i++;
      if (exp > 300) return slowParse(s, start, end);
    }
    if (i <= e0) return undefined;
    f *= goPow10(expMinus ? -exp : exp);
    if (i >= end) return minus ? -f : f;
  }
  return undefined;
}

/** Largest int64 as digits, for range checks of long integers. */
const INT64_MAX = "9223372036854775807";

/**
 * Where the digits of a strict int64 (`-?[0-9]+`, within int64 range, like
 * fastfloat.ParseInt64 / strconv.ParseInt without `+`) in `s[start, end)`
 * begin, or -1 when it is not one.
 */
export function int64DigitsStart(s: string, start: number, end: number): number {
  let i = start;
  if (i < end && s.charCodeAt(i) === C.Minus) i++;
  const d0 = i;
  if (d0 >= end) return -1;
  for (let k = d0; k < end; k++) if (!isDigit(s.charCodeAt(k))) return -1;
  if (end - start > 18) {
    let z = d0;
    while (z < end - 1 && s.charCodeAt(z) === C.D0) z++;
    const n = end - z;
    if (n > 19) return -1;
    if (n === 19) {
      const digits = s.slice(z, end);
      const max = d0 > start ? "9223372036854775808" : INT64_MAX;
      if (digits > max) return -1;
    }
  }
  return d0;
}

/**
 * fastfloat.ParseInt64 of `s[start, end)` as a JS number (exact up to
 * 2^53; larger magnitudes are rounded, which only matters for timestamps no
 * storage accepts). `undefined` when not a strict int64.
 */
export function parseInt64Range(s: string, start: number, end: number): number | undefined {
  const d0 = int64DigitsStart(s, start, end);
  if (d0 < 0) return undefined;
  let n: number;
  if (end - d0 <= 15) {
    n = 0;
    for (let k = d0; k < end; k++) n = n * 10 + (s.charCodeAt(k) - C.D0);
  } else n = Number(s.slice(d0, end));
  return d0 > start ? -n : n;
}
