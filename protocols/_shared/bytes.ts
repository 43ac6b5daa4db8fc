/**
 * Small helpers for parsers that scan request bytes instead of decoded
 * strings. Parsers find separators on the bytes (every separator of these
 * protocols is ASCII, and UTF-8 never puts an ASCII byte inside a multi-byte
 * character) and decode only the ranges that must become strings, such as
 * label values on a label-cache miss.
 *
 * @module
 */

/** The bytes of `__name__`, for parsers that write the metric-name label from request bytes. */
export const NAME_LABEL: Uint8Array = new TextEncoder().encode("__name__");

/** A Buffer view of the last source decodeRange() read, for its native utf8Slice(). */
let lastSrc: Uint8Array = new Uint8Array(0);
let lastBuf = Buffer.alloc(0) as Buffer & { utf8Slice(start: number, end: number): string };

/**
 * `src[a, b)` as a string (UTF-8; invalid sequences become U+FFFD, and a BOM
 * is kept as data, as Go keeps the bytes and VictoriaMetrics later shows
 * them). Uses Buffer's native utf8Slice on a view of `src`: no subarray per
 * call, ~4× TextDecoder on short label strings.
 */
export function decodeRange(src: Uint8Array, a: number, b: number): string {
  if (b <= a) return "";
  if (src !== lastSrc) {
    lastSrc = src;
    lastBuf = Buffer.from(src.buffer, src.byteOffset, src.byteLength) as typeof lastBuf;
  }
  return lastBuf.utf8Slice(a, b);
}

/** Index of the first `byte` in `src[from, to)`, or -1. */
export function indexOfByte(src: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (src[i] === byte) return i;
  return -1;
}

/** Whether `src[a, b)` equals the ASCII `word`. */
export function bytesEqualAscii(src: Uint8Array, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (src[a + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Whether `src[a, b)` equals the ASCII `word` ignoring ASCII case (`word` in lower case). */
export function bytesEqualFold(src: Uint8Array, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((src[a + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

const scratch = new Uint8Array(64);

/**
 * The bytes of an ASCII-or-not string for the byte-level number parsers, in
 * a buffer reused across calls (valid until the next call). For callers that
 * hold a string (a decoded JSON token, a flag value).
 */
export function stringBytes(s: string): Uint8Array {
  if (s.length <= scratch.length) {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      scratch[i] = c;
    }
    if (ascii) return scratch.subarray(0, s.length);
  }
  return new TextEncoder().encode(s);
}

/**
 * The bytes of `parts` joined, in a new array of `total` bytes (their summed
 * length when omitted); a single part is returned as it is, not copied.
 */
export function concatBytes(parts: readonly Uint8Array[], total = -1): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  if (total < 0) {
    total = 0;
    for (const p of parts) total += p.byteLength;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
