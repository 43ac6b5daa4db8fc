/**
 * A tiny protobuf writer for the push benchmark's OTLP corpus: varints,
 * fixed64, doubles, strings, bytes and nested messages, written into one
 * growing buffer. A nested message is written in place after its tag; end()
 * then shifts it right by the size of its (canonical, minimal) length varint.
 *
 * Only what bench/_push_corpus.ts needs; not a general encoder.
 *
 * @module
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;

const enc = new TextEncoder();

/** Bytes of the minimal varint encoding of `n` (0 ≤ n < 2^53). */
function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

export class PbWriter {
  #buf = new Uint8Array(1 << 16);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  /** Start of each open nested message's body (just after its tag). */
  #open: number[] = [];

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.#buf.subarray(0, this.#len));
    this.#buf = b;
    this.#view = new DataView(b.buffer);
  }

  #varint(n: number): void {
    this.#reserve(10);
    while (n >= 0x80) {
      this.#buf[this.#len++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.#buf[this.#len++] = n;
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** A varint field (uint32/uint64/enum/bool below 2^53). */
  uint(field: number, v: number): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(v);
    return this;
  }

  /** A fixed64 field (e.g. `time_unix_nano`). */
  fixed64(field: number, v: bigint): this {
    this.#tag(field, WIRE_I64);
    this.#reserve(8);
    this.#view.setBigUint64(this.#len, v, true);
    this.#len += 8;
    return this;
  }

  /** A double field. */
  double(field: number, v: number): this {
    this.#tag(field, WIRE_I64);
    this.#reserve(8);
    this.#view.setFloat64(this.#len, v, true);
    this.#len += 8;
    return this;
  }

  /** A length-delimited field holding `b` as is (bytes, or an already encoded message). */
  bytes(field: number, b: Uint8Array): this {
    this.#tag(field, WIRE_LEN);
    this.#varint(b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** Bytes that are already encoded fields (e.g. a pre-encoded run of repeated attributes), appended as they are. */
  raw(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, enc.encode(s));
  }

  /** Opens a nested message in `field`; close it with end(). */
  begin(field: number): this {
    this.#tag(field, WIRE_LEN);
    this.#open.push(this.#len);
    return this;
  }

  /** Closes the innermost begin(): writes its length before its body. */
  end(): this {
    const start = this.#open.pop();
    if (start === undefined) throw new RangeError("PbWriter.end() without begin()");
    const n = this.#len - start;
    const s = varintSize(n);
    this.#reserve(s);
    this.#buf.copyWithin(start + s, start, this.#len);
    let p = start;
    let v = n;
    while (v >= 0x80) {
      this.#buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[p] = v;
    this.#len += s;
    return this;
  }

  /** A copy of everything written so far; then the writer is empty again. */
  finish(): Uint8Array {
    if (this.#open.length > 0) throw new RangeError("PbWriter.finish() with an open message");
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }
}
