/**
 * Record framing of the persistent queue's chunk files.
 *
 * ```
 *  0        4        8        12       16
 *  +--------+--------+--------+--------+---------------------+
 *  | MAGIC  | LENGTH | P_CRC  | H_CRC  | payload (LENGTH B)  |
 *  +--------+--------+--------+--------+---------------------+
 *  all u32 big-endian; MAGIC = 0xD20E0001
 *  P_CRC = crc32(payload); H_CRC = crc32(bytes 0..11 of the header)
 * ```
 *
 * vmagent frames a block with a bare 8-byte length, so one flipped bit in a
 * length makes the rest of the chunk unreadable. Here the header carries its
 * own checksum: a length is trusted only when H_CRC matches (and it is never
 * larger than the configured max block size), so a damaged record never
 * drives an allocation, and the reader can resync by scanning for the next
 * MAGIC whose header and payload both validate. A record whose header is
 * valid but whose payload is not is skipped as a whole, since its length is
 * known to be right.
 *
 * Positions here are local to one chunk file; the caller adds the chunk's
 * start offset.
 */

/** First word of every record. */
export const RECORD_MAGIC = 0xd20e0001;
/** Bytes of framing before each payload. */
export const HEADER_SIZE = 16;

const MAGIC_B0 = RECORD_MAGIC >>> 24;
const SCAN_WINDOW = 64 * 1024;
const SCRATCH_KEEP = 1024 * 1024;

/**
 * Positional reader over one chunk file: fills `dst` from byte `pos` and
 * returns how many bytes were read (fewer at end of file). May throw on I/O
 * errors; callers treat that as unreadable data.
 */
export type ReadAt = (dst: Uint8Array, pos: number) => number;

/** Writes the header for `payload` into `dst[0..16)`. */
export function encodeHeader(dst: Uint8Array, payload: Uint8Array): void {
  const v = new DataView(dst.buffer, dst.byteOffset, HEADER_SIZE);
  v.setUint32(0, RECORD_MAGIC);
  v.setUint32(4, payload.length);
  v.setUint32(8, Bun.hash.crc32(payload));
  v.setUint32(12, Bun.hash.crc32(dst.subarray(0, 12)));
}

/**
 * Returns the payload length announced by the header at `h[off..off+16)`, or
 * -1 when the header is damaged or announces more than `maxBlockSize` bytes.
 */
export function parseHeader(h: Uint8Array, off: number, maxBlockSize: number): number {
  if (h.length - off < HEADER_SIZE) return -1;
  const v = new DataView(h.buffer, h.byteOffset + off, HEADER_SIZE);
  if (v.getUint32(0) !== RECORD_MAGIC) return -1;
  if (v.getUint32(12) !== Bun.hash.crc32(h.subarray(off, off + 12))) return -1;
  const len = v.getUint32(4);
  return len > maxBlockSize ? -1 : len;
}

/** Returns the payload checksum stored in the (already validated) header at `h[off..)`. */
export function headerPayloadCrc(h: Uint8Array, off: number): number {
  return new DataView(h.buffer, h.byteOffset + off, HEADER_SIZE).getUint32(8);
}

/**
 * Reusable helper that validates and scans records of one chunk file at a time.
 * Owned by a single FileQueue; its scratch buffers are reused across calls.
 */
export class RecordScanner {
  readonly #maxBlockSize: number;
  readonly #header = new Uint8Array(HEADER_SIZE);
  readonly #window = new Uint8Array(SCAN_WINDOW);
  #scratch = new Uint8Array(0);

  constructor(maxBlockSize: number) {
    this.#maxBlockSize = maxBlockSize;
  }

  /**
   * Checks the record at `pos` (file data ends at `end`). Returns its total
   * framed size, or -1 when the header is damaged, or -(framed size) - 1 when
   * the header is valid but the payload is truncated or fails its checksum.
   * With `verifyPayload` false only the header is checked.
   */
  check(read: ReadAt, pos: number, end: number, verifyPayload: boolean): number {
    if (end - pos < HEADER_SIZE || read(this.#header, pos) < HEADER_SIZE) return -1;
    const len = parseHeader(this.#header, 0, this.#maxBlockSize);
    if (len < 0) return -1;
    const size = HEADER_SIZE + len;
    if (pos + size > end) return -size - 1;
    if (!verifyPayload) return size;
    const crc = headerPayloadCrc(this.#header, 0);
    if (this.#scratch.length < len) this.#scratch = new Uint8Array(Math.max(len, this.#scratch.length * 2));
    const body = this.#scratch.subarray(0, len);
    if (read(body, pos + HEADER_SIZE) < len || Bun.hash.crc32(body) !== crc) return -size - 1;
    return size;
  }

  /**
   * Reads the payload of the record at `pos` into a new buffer owned by the
   * caller, or returns the negative {@link check} code when it does not validate.
   */
  readPayload(read: ReadAt, pos: number, end: number): Uint8Array | number {
    if (end - pos < HEADER_SIZE || read(this.#header, pos) < HEADER_SIZE) return -1;
    const len = parseHeader(this.#header, 0, this.#maxBlockSize);
    if (len < 0) return -1;
    const size = HEADER_SIZE + len;
    if (pos + size > end) return -size - 1;
    const body = new Uint8Array(len);
    if (read(body, pos + HEADER_SIZE) < len || Bun.hash.crc32(body) !== headerPayloadCrc(this.#header, 0)) {
      return -size - 1;
    }
    return body;
  }

  /**
   * Returns the position of the first valid record at or after `from`, or
   * `end` when there is none. Candidates are found by MAGIC and must pass
   * the same checks as {@link check}.
   */
  findNext(read: ReadAt, from: number, end: number, verifyPayload: boolean): number {
    const w = this.#window;
    let base = from;
    while (end - base >= HEADER_SIZE) {
      const n = read(w.subarray(0, Math.min(w.length, end - base)), base);
      if (n < 4) return end;
      // A candidate whose header straddles the window end is re-read by check().
      for (let i = 0; i + 4 <= n; i++) {
        if (
          w[i] !== MAGIC_B0 || ((w[i]! << 24) | (w[i + 1]! << 16) | (w[i + 2]! << 8) | w[i + 3]!) >>> 0 !== RECORD_MAGIC
        ) {
          continue;
        }
        if (this.check(read, base + i, end, verifyPayload) > 0) {
          this.#trimScratch();
          return base + i;
        }
      }
      if (n < w.length) break;
      base += n - 3;
    }
    this.#trimScratch();
    return end;
  }

  /**
   * Walks records from `from` to `end`. Corrupted regions are skipped by
   * resync. Returns the number of valid records, the end of the last valid
   * record (where a torn tail starts) and the number of corrupted regions.
   */
  scan(read: ReadAt, from: number, end: number, verifyPayload: boolean): ScanResult {
    const r: ScanResult = { blocks: 0, validEnd: from, corruptedRegions: 0 };
    let pos = from;
    while (pos < end) {
      const size = this.check(read, pos, end, verifyPayload);
      if (size > 0) {
        r.blocks++;
        pos += size;
        r.validEnd = pos;
        continue;
      }
      r.corruptedRegions++;
      pos = this.findNext(read, this.resyncFrom(pos, size), end, verifyPayload);
    }
    this.#trimScratch();
    return r;
  }

  /** Frees a large verification buffer so one big record does not pin up to maxBlockSize bytes for the queue's life. */
  #trimScratch(): void {
    if (this.#scratch.length > SCRATCH_KEEP) this.#scratch = new Uint8Array(0);
  }

  /** Where to resume scanning after a failed {@link check} at `pos` that returned `result`. */
  resyncFrom(pos: number, result: number): number {
    // A valid header with a bad payload gives a trustworthy length; skip the record whole.
    return result < -1 ? pos - result - 1 : pos + 1;
  }
}

/** Result of {@link RecordScanner.scan}. */
export interface ScanResult {
  blocks: number;
  validEnd: number;
  corruptedRegions: number;
}
