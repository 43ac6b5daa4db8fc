/**
 * Encodes label strings into `prometheus.TimeSeries` field-1 entries
 * (`Label{name, value}` messages with their tag and length) in a reusable
 * buffer. The series writer encodes each label set once this way and then
 * copies the bytes, from here or from its LabelCache.
 *
 * @module
 */

import { putVarint, varintSize } from "./varint.ts";

const textEncoder = new TextEncoder();

/**
 * Writes a field-1 Label entry from UTF-8 byte ranges at `p` (room already made) when every length fits one byte
 * (name + value < 124 bytes): no varints, no fix-up, byte loops (labels are short). Returns the end.
 */
export function putShortLabel(
  b: Uint8Array,
  p: number,
  nameSrc: Uint8Array,
  ns: number,
  ne: number,
  valueSrc: Uint8Array,
  vs: number,
  ve: number,
): number {
  const nl = ne - ns;
  const vl = ve - vs;
  b[p++] = 0x0a;
  b[p++] = 4 + nl + vl;
  b[p++] = 0x0a;
  b[p++] = nl;
  for (let i = ns; i < ne; i++) b[p++] = nameSrc[i]!;
  b[p++] = 0x12;
  b[p++] = vl;
  for (let i = vs; i < ve; i++) b[p++] = valueSrc[i]!;
  return p;
}

/** Growable buffer of encoded labels; reset() keeps capacity. */
export class LabelEncoder {
  buf = new Uint8Array(1024);
  /** Bytes written. */
  length = 0;
  /** Labels written. */
  count = 0;

  reset(): void {
    this.length = 0;
    this.count = 0;
  }

  #ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  /** Appends one label. Strings are written as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
  add(name: string, value: string): void {
    const nl = name.length;
    const vl = value.length;
    if (nl + vl < 124) {
      // One-byte lengths everywhere (label length = 2 + nl + 2 + vl < 128) if both are ASCII: copy the chars,
      // and find out on the way (any char ≥ 0x80 sets a high bit in `or`), redoing it the slow way if not.
      this.#ensure(4 + nl + vl + 2);
      const b = this.buf;
      let p = this.length;
      let or = 0;
      b[p++] = 0x0a;
      b[p++] = 4 + nl + vl;
      b[p++] = 0x0a;
      b[p++] = nl;
      for (let i = 0; i < nl; i++) {
        const c = name.charCodeAt(i);
        or |= c;
        b[p++] = c;
      }
      b[p++] = 0x12;
      b[p++] = vl;
      for (let i = 0; i < vl; i++) {
        const c = value.charCodeAt(i);
        or |= c;
        b[p++] = c;
      }
      if (or < 0x80) {
        this.length = p;
        this.count++;
        return;
      }
    }
    this.#addSlow(textEncoder.encode(name), textEncoder.encode(value));
  }

  /** Appends one label from UTF-8 byte ranges (copied). */
  addBytes(src: Uint8Array, ns: number, ne: number, vs: number, ve: number): void {
    this.addRanges(src, ns, ne, src, vs, ve);
  }

  /**
   * Appends one label from UTF-8 byte ranges of two arrays (copied): the
   * push parsers' bytes-to-bytes path, which encodes a line's tags once and
   * copies them for each of its series.
   */
  addRanges(nameSrc: Uint8Array, ns: number, ne: number, valueSrc: Uint8Array, vs: number, ve: number): void {
    const nl = ne - ns;
    const vl = ve - vs;
    if (nl + vl >= 124) {
      this.#addSlow(nameSrc.subarray(ns, ne), valueSrc.subarray(vs, ve));
      return;
    }
    this.#ensure(6 + nl + vl);
    this.length = putShortLabel(this.buf, this.length, nameSrc, ns, ne, valueSrc, vs, ve);
    this.count++;
  }

  #addSlow(n: Uint8Array, v: Uint8Array): void {
    const body = 1 + varintSize(n.length) + n.length + 1 + varintSize(v.length) + v.length;
    this.#ensure(1 + varintSize(body) + body);
    let p = this.length;
    const b = this.buf;
    b[p++] = 0x0a;
    p = putVarint(b, p, body);
    b[p++] = 0x0a;
    p = putVarint(b, p, n.length);
    b.set(n, p);
    p += n.length;
    b[p++] = 0x12;
    p = putVarint(b, p, v.length);
    b.set(v, p);
    p += v.length;
    this.length = p;
    this.count++;
  }
}
