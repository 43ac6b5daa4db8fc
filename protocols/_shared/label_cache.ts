/**
 * Encoded label sets by the raw request bytes that determine them.
 *
 * A line of a push protocol names its series twice: once in the bytes of the
 * request (`cpu,host=a,dc=x` + field `usage`) and once in the protobuf
 * labels the remote gets (`__name__="cpu_usage" host="a" dc="x"`). Metric
 * agents see the same series over and over, so a parse worker keeps the
 * second form under the first: on a hit the labels are copied into the block
 * as bytes, with no string decoded, no escape handled, no label rule run and
 * no UTF-8 encoded. Only a miss goes through the protocol's string path and
 * the writer's label rules (see series_writer.ts), whose result is stored.
 *
 * A key is one or two byte ranges (e.g. an Influx line's measurement and tags,
 * then a field key) plus a `salt`: a small number standing for everything
 * else the labels depend on (the request's `extra_label`s, Influx's `db`).
 * A value is the concatenation of encoded `Label` messages of
 * `prometheus.TimeSeries` (field 1 entries) and their count, or a count of -1
 * for a series the label rules drop.
 *
 * Storage is flat and GC-free: key and value bytes in one arena, entry fields
 * in an Int32Array, an open-addressing table of entry numbers. The cache
 * starts small and doubles while the load needs it, up to `maxBytes`; when a
 * full cache at that size needs room, it is emptied and refilled (the
 * working set of a steady load fits, and a scan of one-off series cannot
 * grow it without bound). `maxBytes` counts the arena and the entry arrays.
 *
 * Not thread-safe; one per parse worker.
 *
 * @module
 */

/** Int32 fields per entry in #meta. */
const F_HASH = 0;
const F_SALT = 1;
const F_KEY = 2;
const F_LEN1 = 3;
const F_LEN2 = 4;
const F_VLEN = 5;
const F_LABELS = 6;
const STRIDE = 8;

const INITIAL_BYTES = 256 * 1024;
const INITIAL_ENTRIES = 2048;

/**
 * A 32-bit hash of `src[a, b)` continuing from `h` (use 0x811c9dc5 to start):
 * FNV-1a over bytes with a final mix. Parsers hash a key's ranges with it and
 * pass the result to {@linkcode LabelCache.find}.
 */
export function hashBytes(src: Uint8Array, a: number, b: number, h: number): number {
  for (let i = a; i < b; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  return h;
}

/** Table slot of hash `h`: FNV's low bits are mixed with its high ones first. */
function slotOf(h: number, mask: number): number {
  return (h ^ (h >>> 15)) & mask;
}

/** A power of two with room for `entries` at a load factor of at most 1/2. */
function tableSize(entries: number): number {
  let n = 16;
  while (n < entries * 2) n *= 2;
  return n;
}

/** Seed for {@linkcode hashBytes}. */
export const HASH_SEED = 0x811c9dc5;

/** See the module comment. */
export class LabelCache {
  readonly maxBytes: number;
  #arena: Uint8Array;
  #arenaView: DataView;
  /** The key source last compared against, and a view of it. */
  #src: Uint8Array = new Uint8Array(0);
  #srcView: DataView = new DataView(new ArrayBuffer(0));
  #used = 0;
  #meta: Int32Array;
  #count = 0;
  #maxEntries: number;
  #table: Int32Array;
  #mask: number;
  /** Lookups that found an entry, missed, and times the cache was emptied (for self-metrics). */
  hits = 0;
  misses = 0;
  resets = 0;

  constructor(maxBytes: number) {
    this.maxBytes = Math.max(4 * INITIAL_BYTES, maxBytes);
    this.#arena = new Uint8Array(INITIAL_BYTES);
    this.#arenaView = new DataView(this.#arena.buffer);
    this.#maxEntries = INITIAL_ENTRIES;
    this.#meta = new Int32Array(this.#maxEntries * STRIDE);
    this.#table = new Int32Array(tableSize(this.#maxEntries));
    this.#mask = this.#table.length - 1;
  }

  /** Bytes held: arena, entry fields and table. */
  get byteSize(): number {
    return this.#arena.byteLength + this.#meta.byteLength + this.#table.byteLength;
  }

  /** Entries stored. */
  get size(): number {
    return this.#count;
  }

  /** The arena that value offsets refer to; valid until the next add(). */
  get arena(): Uint8Array {
    return this.#arena;
  }

  /**
   * The entry for key (`src[a1, b1)` then `src[a2, b2)`, `salt`) whose hash
   * is `h`, or -1. An entry number is valid until the next add() or clear().
   */
  find(h: number, salt: number, src: Uint8Array, a1: number, b1: number, a2: number, b2: number): number {
    const meta = this.#meta;
    const table = this.#table;
    const mask = this.#mask;
    for (let slot = slotOf(h, mask);; slot = (slot + 1) & mask) {
      const e = table[slot]! - 1;
      if (e < 0) {
        this.misses++;
        return -1;
      }
      const m = e * STRIDE;
      if (meta[m + F_HASH] === h && meta[m + F_SALT] === salt && this.#keyEquals(m, src, a1, b1, a2, b2)) {
        this.hits++;
        return e;
      }
    }
  }

  #keyEquals(m: number, src: Uint8Array, a1: number, b1: number, a2: number, b2: number): boolean {
    const meta = this.#meta;
    const len1 = meta[m + F_LEN1]!;
    if (len1 !== b1 - a1 || meta[m + F_LEN2] !== b2 - a2) return false;
    const k = meta[m + F_KEY]!;
    return this.#rangeEquals(src, a1, b1, k) && this.#rangeEquals(src, a2, b2, k + len1);
  }

  /** Whether `src[a, b)` equals the arena bytes at `k`; compares four bytes at a time through DataViews. */
  #rangeEquals(src: Uint8Array, a: number, b: number, k: number): boolean {
    if (src !== this.#src) {
      this.#src = src;
      this.#srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    const sv = this.#srcView;
    const av = this.#arenaView;
    let i = a;
    for (const end4 = b - 4; i <= end4; i += 4, k += 4) if (sv.getInt32(i) !== av.getInt32(k)) return false;
    const arena = this.#arena;
    for (; i < b; i++, k++) if (arena[k] !== src[i]) return false;
    return true;
  }

  /**
   * Stores `value[0, valueLen)` (`labels` encoded labels, -1 = dropped) under
   * the key and returns its entry number. Grows or empties the cache when
   * full; an entry too large for the whole cache is not stored (-1).
   */
  add(
    h: number,
    salt: number,
    src: Uint8Array,
    a1: number,
    b1: number,
    a2: number,
    b2: number,
    value: Uint8Array,
    valueLen: number,
    labels: number,
  ): number {
    const need = b1 - a1 + (b2 - a2) + valueLen;
    if (need > this.maxBytes / 4) return -1;
    if (this.#used + need > this.#arena.length || this.#count >= this.#maxEntries) this.#makeRoom(need);
    const e = this.#count++;
    const m = e * STRIDE;
    const meta = this.#meta;
    const arena = this.#arena;
    let k = this.#used;
    meta[m + F_HASH] = h;
    meta[m + F_SALT] = salt;
    meta[m + F_KEY] = k;
    meta[m + F_LEN1] = b1 - a1;
    meta[m + F_LEN2] = b2 - a2;
    meta[m + F_VLEN] = valueLen;
    meta[m + F_LABELS] = labels;
    for (let i = a1; i < b1; i++) arena[k++] = src[i]!;
    for (let i = a2; i < b2; i++) arena[k++] = src[i]!;
    if (valueLen < 32) {
      for (let i = 0; i < valueLen; i++) arena[k++] = value[i]!;
    } else {
      arena.set(value.subarray(0, valueLen), k);
      k += valueLen;
    }
    this.#used = k;
    const table = this.#table;
    const mask = this.#mask;
    let slot = slotOf(h, mask);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = e + 1;
    return e;
  }

  /** Offset in {@link arena} of entry `e`'s value. */
  valueOffset(e: number): number {
    const m = e * STRIDE;
    const meta = this.#meta;
    return meta[m + F_KEY]! + meta[m + F_LEN1]! + meta[m + F_LEN2]!;
  }

  valueLength(e: number): number {
    return this.#meta[e * STRIDE + F_VLEN]!;
  }

  /** Number of encoded labels of entry `e`; -1 when its series is dropped. */
  labels(e: number): number {
    return this.#meta[e * STRIDE + F_LABELS]!;
  }

  /** Forgets every entry (keeps the current size). */
  clear(): void {
    this.#used = 0;
    this.#count = 0;
    this.#table.fill(0);
  }

  /**
   * Makes room for an entry of `need` bytes: doubles the arena or the entry
   * arrays (whichever is full) while the total stays within maxBytes, else
   * empties the cache.
   */
  #makeRoom(need: number): void {
    const arenaFull = this.#used + need > this.#arena.length;
    const entriesFull = this.#count >= this.#maxEntries;
    const entries = entriesFull ? this.#maxEntries * 2 : this.#maxEntries;
    const entryBytes = entries * STRIDE * 4 + tableSize(entries) * 4;
    let arenaBytes = this.#arena.length;
    if (arenaFull) {
      // Double, but never past what maxBytes leaves after the entry arrays.
      arenaBytes = Math.min(Math.max(arenaBytes * 2, this.#used + need), this.maxBytes - entryBytes);
    }
    if (this.#used + need > arenaBytes || arenaBytes + entryBytes > this.maxBytes) {
      this.resets++;
      this.clear();
      return;
    }
    if (arenaFull) {
      const arena = new Uint8Array(arenaBytes);
      arena.set(this.#arena.subarray(0, this.#used));
      this.#arena = arena;
      this.#arenaView = new DataView(arena.buffer);
    }
    if (entriesFull) {
      const meta = new Int32Array(entries * STRIDE);
      meta.set(this.#meta.subarray(0, this.#count * STRIDE));
      this.#meta = meta;
      this.#maxEntries = entries;
      const table = new Int32Array(tableSize(entries));
      const mask = table.length - 1;
      for (let e = 0; e < this.#count; e++) {
        let slot = slotOf(meta[e * STRIDE + F_HASH]!, mask);
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = e + 1;
      }
      this.#table = table;
      this.#mask = mask;
    }
  }
}
