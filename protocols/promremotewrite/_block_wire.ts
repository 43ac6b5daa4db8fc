/**
 * Low-level protobuf writers for BlockBuilder (encode.ts): short ASCII strings, short byte-range labels, Sample
 * message bodies, the staleness marker's bytes and the BlockMark snapshot type. Free functions over a byte array and
 * a position, returning the new position, so the builder's hot paths call them without allocating.
 *
 * @module
 */

import { varintSize } from "../_shared/varint.ts";

export { putShortLabel } from "../_shared/label_encoder.ts";

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const TWO_32 = 4294967296;
/** Little-endian bytes of the Prometheus staleness marker 0x7ff0000000000002. */
export const STALE_NAN_BYTES: Readonly<Uint8Array> = new Uint8Array([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

/**
 * Writes the length byte and bytes of `s` (fewer than 128 UTF-16 units) at `p` when it is all ASCII; returns the end,
 * or -1 (bytes at `p` garbage) at the first non-ASCII unit.
 */
export function putShortAscii(b: Uint8Array, p: number, s: string): number {
  const n = s.length;
  const lenPos = p++;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    b[p++] = c;
  }
  b[lenPos] = n;
  return p;
}

/**
 * Writes a Sample message body at `p` (value field when `hasValue`, from `valueBytes` or `value`; timestamp field
 * when `t` ≠ 0) and returns the position after it.
 */
export function putSampleBody(
  b: Uint8Array,
  p: number,
  hasValue: boolean,
  valueBytes: Readonly<Uint8Array> | null,
  value: number,
  t: number,
): number {
  if (hasValue) {
    let vb = valueBytes;
    if (vb === null) {
      F64[0] = value;
      vb = F64_BYTES;
    }
    b[p] = 0x09;
    b[p + 1] = vb[0]!;
    b[p + 2] = vb[1]!;
    b[p + 3] = vb[2]!;
    b[p + 4] = vb[3]!;
    b[p + 5] = vb[4]!;
    b[p + 6] = vb[5]!;
    b[p + 7] = vb[6]!;
    b[p + 8] = vb[7]!;
    p += 9;
  }
  if (t !== 0) {
    b[p++] = 0x10;
    // int64 varint from two's-complement halves; `>>> 0` takes each half modulo 2^32, which handles negatives.
    let lo = t >>> 0;
    let hi = Math.floor(t / TWO_32) >>> 0;
    while (hi) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo >= 128) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    b[p++] = lo;
  }
  return p;
}

/** Bytes of the Sample body putSampleBody writes for `hasValue` and the integer timestamp `t`. */
export function sampleBodyLength(hasValue: boolean, t: number): number {
  return (hasValue ? 9 : 0) + (t === 0 ? 0 : t < 0 ? 11 : 1 + varintSize(t));
}

/** Position-restoring snapshot of a BlockBuilder (see BlockBuilder.mark). */
export interface BlockMark {
  readonly byteLength: number;
  readonly rows: number;
  readonly series: number;
  readonly labels: number;
}

/**
 * A source array and a DataView of it, kept while the same array comes back:
 * a DataView per copy would cost more than the copy. One per source that
 * alternates with others (a builder keeps one for the label scratch).
 */
export class SourceView {
  #array: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));

  of(src: Uint8Array): DataView {
    if (src !== this.#array) {
      this.#array = src;
      this.#view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    return this.#view;
  }
}

/**
 * Copies `src[start, end)` to `b` (whose view is `dv`) at `p`, room already
 * made; returns the end. Four bytes at a time through DataViews below 512
 * bytes: about twice a byte loop, and no subarray() object per call.
 */
export function copyRange(
  b: Uint8Array,
  dv: DataView,
  src: Uint8Array,
  from: SourceView,
  start: number,
  end: number,
  p: number,
): number {
  const n = end - start;
  if (n < 16) {
    for (let i = start; i < end; i++) b[p++] = src[i]!;
    return p;
  }
  if (n >= 512) {
    b.set(src.subarray(start, end), p);
    return p + n;
  }
  const sv = from.of(src);
  let i = start;
  for (const end4 = end - 4; i <= end4; i += 4, p += 4) dv.setInt32(p, sv.getInt32(i));
  for (; i < end; i++) b[p++] = src[i]!;
  return p;
}
