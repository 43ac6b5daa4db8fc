/**
 * A JSON reader that accepts exactly what vmagent v1.79.5's JSON parser
 * (valyala/fastjson v1.6.3) accepts, into a flat reusable "tape" instead of
 * objects. `JSON.parse` would not do: fastjson is lenient where it matters for
 * /api/put bodies — numbers are any run of `0-9 . - + e E` (checked only when
 * used, so `1.2.3` in an unused field is fine), `nan`/`inf` are numbers,
 * control characters pass inside strings, unknown escapes are kept verbatim —
 * and strict elsewhere (no BOM, nesting deeper than 300 is an error).
 *
 * Tape layout, one entry per value in document order: `kind`, `a`/`b` (the
 * source range of a string's contents or a number's token; for objects and
 * arrays `a` is the number of children, object children alternating key and
 * value, and `b` the position of the opening bracket) and `next` (the entry
 * after this value's subtree).
 *
 * Lifetime: entries are valid until the next parse(); the tape keeps its
 * capacity. Not for concurrent use (one per parse worker).
 *
 * @module
 */

import { unescapeJson } from "../_shared/json_unescape.ts";

export const enum Kind {
  Object = 1,
  Array = 2,
  /** A string without backslashes: its contents are the source range. */
  String = 3,
  /** A string with backslashes, unescaped on use. */
  EscapedString = 4,
  Number = 5,
  True = 6,
  False = 7,
  Null = 8,
}

/** Tape capacity (entries) above which parse() starts from a small tape again. */
const SHRINK_ABOVE = 1 << 20;

/** fastjson's nesting limit. */
const MAX_DEPTH = 300;

/** A JSON syntax error, worded like fastjson's. */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** ASCII case-insensitive check that s[i:i+3) is the lowercase word `w`. */
function fold3(s: string, i: number, w: string): boolean {
  return (
    i + 3 <= s.length &&
    (s.charCodeAt(i) | 0x20) === w.charCodeAt(0) &&
    (s.charCodeAt(i + 1) | 0x20) === w.charCodeAt(1) &&
    (s.charCodeAt(i + 2) | 0x20) === w.charCodeAt(2)
  );
}

/** Quotes the unparsed tail like fastjson's startEndString (first and last 40 chars of a long tail). */
function tail(s: string, i: number): string {
  const t = s.length - i > 80 ? `${s.slice(i, i + 40)}...${s.slice(-40)}` : s.slice(i);
  return JSON.stringify(t);
}

export class JsonTape {
  kind = new Uint8Array(64);
  a = new Int32Array(64);
  b = new Int32Array(64);
  next = new Int32Array(64);
  /** Per object entry: 1 once its keys were compared unescaped (fastjson's keysUnescaped). */
  keysUnescaped = new Uint8Array(64);
  length = 0;
  #s = "";
  #error = "";

  /** Source text of the last parse(). */
  get text(): string {
    return this.#s;
  }

  /** Parses `s` (the whole document); the root is entry 0. Throws JsonSyntaxError. */
  parse(s: string): void {
    // Don't keep the tape of a huge body (up to 14 bytes per value) for the worker's lifetime.
    if (this.kind.length > SHRINK_ABOVE) this.#allocate(64);
    this.#s = s;
    this.length = 0;
    let p = this.#ws(0);
    const end = this.#value(p, 0);
    if (end < 0) throw new JsonSyntaxError(`cannot parse JSON: ${this.#error}`);
    p = this.#ws(end);
    if (p < s.length) throw new JsonSyntaxError(`unexpected tail: ${tail(s, p)}`);
  }

  #ws(p: number): number {
    const s = this.#s;
    while (p < s.length && isSpace(s.charCodeAt(p))) p++;
    return p;
  }

  #push(kind: Kind, a: number, b: number): number {
    const i = this.length++;
    if (i >= this.kind.length) this.#grow();
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    this.next[i] = i + 1;
    this.keysUnescaped[i] = 0;
    return i;
  }

  #grow(): void {
    const { kind, a, b, next, keysUnescaped } = this;
    this.#allocate(kind.length * 2);
    this.kind.set(kind);
    this.a.set(a);
    this.b.set(b);
    this.next.set(next);
    this.keysUnescaped.set(keysUnescaped);
  }

  #allocate(n: number): void {
    this.kind = new Uint8Array(n);
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
    this.next = new Int32Array(n);
    this.keysUnescaped = new Uint8Array(n);
  }

  /** Returns -1 and sets #error on failure (a message with the unparsed tail). */
  #fail(msg: string, p: number): number {
    this.#error = `${msg}; unparsed tail: ${tail(this.#s, p)}`;
    return -1;
  }

  /** Parses one value at p; returns the position after it, or -1. */
  #value(p: number, depth: number): number {
    const s = this.#s;
    if (p >= s.length) return this.#fail("cannot parse empty string", p);
    if (++depth > MAX_DEPTH) return this.#fail(`too big depth for the nested JSON; it exceeds ${MAX_DEPTH}`, p);
    const c = s.charCodeAt(p);
    switch (c) {
      case 0x7b: // {
        return this.#container(p, depth, true);
      case 0x5b: // [
        return this.#container(p, depth, false);
      case 0x22: // "
        return this.#string(p);
      case 0x74: // t
        if (!s.startsWith("true", p)) return this.#fail(`unexpected value found: ${tail(s, p)}`, p);
        this.#push(Kind.True, p, p + 4);
        return p + 4;
      case 0x66: // f
        if (!s.startsWith("false", p)) return this.#fail(`unexpected value found: ${tail(s, p)}`, p);
        this.#push(Kind.False, p, p + 5);
        return p + 5;
      case 0x6e: // n: null, or NaN in any case
        if (s.startsWith("null", p)) {
          this.#push(Kind.Null, p, p + 4);
          return p + 4;
        }
        if (fold3(s, p, "nan")) {
          this.#push(Kind.Number, p, p + 3);
          return p + 3;
        }
        return this.#fail(`unexpected value found: ${tail(s, p)}`, p);
      default:
        return this.#number(p);
    }
  }

  #number(start: number): number {
    const s = this.#s;
    let p = start;
    for (; p < s.length; p++) {
      if (isNumberChar(s.charCodeAt(p))) continue;
      const n = p - start;
      if (n === 0 || (n === 1 && (s.charCodeAt(start) === 0x2d || s.charCodeAt(start) === 0x2b))) {
        if (fold3(s, p, "inf") || fold3(s, p, "nan")) {
          this.#push(Kind.Number, start, p + 3);
          return p + 3;
        }
        return this.#fail(`cannot parse number: unexpected char: ${JSON.stringify(s[p] ?? "")}`, p);
      }
      break;
    }
    this.#push(Kind.Number, start, p);
    return p;
  }

  #string(q: number): number {
    const s = this.#s;
    let backslashes = 0;
    let escaped = false;
    for (let p = q + 1; p < s.length; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x22 && backslashes % 2 === 0) {
        this.#push(escaped ? Kind.EscapedString : Kind.String, q + 1, p);
        return p + 1;
      }
      if (c === 0x5c) {
        backslashes++;
        escaped = true;
      } else backslashes = 0;
    }
    return this.#fail(`cannot parse string: missing closing '"'`, s.length);
  }

  #container(p: number, depth: number, isObject: boolean): number {
    const s = this.#s;
    const what = isObject ? "object" : "array";
    const self = this.#push(isObject ? Kind.Object : Kind.Array, 0, p);
    p = this.#ws(p + 1);
    if (p >= s.length) return this.#fail(`cannot parse ${what}: missing '${isObject ? "}" : "]"}'`, p);
    const close = isObject ? 0x7d : 0x5d;
    if (s.charCodeAt(p) === close) {
      this.next[self] = this.length;
      return p + 1;
    }
    let children = 0;
    for (;;) {
      p = this.#ws(p);
      if (isObject) {
        if (p >= s.length || s.charCodeAt(p) !== 0x22) {
          return this.#fail(`cannot parse object: cannot find opening '"" for object key`, p);
        }
        p = this.#string(p);
        if (p < 0) return -1;
        p = this.#ws(p);
        if (p >= s.length || s.charCodeAt(p) !== 0x3a) {
          return this.#fail("cannot parse object: missing ':' after object key", p);
        }
        p = this.#ws(p + 1);
      }
      p = this.#value(p, depth);
      if (p < 0) return -1;
      children++;
      p = this.#ws(p);
      if (p >= s.length) return this.#fail(`cannot parse ${what}: unexpected end of ${what}`, p);
      const c = s.charCodeAt(p);
      if (c === 0x2c) {
        p++;
        continue;
      }
      if (c === close) {
        this.a[self] = children;
        this.next[self] = this.length;
        return p + 1;
      }
      return this.#fail(`cannot parse ${what}: missing ',' after ${what} value`, p);
    }
  }

  /** Up to `max` chars of the source of entry `i`, for log messages. */
  source(i: number, max = 200): string {
    const k = this.kind[i];
    const from = k === Kind.Object || k === Kind.Array
      ? this.b[i]!
      : k === Kind.String || k === Kind.EscapedString
      ? this.a[i]! - 1
      : this.a[i]!;
    return this.#s.slice(from, from + max);
  }

  /** The contents of string entry `i`, unescaped like fastjson. */
  string(i: number): string {
    const s = this.#s.slice(this.a[i]!, this.b[i]!);
    return this.kind[i] === Kind.EscapedString ? unescape(s) : s;
  }

  /** True when string entry `i` equals `key` (compared raw, without unescaping). */
  rawEquals(i: number, key: string): boolean {
    const a = this.a[i]!;
    return this.b[i]! - a === key.length && this.#s.startsWith(key, a);
  }

  /**
   * Value entry of `key` in object entry `obj`, or -1 (also for non-objects):
   * fastjson's Object.Get, including its quirk of first matching raw keys
   * until a lookup misses, after which keys are compared unescaped.
   */
  get(obj: number, key: string): number {
    if (this.kind[obj] !== Kind.Object) return -1;
    const n = this.a[obj]!;
    if (this.keysUnescaped[obj] === 0) {
      for (let k = obj + 1, c = 0; c < n; c++) {
        const v = k + 1;
        if (this.rawEquals(k, key)) return v;
        k = this.next[v]!;
      }
      this.keysUnescaped[obj] = 1;
    }
    for (let k = obj + 1, c = 0; c < n; c++) {
      const v = k + 1;
      if (this.kind[k] === Kind.String ? this.rawEquals(k, key) : this.string(k) === key) return v;
      k = this.next[v]!;
    }
    return -1;
  }
}

/** fastjson's unescapeStringBestEffort over a whole string (see ../_shared/json_unescape.ts). */
export function unescape(s: string): string {
  return unescapeJson(s, 0, s.length, s.indexOf("\\"));
}
