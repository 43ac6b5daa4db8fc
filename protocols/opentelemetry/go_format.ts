/**
 * Go's number formatting and `math.Pow`, as vmagent uses them to build
 * OpenTelemetry label values (`le`, `quantile`, `vmrange`, attribute values),
 * so that Drover produces byte-identical labels.
 *
 * Shortest digits come from JavaScript's Number→String, which like Go's
 * `strconv` picks the shortest round-tripping digits closest to the value.
 *
 * @module
 */

/** Sign, shortest significant digits and decimal-point position of a finite x (|x| = 0.d1d2… × 10^dp). */
function shortest(x: number): { neg: boolean; digits: string; dp: number } {
  const neg = x < 0 || Object.is(x, -0);
  const e = Math.abs(x).toExponential();
  const i = e.indexOf("e");
  const digits = e[0]! + (i > 1 ? e.slice(2, i) : "");
  return { neg, digits, dp: Number(e.slice(i + 1)) + 1 };
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  return undefined;
}

function fixed(digits: string, dp: number): string {
  if (dp <= 0) return "0." + "0".repeat(-dp) + digits;
  if (dp >= digits.length) return digits + "0".repeat(dp - digits.length);
  return digits.slice(0, dp) + "." + digits.slice(dp);
}

function expSuffix(exp: number): string {
  const a = Math.abs(exp);
  return (exp < 0 ? "e-" : "e+") + (a < 10 ? "0" : "") + a;
}

/** Go's `strconv.FormatFloat(x, 'f', -1, 64)`. */
export function formatFloatF(x: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const { neg, digits, dp } = shortest(x);
  return (neg ? "-" : "") + fixed(digits, dp);
}

/** Go's `strconv.FormatFloat(x, 'g', -1, 64)` (fastjson's number encoding). */
export function formatFloatG(x: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const { neg, digits, dp } = shortest(x);
  const exp = dp - 1;
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    return sign + digits[0]! + (digits.length > 1 ? "." + digits.slice(1) : "") + expSuffix(exp);
  }
  return sign + fixed(digits, dp);
}

/** Go's `strconv.FormatFloat(x, 'e', 3, 64)`: correctly rounded, ties to even. */
export function formatFloatE3(x: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return (neg ? "-" : "") + "0.000e+00";
  const e = Math.abs(x).toExponential(100);
  const i = e.indexOf("e");
  let exp = Number(e.slice(i + 1));
  const all = e[0]! + e.slice(2, i);
  let d = [all.charCodeAt(0) - 48, all.charCodeAt(1) - 48, all.charCodeAt(2) - 48, all.charCodeAt(3) - 48];
  const next = all.charCodeAt(4) - 48;
  let up = next > 5;
  if (next === 5) {
    up = !/^0*$/.test(all.slice(5)) || d[3]! % 2 === 1;
  }
  if (up) {
    let k = 3;
    while (k >= 0) {
      d[k]!++;
      if (d[k]! < 10) break;
      d[k] = 0;
      k--;
    }
    if (k < 0) {
      d = [1, 0, 0, 0];
      exp++;
    }
  }
  return (neg ? "-" : "") + d[0] + "." + d[1] + d[2] + d[3] + expSuffix(exp);
}

const F = new Float64Array(1);
const U = new Uint32Array(F.buffer);

/** Go's math.Frexp for finite non-zero x: x = frac × 2^exp, frac in [0.5, 1). */
function frexp(x: number): [number, number] {
  let e = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 2 ** 52;
    e = -52;
  }
  F[0] = x;
  const hi = U[1]!;
  e += ((hi >>> 20) & 0x7ff) - 1022;
  U[1] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return [F[0]!, e];
}

/** x × 2^e without spurious overflow of 2^e. */
function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/**
 * Go's `math.Pow` for x > 0 (what the exponential-histogram bounds need):
 * the fractional part of y goes through exp(yf·ln x), the integer part by
 * repeated squaring of frexp(x), so results round exactly as in Go (up to
 * Exp/Log themselves).
 */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y)) return Math.pow(x, y);
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  const ay = Math.abs(y);
  let yi = Math.trunc(ay);
  let yf = ay - yi;
  if (yi >= 2 ** 63) return Math.pow(x, y);
  let a1 = 1;
  let ae = 0;
  if (yf !== 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = Math.exp(yf * Math.log(x));
  }
  let [x1, xe] = frexp(x);
  for (let i = yi; i !== 0; i = Math.floor(i / 2)) {
    if (xe < -4096 || 4096 < xe) {
      ae += xe;
      break;
    }
    if (i % 2 === 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe *= 2;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return ldexp(a1, ae);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `strconv.Quote` (fastjson falls back to it for strings with `"`, `\` or control characters). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c < 0x80 || PRINTABLE.test(ch)) out += ch;
    else if (c < 0x10000) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += "\\U" + c.toString(16).padStart(8, "0");
  }
  return out + '"';
}

/** fastjson's string encoding: verbatim in quotes unless it holds `"`, `\` or a byte below 0x20. */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return goQuote(s);
  }
  return '"' + s + '"';
}
