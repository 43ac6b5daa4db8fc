/**
 * Strict int64 parsing as vmagent v1.79.5 does it for JSON-line and CSV
 * timestamps (`fastfloat.ParseInt64`, falling back to `strconv.ParseInt`):
 * `-?[0-9]+` within int64 range, no `+`, no spaces, no fraction. Works on a
 * `[start, end)` byte range; float parsing is in go_float.ts.
 *
 * @module
 */

import { decodeRange, stringBytes } from "./bytes.ts";

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

const enum C {
  Minus = 0x2d,
  D0 = 0x30,
}

/** Largest int64 as digits, for range checks of long integers. */
const INT64_MAX = "9223372036854775807";

/**
 * Where the digits of a strict int64 (`-?[0-9]+`, within int64 range, like
 * fastfloat.ParseInt64 / strconv.ParseInt without `+`) in `s[start, end)`
 * begin, or -1 when it is not one.
 */
export function int64DigitsStart(s: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i < end && s[i]! === C.Minus) i++;
  const d0 = i;
  if (d0 >= end) return -1;
  for (let k = d0; k < end; k++) if (!isDigit(s[k]!)) return -1;
  if (end - start > 18) {
    let z = d0;
    while (z < end - 1 && s[z]! === C.D0) z++;
    const n = end - z;
    if (n > 19) return -1;
    if (n === 19) {
      const digits = decodeRange(s, z, end);
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
export function parseInt64Range(s: Uint8Array, start: number, end: number): number | undefined {
  const d0 = int64DigitsStart(s, start, end);
  if (d0 < 0) return undefined;
  let n: number;
  if (end - d0 <= 15) {
    n = 0;
    for (let k = d0; k < end; k++) n = n * 10 + (s[k]! - C.D0);
  } else n = Number(decodeRange(s, d0, end));
  return d0 > start ? -n : n;
}

/** parseInt64Range of a whole string. */
export function parseInt64String(s: string): number | undefined {
  const b = stringBytes(s);
  return parseInt64Range(b, 0, b.length);
}
