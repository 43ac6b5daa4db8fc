/**
 * Compact per-target memory of scraped series, for stale markers,
 * `scrape_series_added` and `series_limit` (scrape_process.ts):
 *
 * - {@linkcode hash64}: a 64-bit hash (two 32-bit halves) of a series' raw
 *   key bytes, `name{labels}` exactly as the target sent them.
 * - {@linkcode HashSet64}: an open-addressing set of such hashes in typed
 *   arrays (no objects per series).
 * - {@linkcode HashCounts}: a multiset of them, for comparing the rows of
 *   two scrapes as vmagent does (duplicates count).
 * - {@linkcode KeyStore}: the raw keys of a scrape, front-coded (each key
 *   stores only what differs from the previous one: expositions are sorted,
 *   so neighbours share long prefixes), to rebuild the labels of a series
 *   that vanished.
 *
 * A target costs 8 bytes per series for the hashes plus its front-coded keys
 * (typically 10–20 bytes per series), against the ~100 bytes of a decoded
 * label set. Two different keys with equal 64-bit hashes would count as one
 * series; at 2^-64 per pair this is ignored.
 *
 * @module
 */

import { putVarint } from "../protocols/_shared/varint.ts";

/** Second half of the last hash64() result. */
export let hashHi = 0;

/**
 * 64-bit hash of `src[a, b)`: returns the low half and sets {@linkcode hashHi}.
 * Two independent multiply-rotate lanes over 4-byte words.
 */
export function hash64(src: Uint8Array, dv: DataView, a: number, b: number): number {
  let h1 = 0x9e3779b9 ^ (b - a);
  let h2 = 0x85ebca6b;
  let i = a;
  for (const end4 = b - 4; i <= end4; i += 4) {
    const k = dv.getInt32(i, true);
    h1 = Math.imul(h1 ^ k, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    h2 = Math.imul(h2 ^ k, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
  }
  for (; i < b; i++) {
    const c = src[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  h1 ^= h2 >>> 16;
  h1 = Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d);
  h2 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x297a2d39);
  hashHi = h2 ^ (h2 >>> 15);
  return h1 ^ (h1 >>> 16);
}

/** A set of 64-bit hashes (lo, hi). clear() keeps capacity. */
export class HashSet64 {
  #lo = new Int32Array(64);
  #hi = new Int32Array(64);
  #used = new Uint8Array(64);
  #mask = 63;
  size = 0;

  /** Empties the set, sized for `expected` entries. */
  reset(expected = 0): void {
    let cap = 64;
    while (cap < expected * 2) cap *= 2;
    if (cap > this.#used.length || cap * 8 < this.#used.length) {
      this.#lo = new Int32Array(cap);
      this.#hi = new Int32Array(cap);
      this.#used = new Uint8Array(cap);
      this.#mask = cap - 1;
    } else {
      this.#used.fill(0);
    }
    this.size = 0;
  }

  has(lo: number, hi: number): boolean {
    const mask = this.#mask;
    for (let s = (lo ^ (hi >>> 7)) & mask; this.#used[s] !== 0; s = (s + 1) & mask) {
      if (this.#lo[s] === lo && this.#hi[s] === hi) return true;
    }
    return false;
  }

  /** Adds the hash; false if it was there already. */
  add(lo: number, hi: number): boolean {
    if ((this.size + 1) * 2 > this.#used.length) this.#grow();
    const mask = this.#mask;
    let s = (lo ^ (hi >>> 7)) & mask;
    for (; this.#used[s] !== 0; s = (s + 1) & mask) {
      if (this.#lo[s] === lo && this.#hi[s] === hi) return false;
    }
    this.#used[s] = 1;
    this.#lo[s] = lo;
    this.#hi[s] = hi;
    this.size++;
    return true;
  }

  #grow(): void {
    const lo = this.#lo;
    const hi = this.#hi;
    const used = this.#used;
    const cap = used.length * 2;
    this.#lo = new Int32Array(cap);
    this.#hi = new Int32Array(cap);
    this.#used = new Uint8Array(cap);
    this.#mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < used.length; s++) if (used[s] !== 0) this.add(lo[s]!, hi[s]!);
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.#used.length * 9;
  }
}

/**
 * A multiset of 64-bit hashes: the previous scrape's rows, which the current
 * scrape's rows take one by one (scrape_series_added counts the rows that
 * find none left, as vmagent's GetRowsDiff does). A hash that was asked for
 * at least once is marked seen: its series is in the current scrape.
 */
export class HashCounts {
  #lo = new Int32Array(64);
  #hi = new Int32Array(64);
  /** Per slot: 0 free, else 1 + copies left; negative once seen (−1 − copies left). */
  #count = new Int32Array(64);
  #mask = 63;
  size = 0;

  /** Empties the multiset, sized for `expected` distinct hashes. */
  reset(expected = 0): void {
    let cap = 64;
    while (cap < expected * 2) cap *= 2;
    if (cap > this.#count.length || cap * 8 < this.#count.length) {
      this.#lo = new Int32Array(cap);
      this.#hi = new Int32Array(cap);
      this.#count = new Int32Array(cap);
      this.#mask = cap - 1;
    } else {
      this.#count.fill(0);
    }
    this.size = 0;
  }

  #slot(lo: number, hi: number): number {
    const mask = this.#mask;
    let s = (lo ^ (hi >>> 7)) & mask;
    while (this.#count[s] !== 0 && !(this.#lo[s] === lo && this.#hi[s] === hi)) s = (s + 1) & mask;
    return s;
  }

  /** Adds one copy of the hash. */
  add(lo: number, hi: number): void {
    if ((this.size + 1) * 2 > this.#count.length) this.#grow();
    const s = this.#slot(lo, hi);
    const c = this.#count[s]!;
    if (c === 0) {
      this.#lo[s] = lo;
      this.#hi[s] = hi;
      this.#count[s] = 2;
      this.size++;
    } else {
      this.#count[s] = c > 0 ? c + 1 : c - 1;
    }
  }

  /** Marks the hash seen and takes one copy of it; false if none was left. */
  take(lo: number, hi: number): boolean {
    const s = this.#slot(lo, hi);
    const c = this.#count[s]!;
    if (c === 0) return false;
    const left = c > 0 ? c - 1 : -1 - c;
    this.#count[s] = left > 0 ? -left : -1;
    return left > 0;
  }

  /** Whether take() was called for the hash. */
  seen(lo: number, hi: number): boolean {
    return this.#count[this.#slot(lo, hi)]! < 0;
  }

  #grow(): void {
    const lo = this.#lo;
    const hi = this.#hi;
    const count = this.#count;
    const cap = count.length * 2;
    this.#lo = new Int32Array(cap);
    this.#hi = new Int32Array(cap);
    this.#count = new Int32Array(cap);
    this.#mask = cap - 1;
    for (let s = 0; s < count.length; s++) {
      if (count[s] !== 0) {
        const t = this.#slot(lo[s]!, hi[s]!);
        this.#lo[t] = lo[s]!;
        this.#hi[t] = hi[s]!;
        this.#count[t] = count[s]!;
      }
    }
  }
}

/** Growable list of 64-bit hashes in two Int32Arrays. */
export class HashList {
  lo = new Int32Array(0);
  hi = new Int32Array(0);
  length = 0;

  push(lo: number, hi: number): void {
    if (this.length === this.lo.length) {
      const cap = Math.max(64, this.lo.length * 2);
      const l = new Int32Array(cap);
      const h = new Int32Array(cap);
      l.set(this.lo);
      h.set(this.hi);
      this.lo = l;
      this.hi = h;
    }
    this.lo[this.length] = lo;
    this.hi[this.length] = hi;
    this.length++;
  }

  /** A copy trimmed to its length (what a target keeps between scrapes). */
  trimmed(): HashList {
    const c = new HashList();
    c.lo = this.lo.slice(0, this.length);
    c.hi = this.hi.slice(0, this.length);
    c.length = this.length;
    return c;
  }
}

/**
 * Front-coded raw keys in scrape order: per key a varint of the bytes shared
 * with the previous key, a varint of the rest's length, and the rest.
 * Append-only; readers walk it with {@linkcode KeyStore.forEach}.
 */
export class KeyStore {
  #data: Uint8Array;
  #len = 0;
  count = 0;
  /** The last key appended, in full (front coding works against it). */
  #last = new Uint8Array(256);
  #lastLen = 0;

  constructor(capacity = 1024) {
    this.#data = new Uint8Array(capacity);
  }

  get byteSize(): number {
    return this.#data.byteLength + this.#last.byteLength;
  }

  /** Appends `src[a, b)`. */
  append(src: Uint8Array, a: number, b: number): void {
    const n = b - a;
    const last = this.#last;
    const max = Math.min(n, this.#lastLen);
    let shared = 0;
    while (shared < max && last[shared] === src[a + shared]) shared++;
    const rest = n - shared;
    this.#ensure(10 + rest);
    let p = putVarint(this.#data, this.#len, shared);
    p = putVarint(this.#data, p, rest);
    const d = this.#data;
    for (let i = a + shared; i < b; i++) d[p++] = src[i]!;
    this.#len = p;
    if (n > last.length) {
      const l = new Uint8Array(Math.max(n, last.length * 2));
      l.set(last.subarray(0, shared));
      this.#last = l;
    }
    const l = this.#last;
    for (let i = shared; i < n; i++) l[i] = src[a + i]!;
    this.#lastLen = n;
    this.count++;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#data.length) return;
    let cap = this.#data.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const d = new Uint8Array(cap);
    d.set(this.#data.subarray(0, this.#len));
    this.#data = d;
  }

  /**
   * Calls `fn(buf, len, index)` for each key in order; `buf[0, len)` holds the
   * key and is valid only during the call. Stops after `limit` keys.
   */
  forEach(fn: (buf: Uint8Array, len: number, index: number) => void, limit = this.count): void {
    let buf = new Uint8Array(256);
    const d = this.#data;
    let p = 0;
    for (let i = 0; i < limit && i < this.count; i++) {
      let shared = 0;
      for (let shift = 1;; shift *= 128) {
        const c = d[p++]!;
        shared += (c & 0x7f) * shift;
        if (c < 0x80) break;
      }
      let rest = 0;
      for (let shift = 1;; shift *= 128) {
        const c = d[p++]!;
        rest += (c & 0x7f) * shift;
        if (c < 0x80) break;
      }
      const n = shared + rest;
      if (n > buf.length) {
        const b = new Uint8Array(Math.max(n, buf.length * 2));
        b.set(buf.subarray(0, shared));
        buf = b;
      }
      for (let k = 0; k < rest; k++) buf[shared + k] = d[p++]!;
      fn(buf, n, i);
    }
  }

  /** A new store with the first `n` keys of this one. */
  prefix(n: number): KeyStore {
    const out = new KeyStore(Math.max(1024, this.#len));
    this.forEach((buf, len) => out.append(buf, 0, len), n);
    return out;
  }

  /** A copy whose buffer is trimmed to its contents (what a target keeps between scrapes). */
  trimmed(): KeyStore {
    const out = new KeyStore(Math.max(16, this.#len));
    out.#data.set(this.#data.subarray(0, this.#len));
    out.#len = this.#len;
    out.count = this.count;
    out.#last = this.#last.slice(0, Math.max(16, this.#lastLen));
    out.#lastLen = this.#lastLen;
    return out;
  }
}
