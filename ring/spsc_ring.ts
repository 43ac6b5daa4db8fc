import {
  CAPACITY_INDEX,
  CONSUMER_WAITERS_INDEX,
  DATA_OFFSET,
  HEAD_INDEX,
  HEADER_BYTES,
  LENGTH_PREFIX_BYTES,
  MAGIC,
  MAGIC_INDEX,
  MAX_CAPACITY,
  MIN_CAPACITY,
  PAD_MARKER,
  PRODUCER_WAITERS_INDEX,
  RECORD_ALIGN,
  TAIL_INDEX,
} from "./layout.ts";

const RESOLVED_VOID: Promise<void> = Promise.resolve();
const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

/** Bytes a record with a `len`-byte payload occupies: length prefix + payload, rounded up to RECORD_ALIGN. */
function recordSize(len: number): number {
  return (LENGTH_PREFIX_BYTES + len + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
}

/**
 * Single-producer single-consumer ring of variable-length byte messages in a
 * SharedArrayBuffer (layout and index scheme: see layout.ts).
 *
 * Thread ownership: exactly one thread calls the producer methods
 * (tryWrite, waitForSpace) and exactly one thread calls the consumer methods
 * (tryRead, release, waitForData); they may be the same thread. Typically the
 * producer uses the instance from create() and the consumer the one from
 * attach() on a worker. Producer and consumer each keep private cursors in
 * their own instance, so two instances must never play the same role.
 *
 * Messages never wrap: a record that does not fit before the end of the data
 * area is preceded by a PAD marker and placed at position 0. Therefore the
 * largest message that always fits an empty ring, wherever the cursors are,
 * is `capacity / 2 - 4` bytes ({@link maxMessageSize}).
 *
 * Wake-ups use Atomics.waitAsync. In Bun a pending waitAsync does not keep the
 * event loop alive, so the waiting thread must be kept alive by something else
 * (a message listener on a worker, a server on the main thread).
 */
export class SpscRing {
  /** The shared memory; post it to the other thread and attach() there. */
  readonly sab: SharedArrayBuffer;
  /** Size of the data area in bytes. */
  readonly capacity: number;
  /** Largest payload tryWrite() accepts: capacity / 2 - 4, which fits an empty ring at any cursor position. */
  readonly maxMessageSize: number;

  readonly #header: Int32Array;
  readonly #data8: Uint8Array;
  readonly #data32: Int32Array;
  readonly #mask: number;

  // Producer-owned: next write counter and last HEAD seen (refreshed only when space looks short).
  #tail: number;
  #headCache: number;
  // Consumer-owned: counter after the last message handed out, and last TAIL seen.
  #readCursor: number;
  #releasedHead: number;
  #tailCache: number;

  private constructor(sab: SharedArrayBuffer, capacity: number) {
    this.sab = sab;
    this.capacity = capacity;
    this.maxMessageSize = capacity / 2 - LENGTH_PREFIX_BYTES;
    this.#header = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.#data8 = new Uint8Array(sab, DATA_OFFSET, capacity);
    this.#data32 = new Int32Array(sab, DATA_OFFSET, capacity / 4);
    this.#mask = capacity - 1;
    const head = Atomics.load(this.#header, HEAD_INDEX) >>> 0;
    const tail = Atomics.load(this.#header, TAIL_INDEX) >>> 0;
    this.#tail = tail;
    this.#headCache = head;
    this.#readCursor = head;
    this.#releasedHead = head;
    this.#tailCache = tail;
  }

  /** Allocates a ring with a `capacity`-byte data area (power of two in [4096, 2^30]). */
  static create(capacity: number): SpscRing {
    if (
      !Number.isInteger(capacity) ||
      capacity < MIN_CAPACITY ||
      capacity > MAX_CAPACITY ||
      (capacity & (capacity - 1)) !== 0
    ) {
      throw new RangeError(
        `Cannot create ring: capacity ${capacity} must be a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}]`,
      );
    }
    const sab = new SharedArrayBuffer(DATA_OFFSET + capacity);
    const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
    header[CAPACITY_INDEX] = capacity;
    // Visibility to the other thread comes from postMessage of the SAB; the store just orders MAGIC last.
    Atomics.store(header, MAGIC_INDEX, MAGIC);
    return new SpscRing(sab, capacity);
  }

  /** Wraps a SAB produced by create(), usually on another thread. Throws TypeError if it is not one. */
  static attach(sab: SharedArrayBuffer): SpscRing {
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < DATA_OFFSET + MIN_CAPACITY) {
      throw new TypeError("Cannot attach ring: expected a SharedArrayBuffer from SpscRing.create()");
    }
    const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
    if (Atomics.load(header, MAGIC_INDEX) !== MAGIC) {
      throw new TypeError("Cannot attach ring: bad magic word");
    }
    const capacity = Atomics.load(header, CAPACITY_INDEX);
    if (sab.byteLength !== DATA_OFFSET + capacity || (capacity & (capacity - 1)) !== 0) {
      throw new TypeError(`Cannot attach ring: capacity ${capacity} does not match buffer size ${sab.byteLength}`);
    }
    return new SpscRing(sab, capacity);
  }

  // ---------------------------------------------------------------- producer

  /**
   * Producer only. Appends one message made of the concatenation of `parts`
   * (copied; the caller keeps ownership of them) if there is room, and wakes a
   * waiting consumer. Never blocks. Returns false when the ring is too full.
   * Throws RangeError if the total length exceeds maxMessageSize.
   */
  tryWrite(parts: readonly Uint8Array[]): boolean {
    let len = 0;
    for (let i = 0; i < parts.length; i++) len += parts[i]!.byteLength;
    if (len > this.maxMessageSize) {
      throw new RangeError(`Cannot write message: ${len} bytes exceeds maxMessageSize ${this.maxMessageSize}`);
    }
    const rec = recordSize(len);
    const tail = this.#tail;
    let pos = tail & this.#mask;
    const pad = pos + rec > this.capacity ? this.capacity - pos : 0;
    const need = pad + rec;
    if (!this.#hasRoom(need)) return false;

    if (pad !== 0) {
      this.#data32[pos >> 2] = PAD_MARKER;
      pos = 0;
    }
    this.#data32[pos >> 2] = len;
    let off = pos + LENGTH_PREFIX_BYTES;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      this.#data8.set(part, off);
      off += part.byteLength;
    }
    this.#tail = (tail + need) >>> 0;
    // Seq-cst store publishes the record; the consumer's Atomics.load of TAIL acquires it.
    Atomics.store(this.#header, TAIL_INDEX, this.#tail | 0);
    // Dekker pairing with waitForData: we store TAIL then load WAITERS, the
    // consumer increments WAITERS then waitAsync compares TAIL, so at least one
    // of us sees the other's write and no wake-up is lost.
    if (Atomics.load(this.#header, CONSUMER_WAITERS_INDEX) !== 0) {
      Atomics.notify(this.#header, TAIL_INDEX);
    }
    return true;
  }

  /**
   * Producer only. Resolves true as soon as a `bytes`-byte message fits
   * (immediately, with a shared resolved promise, if it already does), or
   * false after `timeoutMs` (Infinity waits forever). Throws RangeError if
   * `bytes` exceeds maxMessageSize, since such a message can never fit.
   */
  waitForSpace(bytes: number, timeoutMs: number): Promise<boolean> {
    if (!(bytes >= 0 && bytes <= this.maxMessageSize)) {
      throw new RangeError(`Cannot wait for space: ${bytes} bytes exceeds maxMessageSize ${this.maxMessageSize}`);
    }
    const need = this.#spaceNeeded(recordSize(bytes));
    if (this.#hasRoom(need)) return RESOLVED_TRUE;
    return this.#waitForSpaceSlow(need, timeoutMs);
  }

  async #waitForSpaceSlow(need: number, timeoutMs: number): Promise<boolean> {
    const header = this.#header;
    const deadline = performance.now() + Math.max(0, timeoutMs);
    Atomics.add(header, PRODUCER_WAITERS_INDEX, 1);
    try {
      for (;;) {
        const head = Atomics.load(header, HEAD_INDEX);
        this.#headCache = head >>> 0;
        if (this.capacity - ((this.#tail - this.#headCache) >>> 0) >= need) return true;
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        // A release() between the load above and this call makes waitAsync return "not-equal".
        const res = Atomics.waitAsync(header, HEAD_INDEX, head, remaining);
        if (res.async) await res.value;
      }
    } finally {
      Atomics.sub(header, PRODUCER_WAITERS_INDEX, 1);
    }
  }

  /** Bytes a record of `rec` bytes consumes at the current tail, including the PAD skip if it must wrap. */
  #spaceNeeded(rec: number): number {
    const pos = this.#tail & this.#mask;
    return pos + rec > this.capacity ? this.capacity - pos + rec : rec;
  }

  #hasRoom(need: number): boolean {
    if (this.capacity - ((this.#tail - this.#headCache) >>> 0) >= need) return true;
    this.#headCache = Atomics.load(this.#header, HEAD_INDEX) >>> 0;
    return this.capacity - ((this.#tail - this.#headCache) >>> 0) >= need;
  }

  // ---------------------------------------------------------------- consumer

  /**
   * Consumer only. Returns a view of the next message or null when the ring
   * is empty. The view aliases shared memory: it stays valid until the next
   * release(), after which the producer may overwrite it. Several messages may
   * be read before one release() frees them all.
   */
  tryRead(): Uint8Array | null {
    let cursor = this.#readCursor;
    if (cursor === this.#tailCache) {
      this.#tailCache = Atomics.load(this.#header, TAIL_INDEX) >>> 0;
      if (cursor === this.#tailCache) return null;
    }
    let pos = cursor & this.#mask;
    let len = this.#data32[pos >> 2]!;
    if (len === PAD_MARKER) {
      // The producer publishes PAD and the record after it with one TAIL store, so the record at 0 is there.
      cursor = (cursor + this.capacity - pos) >>> 0;
      pos = 0;
      len = this.#data32[0]!;
    }
    if (len < 0 || len > this.maxMessageSize) {
      throw new RangeError(`Cannot read message: ring is corrupted (record length ${len} at position ${pos})`);
    }
    this.#readCursor = (cursor + recordSize(len)) >>> 0;
    const start = pos + LENGTH_PREFIX_BYTES;
    return this.#data8.subarray(start, start + len);
  }

  /**
   * Consumer only. Frees every message returned by tryRead() since the last
   * release() (their views must no longer be used) and wakes a producer
   * waiting in waitForSpace(). A no-op when nothing was read.
   */
  release(): void {
    const cursor = this.#readCursor;
    if (cursor === this.#releasedHead) return;
    this.#releasedHead = cursor;
    Atomics.store(this.#header, HEAD_INDEX, cursor | 0);
    // Same Dekker pairing as in tryWrite, with the roles swapped.
    if (Atomics.load(this.#header, PRODUCER_WAITERS_INDEX) !== 0) {
      Atomics.notify(this.#header, HEAD_INDEX);
    }
  }

  /**
   * Consumer only. Resolves when a message may be available: immediately (with
   * a shared resolved promise) if one is unread, otherwise once the producer
   * publishes or after `timeoutMs` (Infinity waits forever). Never rejects;
   * callers loop on tryRead() afterwards.
   */
  waitForData(timeoutMs: number): Promise<void> {
    const tail = Atomics.load(this.#header, TAIL_INDEX);
    if (tail >>> 0 !== this.#readCursor) return RESOLVED_VOID;
    const header = this.#header;
    Atomics.add(header, CONSUMER_WAITERS_INDEX, 1);
    const res = Atomics.waitAsync(header, TAIL_INDEX, tail, Math.max(0, timeoutMs));
    if (!res.async) {
      Atomics.sub(header, CONSUMER_WAITERS_INDEX, 1);
      return RESOLVED_VOID;
    }
    return res.value.then(() => {
      Atomics.sub(header, CONSUMER_WAITERS_INDEX, 1);
    });
  }

  /** Bytes currently occupied by published, unreleased records (including PAD); approximate under concurrency. */
  usedBytes(): number {
    const head = Atomics.load(this.#header, HEAD_INDEX);
    const tail = Atomics.load(this.#header, TAIL_INDEX);
    return (tail - head) >>> 0;
  }
}
