/**
 * Decoding DataDog JSON bodies the way Go's `encoding/json` does inside
 * vmagent, so that the same bodies are accepted and rejected:
 * - a UTF-8 BOM is a syntax error (TextDecoder would silently strip it);
 * - invalid UTF-8 inside strings becomes one U+FFFD per bad byte (Go's
 *   `utf8.DecodeRune`), not one per maximal subpart as TextDecoder does;
 * - object keys match struct fields exactly or, failing that, case-insensitively
 *   (Go folds each rune with `ToLower(ToUpper(r))`);
 * - a value of the wrong JSON type anywhere fails the whole request (Go keeps
 *   decoding but returns the first `UnmarshalTypeError`), `null` leaves the
 *   field at its zero value, and numbers out of float64 range are errors.
 *
 * @module
 */

import { ParseError } from "../_shared/protocol.ts";

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes `body` as UTF-8 text keeping a BOM and replacing each invalid byte
 * with U+FFFD, then parses it with JSON.parse. Throws ParseError on invalid JSON.
 */
export function parseGoJson(body: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = strictDecoder.decode(body);
  } catch {
    text = decodeUtf8PerByte(body);
  }
  try {
    return JSON.parse(text);
  } catch (err: unknown) {
    throw new ParseError(`Cannot unmarshal ${what} request with size ${body.length} bytes: ${(err as Error).message}`);
  }
}

/** UTF-8 decoding that replaces every byte of an invalid sequence with U+FFFD, as Go's range loop does. */
export function decodeUtf8PerByte(b: Uint8Array): string {
  let out = "";
  let i = 0;
  const n = b.length;
  let chunk: number[] = [];
  const flush = () => {
    out += String.fromCodePoint(...chunk);
    chunk = [];
  };
  while (i < n) {
    const c = b[i]!;
    let cp = 0xfffd;
    let len = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xc2 && c <= 0xdf && i + 1 < n && (b[i + 1]! & 0xc0) === 0x80) {
      cp = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef && i + 2 < n) {
      const c1 = b[i + 1]!;
      const c2 = b[i + 2]!;
      const lo = c === 0xe0 ? 0xa0 : 0x80;
      const hi = c === 0xed ? 0x9f : 0xbf;
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80) {
        cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
        len = 3;
      }
    } else if (c >= 0xf0 && c <= 0xf4 && i + 3 < n) {
      const c1 = b[i + 1]!;
      const lo = c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xf4 ? 0x8f : 0xbf;
      if (c1 >= lo && c1 <= hi && (b[i + 2]! & 0xc0) === 0x80 && (b[i + 3]! & 0xc0) === 0x80) {
        cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
        len = 4;
      }
    }
    chunk.push(cp);
    if (chunk.length >= 4096) flush();
    i += len;
  }
  flush();
  return out;
}

/** Go's case-insensitive key fold for matching struct field names. */
export function foldKey(k: string): string {
  return k.toUpperCase().toLowerCase();
}

/** The error Go reports for a JSON value of the wrong type; the request is rejected. */
export function typeError(what: string, got: unknown): ParseError {
  const kind = got === null ? "null" : Array.isArray(got) ? "array" : typeof got === "object" ? "object" : typeof got;
  return new ParseError(`Cannot unmarshal ${kind} into ${what}`);
}

/** A JSON string field: null/absent → "", a string as is, anything else rejects the request. */
export function goString(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  throw typeError(what, v);
}

/** A JSON float64 field: null/absent → 0; numbers that overflowed (±Infinity) reject the request as in Go. */
export function goFloat(v: unknown, what: string): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ParseError(`Cannot unmarshal number out of range into ${what}`);
    return v;
  }
  if (v === null || v === undefined) return 0;
  throw typeError(what, v);
}

/** A JSON array field: null/absent → empty, an array as is, anything else rejects the request. */
export function goArray(v: unknown, what: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return EMPTY;
  throw typeError(what, v);
}

/** A JSON object (struct) value: null → undefined (zero struct), an object as is, else rejects. */
export function goObject(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  throw typeError(what, v);
}

const EMPTY: readonly unknown[] = [];

/**
 * Truncates a float64 to int64 as Go's conversion does on amd64: toward zero,
 * and out-of-range values (and NaN) become -2^63.
 */
export function goInt64(x: number): number {
  const t = Math.trunc(x);
  if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return -9223372036854775808;
  return t;
}
