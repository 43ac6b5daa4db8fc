/**
 * A protobuf field scanner with the semantics of VictoriaMetrics' `easyproto`
 * reader, which vmagent uses for OpenTelemetry and DataDog v2 bodies: the
 * same inputs are accepted and rejected.
 * - Wire types 0 (varint), 1 (i64), 2 (len), 5 (i32); groups (3, 4) and 6, 7
 *   are errors. Varints follow Go's `binary.Uvarint` (≤10 bytes, the 10th ≤ 1).
 * - A field number above 2^32-1 is an error; field number 0 is accepted.
 * - Typed accessors check the wire type; a mismatch is reported by the caller
 *   as an error, as vmagent does ("cannot read X").
 * - `getField` scans only up to the first occurrence of a field (Go's
 *   `easyproto.Get*`): bytes after it are not checked.
 *
 * The scanner keeps the last field in the module-level {@linkcode fc}; callers
 * copy what they need before the next call. Not re-entrant across bodies, but
 * nested scans are fine because each caller keeps its own positions.
 *
 * @module
 */

import { decodeRange } from "../_shared/bytes.ts";
import { ParseError } from "../_shared/protocol.ts";

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** The field read by the last next()/getField(): number, wire type, and its value or data range. */
export const fc = {
  num: 0,
  wire: 0,
  /** Data range for WIRE_LEN; for WIRE_I64 `start` is the position of the 8 bytes. */
  start: 0,
  end: 0,
  /** Low and high 32 bits (unsigned) of a varint / fixed value. */
  lo: 0,
  hi: 0,
};

/** Low/high halves of the last varint read by uvarint(). */
let vlo = 0;
let vhi = 0;

const TWO_32 = 4294967296;

/** Reads a Go `binary.Uvarint` at `p`; returns the new position, or -1 on truncation/overflow. */
function uvarint(buf: Uint8Array, p: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (p + i >= end) return -1;
    const b = buf[p + i]!;
    const v = b & 0x7f;
    const s = 7 * i;
    if (s < 28) {
      lo = (lo | (v << s)) >>> 0;
    } else if (s === 28) {
      lo = (lo | ((v & 0x0f) << 28)) >>> 0;
      hi = (hi | (v >>> 4)) >>> 0;
    } else {
      hi = (hi | (v << (s - 32))) >>> 0;
    }
    if (b < 0x80) {
      if (i === 9 && b > 1) return -1;
      vlo = lo;
      vhi = hi;
      return p + i + 1;
    }
  }
  return -1;
}

/** Reads the field at `p` into {@linkcode fc}; returns the position after it. Throws ParseError when malformed. */
export function next(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) throw new ParseError("Cannot unmarshal field from empty message");
  let q = uvarint(buf, p, end);
  if (q < 0) throw new ParseError("Cannot unmarshal field tag from uvarint");
  const num = (vlo >>> 3) + vhi * 536870912;
  if (num > 0xffffffff) throw new ParseError(`Field number ${num} is bigger than uint32max`);
  const wire = vlo & 7;
  fc.num = num;
  fc.wire = wire;
  switch (wire) {
    case WIRE_LEN: {
      q = uvarint(buf, q, end);
      if (q < 0) throw new ParseError(`Cannot read message length for field #${num}`);
      if (vhi !== 0 || vlo > end - q) throw new ParseError(`Cannot read data for field #${num} from ${end - q} bytes`);
      fc.start = q;
      fc.end = q + vlo;
      return fc.end;
    }
    case WIRE_VARINT:
      q = uvarint(buf, q, end);
      if (q < 0) throw new ParseError(`Cannot read varint after field tag for field #${num}`);
      fc.lo = vlo;
      fc.hi = vhi;
      return q;
    case WIRE_I64:
      if (end - q < 8) throw new ParseError(`Cannot read i64 for field #${num}`);
      fc.start = q;
      fc.lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
      fc.hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
      return q + 8;
    case WIRE_I32:
      if (end - q < 4) throw new ParseError(`Cannot read i32 for field #${num}`);
      fc.start = q;
      fc.lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
      fc.hi = 0;
      return q + 4;
    default:
      throw new ParseError(`Unknown wireType=${wire}`);
  }
}

/**
 * Scans [p, end) up to the first field `num` (Go's `easyproto.Get*`): true with
 * {@linkcode fc} set when found, false when absent. A malformed field before it,
 * or a different wire type, throws.
 */
export function getField(buf: Uint8Array, p: number, end: number, num: number, wire: number): boolean {
  while (p < end) {
    p = next(buf, p, end);
    if (fc.num !== num) continue;
    if (fc.wire !== wire) throw new ParseError(`Field #${num} has unexpected wireType ${fc.wire}; want ${wire}`);
    return true;
  }
  return false;
}

/**
 * Reads fields from `p` up to the next field `num`, which must be of wire type
 * LEN ("Cannot read `what`" otherwise): returns the position after it, with
 * its data range in {@linkcode fc}, or -1 when there is none before `end`.
 * Loop over a repeated message field with
 * `while ((p = nextLen(buf, p, end, num, what)) >= 0) decode(buf, fc.start, fc.end);`.
 */
export function nextLen(buf: Uint8Array, p: number, end: number, num: number, what: string): number {
  while (p < end) {
    p = next(buf, p, end);
    if (fc.num !== num) continue;
    if (fc.wire !== WIRE_LEN) throw new ParseError(`Cannot read ${what}`);
    return p;
  }
  return -1;
}

/** Throws the "cannot read X" error vmagent reports for a field of the wrong wire type. */
export function expectWire(wire: number, what: string): void {
  if (fc.wire !== wire) throw new ParseError(`Cannot read ${what}`);
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** The last I64 field as a double. */
export function fcDouble(): number {
  U32[0] = fc.lo;
  U32[1] = fc.hi;
  return F64[0]!;
}

/** The last varint/fixed64 as an unsigned number (rounded above 2^53, like Go's float64(uint64)). */
export function fcUint(): number {
  return fc.hi * TWO_32 + fc.lo;
}

/** The last varint/fixed64 as a signed int64 number (rounded above 2^53 like Go's float64(int64)). */
export function fcInt(): number {
  return fc.hi >= 0x80000000 ? (fc.hi - TWO_32) * TWO_32 + fc.lo : fc.hi * TWO_32 + fc.lo;
}

/** The last varint/fixed64 as an exact signed int64 decimal string. */
export function fcIntString(): string {
  if (fc.hi === 0) return String(fc.lo);
  if (fc.hi === 0xffffffff && fc.lo >= 0x80000000) return String(fc.lo - TWO_32);
  return BigInt.asIntN(64, (BigInt(fc.hi) << 32n) | BigInt(fc.lo)).toString();
}

/** easyproto's uint32 accessor: a varint above 2^32-1 is not a uint32. */
export function fcUint32(what: string): number {
  if (fc.wire !== WIRE_VARINT || fc.hi !== 0) throw new ParseError(`Cannot read ${what}`);
  return fc.lo;
}

/** easyproto's sint32 accessor (zigzag over a uint32). */
export function fcSint32(what: string): number {
  const u = fcUint32(what);
  return (u >>> 1) ^ -(u & 1);
}

/** easyproto's bool accessor: only 0 and 1 are bools. */
export function fcBool(what: string): boolean {
  if (fc.wire !== WIRE_VARINT || fc.hi !== 0 || fc.lo > 1) throw new ParseError(`Cannot read ${what}`);
  return fc.lo === 1;
}

/**
 * floor(uint64 / 1e6) exactly, for nanosecond timestamps → ms (Go's
 * `int64(ns / 1e6)`; the result is < 2^45, so exact in a double).
 */
export function fcNanosToMillis(): number {
  // hi·2^32 = hi·4294·10^6 + hi·967296; the remainder part stays below 2^53.
  const rest = fc.hi * 967296 + fc.lo;
  const r = rest % 1e6;
  return fc.hi * 4294 + (rest - r) / 1e6;
}

/** The last LEN field as a string (invalid UTF-8 replaced). */
export function fcString(buf: Uint8Array): string {
  return decodeRange(buf, fc.start, fc.end);
}

/** Number of the last field read (a call, so TypeScript does not narrow it across next() calls). */
export function fnum(): number {
  return fc.num;
}

/** A growable list of numbers (bucket counts, bounds), reused across data points. */
export class NumberList {
  a = new Float64Array(64);
  n = 0;

  push(v: number): void {
    if (this.n === this.a.length) {
      const g = new Float64Array(this.a.length * 2);
      g.set(this.a);
      this.a = g;
    }
    this.a[this.n++] = v;
  }
}

/**
 * easyproto's UnpackFixed64s / UnpackDoubles: one I64 value, or a packed LEN
 * run whose length must be a multiple of 8; appended to `dst`.
 */
export function unpackFixed64s(buf: Uint8Array, dst: NumberList, asDouble: boolean, what: string): void {
  if (fc.wire === WIRE_I64) {
    dst.push(asDouble ? fcDouble() : fcUint());
    return;
  }
  if (fc.wire !== WIRE_LEN || (fc.end - fc.start) % 8 !== 0) throw new ParseError(`Cannot read ${what}`);
  for (let q = fc.start; q < fc.end; q += 8) {
    const lo = (buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16) | (buf[q + 3]! << 24)) >>> 0;
    const hi = (buf[q + 4]! | (buf[q + 5]! << 8) | (buf[q + 6]! << 16) | (buf[q + 7]! << 24)) >>> 0;
    if (asDouble) {
      U32[0] = lo;
      U32[1] = hi;
      dst.push(F64[0]!);
    } else dst.push(hi * TWO_32 + lo);
  }
}

/** easyproto's UnpackUint64s: one varint, or a packed LEN run of varints; appended to `dst`. */
export function unpackUint64s(buf: Uint8Array, dst: NumberList, what: string): void {
  if (fc.wire === WIRE_VARINT) {
    dst.push(fcUint());
    return;
  }
  if (fc.wire !== WIRE_LEN) throw new ParseError(`Cannot read ${what}`);
  const e = fc.end;
  let q = fc.start;
  while (q < e) {
    q = uvarint(buf, q, e);
    if (q < 0) throw new ParseError(`Cannot read ${what}`);
    dst.push(vhi * TWO_32 + vlo);
  }
}
