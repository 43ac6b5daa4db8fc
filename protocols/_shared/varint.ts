/**
 * Unsigned varints (protobuf base-128) for non-negative integers below 2^53.
 *
 * @module
 */

/** Number of bytes of the varint encoding of `v`. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes `v` at `b[p]`; returns the position after it. */
export function putVarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    b[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  b[p++] = v;
  return p;
}
