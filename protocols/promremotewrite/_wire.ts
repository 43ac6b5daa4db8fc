/**
 * Protobuf wire readers for the WriteRequest scanner (decode.ts): varints,
 * tags, length prefixes and field skipping, each throwing
 * SyntaxError("Cannot parse WriteRequest: …") on malformed input. A reader
 * returns the new position; its value, if any, is left in {@link val}
 * (module-level, so the hot loops allocate nothing).
 *
 * @module
 */

export const fail = (what: string): SyntaxError => new SyntaxError(`Cannot parse WriteRequest: ${what}`);

/** Second result of the readers below (the new position is the return value). */
export let val = 0;

/** Reads a varint (exact below 2^53); `val` = its value. */
export function varint(src: Uint8Array, p: number, end: number): number {
  if (p < end) {
    const b = src[p]!;
    if (b < 0x80) {
      val = b;
      return p + 1;
    }
  }
  const start = p;
  let result = 0;
  for (let i = 0, mul = 1; i < 10; i++, mul *= 128) {
    if (p >= end) throw fail(`truncated varint at offset ${start}`);
    const b = src[p++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      val = result; // exact below 2^53; only lengths and tags are read this way, and huge ones are rejected anyway
      return p;
    }
  }
  throw fail(`varint longer than 10 bytes at offset ${start}`);
}

/** Skips a varint without decoding it. */
export function skipVarint(src: Uint8Array, p: number, end: number): number {
  const limit = Math.min(end, p + 10);
  for (let q = p; q < limit; q++) if (src[q]! < 0x80) return q + 1;
  if (limit === p + 10) throw fail(`varint longer than 10 bytes at offset ${p}`);
  throw fail(`truncated varint at offset ${p}`);
}

/** Reads a length prefix at `p` and checks the payload fits before `end`; `val` = payload length. */
export function lengthPrefix(src: Uint8Array, p: number, end: number, field: string): number {
  const q = varint(src, p, end);
  if (val > end - q) throw fail(`${field} length ${val} at offset ${p} exceeds the remaining ${end - q} bytes`);
  return q;
}

/** Skips a field of wire type `wt` whose tag ends at `p`; returns the position after it. */
export function skipField(src: Uint8Array, p: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      return skipVarint(src, p, end);
    case 1:
      if (end - p < 8) throw fail(`truncated fixed64 at offset ${p}`);
      return p + 8;
    case 2:
      p = lengthPrefix(src, p, end, "field");
      return p + val;
    case 5:
      if (end - p < 4) throw fail(`truncated fixed32 at offset ${p}`);
      return p + 4;
    case 3:
      return skipGroup(src, p, end);
    case 4:
      throw fail(`unexpected end of group at offset ${p}`);
    default:
      throw fail(`unsupported wire type ${wt} at offset ${p}`);
  }
}

/**
 * Skips a (deprecated) group whose start tag ends at `p`, nested groups
 * included, as gogo/protobuf's skip does (vmagent): returns the position
 * after its end-group tag.
 */
function skipGroup(src: Uint8Array, p: number, end: number): number {
  const start = p;
  for (let depth = 1;;) {
    if (p >= end) throw fail(`unterminated group starting at offset ${start}`);
    p = tag(src, p, end);
    const wt = val & 7;
    if (wt === 4) {
      if (--depth === 0) return p;
    } else if (wt === 3) depth++;
    else p = skipField(src, p, end, wt);
  }
}

/** Reads a tag; returns new position, `val` = field number × 8 + wire type. */
export function tag(src: Uint8Array, p: number, end: number): number {
  const q = varint(src, p, end);
  if (val < 8) throw fail(`invalid field number 0 at offset ${p}`);
  return q;
}

export const wrongType = (field: string, wt: number, p: number): SyntaxError =>
  fail(`wrong wire type ${wt} for field ${field} at offset ${p}`);

/** Reads an int64 varint as a JS number (exact within ±2^53). */
export function int64(src: Uint8Array, p: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) throw fail(`truncated varint at offset ${p}`);
    const b = src[p++]!;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x7f) << 28;
      hi = (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      val = (hi | 0) * 4294967296 + (lo >>> 0);
      return p;
    }
  }
  throw fail(`varint longer than 10 bytes at offset ${p - 10}`);
}
