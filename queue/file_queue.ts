/**
 * Persistent FIFO of opaque blocks (snappy/zstd WriteRequests) for one
 * `-remoteWrite.url`, compatible in layout with vmagent's
 * `<tmpDataPath>/persistent-queue/<N>_<HEX16>` (see {@link queueDirName}) but
 * with checksummed records (see _record.ts) that survive partial damage.
 *
 * Thread ownership: one FileQueue lives on the remote-write sender worker and
 * is used only from it; all I/O is synchronous node:fs on that thread.
 *
 * Durability (what a crash can lose):
 * - kill -9 / process crash: nothing that write() accepted to disk, since the
 *   data is in the kernel page cache. Blocks handed out but not done(), and
 *   blocks done() after the last metainfo save (≤ 1 s, see tick()), are
 *   replayed after restart: delivery is at-least-once. Blocks in the memory
 *   fallback (outcome "memory") are lost.
 * - power loss / kernel crash: with fsyncPolicy "always", nothing written
 *   before the last sync() returned; with "interval", at most the writes of
 *   the last fsyncIntervalMs (plus the time since the last tick()); with
 *   "never", whatever the OS had not flushed yet; plus the replays above.
 *   A torn record at the end is truncated on open; damaged records elsewhere
 *   are skipped (resync to the next valid record) and counted.
 *
 * Callers should call tick() every 100 ms–1 s whatever the policy: it
 * fsyncs ("interval"), saves metainfo.json and retries the disk after errors.
 */
import { resolve } from "node:path";
import { type Chunk, ChunkStore } from "./_chunk_store.ts";
import { importLegacyQueue } from "./_legacy.ts";
import {
  acquireLock,
  chunkName,
  METAINFO_FILE,
  NODE_FS,
  QUEUE_FORMAT,
  type QueueFs,
  readMetainfo,
  releaseLock,
  writeMetainfo,
} from "./_queue_dir.ts";
import { HEADER_SIZE } from "./_record.ts";

export { LegacyImportError } from "./_legacy.ts";
export { queueDirName, type QueueFs, QueueLockedError } from "./_queue_dir.ts";

/** Options of {@link FileQueue.open}. */
export interface FileQueueOptions {
  /** Queue directory; created if missing. */
  dir: string;
  /** Stored in metainfo.json (e.g. "1:secret-url"). */
  name: string;
  /** Max framed bytes of pending data (disk + memory); 0 = unlimited. Oldest blocks are dropped first. */
  maxDiskUsage: number;
  /** Target chunk file size. @default 16 MiB */
  chunkSize?: number;
  /** Max payload bytes of one block; longer blocks are dropped. @default 32 MiB */
  maxBlockSize?: number;
  fsyncPolicy: "always" | "interval" | "never";
  fsyncIntervalMs: number;
  /** Bytes of recently written blocks kept in memory so next() needs no disk read. */
  memoryCacheBytes: number;
  /** Bytes of blocks kept in memory when the disk fails (full, EIO); beyond that blocks are dropped. */
  memoryFallbackBytes: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  logger?: (level: "warn" | "error" | "info", msg: string) => void;
  /** Filesystem functions. @default node:fs */
  fs?: QueueFs;
}

/** A block handed out by next(): `rows` is what write() was told, 0 when unknown (read back from disk). */
export interface QueuedBlock {
  readonly id: number;
  readonly data: Uint8Array;
  readonly rows: number;
}

const EMPTY = new Uint8Array(0);

/** Where write() put a block. */
export type WriteOutcome = "disk" | "memory" | "dropped";

/** Cumulative counters since open. Bytes are payload bytes unless noted. */
export interface FileQueueStats {
  /** Written to disk (including memory-fallback blocks moved to disk later). */
  bytesWritten: number;
  blocksWritten: number;
  /** Handed out by next(). */
  bytesRead: number;
  blocksRead: number;
  /** Oldest blocks dropped for maxDiskUsage, new blocks refused (limits, closed queue, full fallback). */
  blocksDropped: number;
  bytesDropped: number;
  /** Damaged regions skipped by the reader (one per resync) and their size in file bytes. */
  corruptedRecordsSkipped: number;
  corruptedBytesSkipped: number;
  /** File bytes cut off the last chunk on open because the final record was incomplete. */
  tornTailBytesTruncated: number;
  /** Failed writes, fsyncs and metainfo saves. */
  diskWriteErrors: number;
  /** Blocks accepted into the memory fallback. */
  memoryFallbackBlocks: number;
  /** Blocks and their bytes imported on open from a queue left by vmagent (see _legacy.ts). */
  legacyBlocksImported: number;
  legacyBytesImported: number;
  /** File bytes of that vmagent queue that could not be parsed as records (garbage or torn tails). */
  legacyBytesUnreadable: number;
}

const MIB = 1024 * 1024;
const META_SAVE_INTERVAL_MS = 1000;
const DISK_RETRY_INTERVAL_MS = 1000;
const WARN_INTERVAL_MS = 5000;

/** Persistent per-URL block queue; see the module comment for durability and threading. */
export class FileQueue {
  /** Cumulative counters; read-only for callers. */
  readonly stats: FileQueueStats = {
    bytesWritten: 0, blocksWritten: 0, bytesRead: 0, blocksRead: 0, blocksDropped: 0, bytesDropped: 0,
    corruptedRecordsSkipped: 0, corruptedBytesSkipped: 0, tornTailBytesTruncated: 0, diskWriteErrors: 0,
    memoryFallbackBlocks: 0, legacyBlocksImported: 0, legacyBytesImported: 0, legacyBytesUnreadable: 0,
  };
  readonly #dir: string;
  readonly #name: string;
  readonly #maxDiskUsage: number;
  readonly #chunkSize: number;
  readonly #maxBlockSize: number;
  readonly #policy: FileQueueOptions["fsyncPolicy"];
  readonly #fsyncIntervalMs: number;
  readonly #cacheLimit: number;
  readonly #fallbackLimit: number;
  readonly #now: () => number;
  readonly #log: (level: "warn" | "error" | "info", msg: string) => void;
  readonly #fs: QueueFs;
  readonly #store: ChunkStore;

  /** Index in #store.chunks of the reader's chunk. */
  #readIdx = 0;
  /** Global offset of the next disk record to hand out. */
  #readPos = 0;
  /** Disk blocks at or after #readPos (approximate after corruption). */
  #diskUnread = 0;
  /** Framed bytes of all blocks not yet done. */
  #pending = 0;
  /** Ids of handed-out disk blocks in offset order; entries before #inflightHead or absent from #inflightSize are done. */
  #inflightIds: number[] = [];
  #inflightHead = 0;
  readonly #inflightSize = new Map<number, number>();
  /** Recently written blocks by id, oldest first; an entry is removed when its block is handed out or dropped. */
  readonly #cache = new Map<number, QueuedBlock>();
  /** A disk record read by peek() and not handed out yet (id -1 = none): next() takes it without reading again. */
  #peekId = -1;
  #peekData: Uint8Array = EMPTY;
  #cacheBytes = 0;
  /** Memory fallback FIFO from #fallbackHead (not handed out), and handed-out fallback blocks by negative id. */
  #fallback: Uint8Array[] = [];
  #fallbackHead = 0;
  readonly #fallbackInflight = new Map<number, Uint8Array>();
  /** Payload bytes held by the fallback, handed out or not. */
  #fallbackBytes = 0;
  #fallbackSeq = 0;
  #metaDirty = true;
  #lastSync = 0;
  #lastMetaSave = 0;
  #lastDiskError = Number.NEGATIVE_INFINITY;
  readonly #lastWarn = new Map<string, number>();
  #closed = false;

  private constructor(opts: FileQueueOptions) {
    const chunkSize = opts.chunkSize ?? 16 * MIB;
    const maxBlockSize = opts.maxBlockSize ?? 32 * MIB;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`Invalid chunkSize ${chunkSize}`);
    if (!Number.isSafeInteger(maxBlockSize) || maxBlockSize < 0 || maxBlockSize > 0xffffffff) {
      throw new RangeError(`Invalid maxBlockSize ${maxBlockSize}`);
    }
    if (!(opts.maxDiskUsage >= 0)) throw new RangeError(`Invalid maxDiskUsage ${opts.maxDiskUsage}`);
    this.#dir = resolve(opts.dir);
    this.#name = opts.name;
    this.#maxDiskUsage = opts.maxDiskUsage;
    this.#chunkSize = chunkSize;
    this.#maxBlockSize = maxBlockSize;
    this.#policy = opts.fsyncPolicy;
    this.#fsyncIntervalMs = opts.fsyncIntervalMs;
    this.#cacheLimit = opts.memoryCacheBytes;
    this.#fallbackLimit = opts.memoryFallbackBytes;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger ?? ((level, msg) => console[level](`persistent queue ${opts.dir}: ${msg}`));
    this.#fs = opts.fs ?? NODE_FS;
    this.#store = new ChunkStore(this.#fs, this.#dir, chunkSize, maxBlockSize, this.#policy !== "never", (what, e) => {
      this.stats.diskWriteErrors++;
      this.#warn("io", `${what}: ${e}`);
    });
  }

  /**
   * Opens (creating if needed) and recovers the queue in `opts.dir`. A queue
   * left there by vmagent is first imported (see _legacy.ts; counted in the
   * legacy* stats), and LegacyImportError is thrown if that fails on I/O
   * errors, with vmagent's files kept for the next attempt. Then the last
   * chunk is validated and a torn tail truncated, the writer continues after
   * the last valid record whatever metainfo.json says, chunks wholly before
   * the saved reader offset are deleted, and an unreadable metainfo.json makes
   * the reader start at the oldest chunk. Throws only when the directory cannot
   * be created or listed, is locked by another live process (QueueLockedError)
   * or holds a vmagent queue that cannot be imported (LegacyImportError).
   */
  static open(opts: FileQueueOptions): FileQueue {
    const q = new FileQueue(opts);
    q.#fs.mkdirSync(q.#dir, { recursive: true });
    acquireLock(q.#fs, q.#dir);
    try {
      q.#recover();
    } catch (e) {
      q.#store.closeAll();
      releaseLock(q.#fs, q.#dir);
      throw e;
    }
    q.#lastSync = q.#now();
    q.#saveMeta(q.#policy !== "never");
    return q;
  }

  /**
   * Appends `block` (FIFO). The queue keeps a reference to `block` in its
   * memory cache or fallback, so the caller must not modify it afterwards.
   * Never throws: I/O errors divert blocks to the memory fallback, limits drop
   * blocks; both are counted in {@link stats}.
   */
  write(block: Uint8Array, rows = 0): WriteOutcome {
    const len = block.length;
    const rec = HEADER_SIZE + len;
    if (this.#closed) return this.#refuse(len, "closed", "Dropping block: queue is closed");
    if (len > this.#maxBlockSize) {
      return this.#refuse(len, "big", `Dropping block of ${len} bytes: larger than max block size ${this.#maxBlockSize}`);
    }
    if (this.#maxDiskUsage > 0) {
      if (rec > this.#maxDiskUsage) {
        return this.#refuse(len, "limit", `Dropping block of ${len} bytes: larger than maxDiskUsage ${this.#maxDiskUsage}`);
      }
      let dropped = 0;
      while (this.#pending + rec > this.#maxDiskUsage && this.#dropOldest()) dropped++;
      if (dropped > 0) this.#warn("oldest", `Dropped ${dropped} oldest blocks to stay within maxDiskUsage ${this.#maxDiskUsage}`);
      this.#deleteDoneChunks();
      if (this.#pending + rec > this.#maxDiskUsage) {
        return this.#refuse(len, "inflight", "Dropping new block: maxDiskUsage is reached by blocks being sent");
      }
    }
    // While the fallback holds blocks, new ones queue behind them to keep FIFO order.
    if (this.#fallbackHead === this.#fallback.length && this.#writeDisk(block, rows)) {
      this.#pending += rec;
      return "disk";
    }
    if (this.#fallbackBytes + len > this.#fallbackLimit) {
      return this.#refuse(len, "fallback", `Dropping block: memory fallback is full (${this.#fallbackLimit} bytes)`);
    }
    this.#fallback.push(block);
    this.#fallbackBytes += len;
    this.#pending += rec;
    this.stats.memoryFallbackBlocks++;
    return "memory";
  }

  /** Fsyncs written data and new chunk files now, whatever the policy. Never throws. */
  sync(): void {
    this.#lastSync = this.#now();
    try {
      this.#store.sync();
    } catch (e) {
      this.stats.diskWriteErrors++;
      this.#warn("fsync", `Cannot fsync queue data: ${e}`);
    }
  }

  /**
   * Periodic housekeeping: fsync for policy "interval", save metainfo at most
   * once per second, and move memory-fallback blocks back to disk at most once
   * per second after a disk error. Never throws.
   */
  tick(): void {
    if (this.#closed) return;
    const now = this.#now();
    if (this.#policy === "interval" && this.#store.dirty && now - this.#lastSync >= this.#fsyncIntervalMs) this.sync();
    if (this.#fallbackHead < this.#fallback.length && now - this.#lastDiskError >= DISK_RETRY_INTERVAL_MS) {
      const moved = this.#spillFallback();
      if (moved > 0) this.#log("info", `Disk writes work again; moved ${moved} memory-fallback blocks to disk`);
    }
    if (this.#metaDirty && now - this.#lastMetaSave >= META_SAVE_INTERVAL_MS) this.#saveMeta(this.#policy !== "never");
  }

  /**
   * Hands out the oldest block not yet handed out, or null if none. `id` is
   * the block's queue offset (negative for memory-fallback blocks). `data` is
   * owned by the queue and stays valid until done(id). Disk records that fail
   * validation are skipped and counted. Never throws.
   */
  next(): QueuedBlock | null {
    if (this.#closed) return null;
    while (this.#advanceReader()) {
      const c = this.#store.chunks[this.#readIdx]!;
      const id = this.#readPos;
      let rows = 0;
      let data: Uint8Array | number | undefined;
      const cached = this.#takeCached(id);
      if (cached !== undefined) {
        data = cached.data;
        rows = cached.rows;
      } else if (this.#peekId === id) {
        data = this.#peekData;
      } else {
        data = this.#store.readRecord(c, id - c.start);
        if (typeof data === "number") {
          this.#skipCorrupted(c, id - c.start, data);
          continue;
        }
      }
      this.#clearPeek();
      const size = HEADER_SIZE + data.length;
      this.#inflightIds.push(id);
      this.#inflightSize.set(id, size);
      this.#readPos += size;
      this.#diskUnread = Math.max(0, this.#diskUnread - 1);
      this.stats.blocksRead++;
      this.stats.bytesRead += data.length;
      return { id, data, rows };
    }
    if (this.#fallbackHead === this.#fallback.length) return null;
    const data = this.#shiftFallback();
    const id = -++this.#fallbackSeq;
    this.#fallbackInflight.set(id, data);
    this.stats.blocksRead++;
    this.stats.bytesRead += data.length;
    return { id, data, rows: 0 };
  }

  /**
   * Like next(), but hands the block out only if `accept(data, rows)` says
   * so; otherwise it stays first in line (null is returned). The sender uses
   * it to pack records into one request without overshooting its limits.
   */
  nextIf(accept: (data: Uint8Array, rows: number) => boolean): QueuedBlock | null {
    if (this.#closed) return null;
    while (this.#advanceReader()) {
      const c = this.#store.chunks[this.#readIdx]!;
      const id = this.#readPos;
      const cached = this.#cache.get(id);
      if (cached !== undefined) return accept(cached.data, cached.rows) ? this.next() : null;
      if (this.#peekId !== id) {
        const data = this.#store.readRecord(c, id - c.start);
        if (typeof data === "number") {
          this.#skipCorrupted(c, id - c.start, data);
          continue;
        }
        this.#peekId = id;
        this.#peekData = data;
      }
      return accept(this.#peekData, 0) ? this.next() : null;
    }
    if (this.#fallbackHead === this.#fallback.length) return null;
    return accept(this.#fallback[this.#fallbackHead]!, 0) ? this.next() : null;
  }

  #clearPeek(): void {
    this.#peekId = -1;
    this.#peekData = EMPTY;
  }

  /**
   * Marks a handed-out block as delivered or permanently dropped. Acks may
   * come in any order; the saved reader offset is the smallest offset not yet
   * done, so in-flight blocks are replayed after a crash or close (and so are
   * blocks done out of order after it). Unknown ids are ignored.
   */
  done(id: number): void {
    if (id < 0) {
      const data = this.#fallbackInflight.get(id);
      if (data === undefined) return;
      this.#fallbackInflight.delete(id);
      this.#fallbackBytes -= data.length;
      this.#pending -= HEADER_SIZE + data.length;
      return;
    }
    const size = this.#inflightSize.get(id);
    if (size === undefined) return;
    this.#inflightSize.delete(id);
    this.#pending -= size;
    const ids = this.#inflightIds;
    while (this.#inflightHead < ids.length && !this.#inflightSize.has(ids[this.#inflightHead]!)) this.#inflightHead++;
    if (this.#inflightHead === ids.length) {
      ids.length = 0;
      this.#inflightHead = 0;
    } else if (this.#inflightHead > 1024 && this.#inflightHead * 2 > ids.length) {
      this.#inflightIds = ids.slice(this.#inflightHead);
      this.#inflightHead = 0;
    }
    this.#metaDirty = true;
    this.#deleteDoneChunks();
  }

  /**
   * Moves memory-fallback blocks (handed out first, then pending) to disk,
   * fsyncs, saves metainfo and releases the directory. Blocks not done are
   * handed out again after reopening. Safe to call twice; never throws.
   */
  close(): void {
    if (this.#closed) return;
    this.#fallback = [...this.#fallbackInflight.values(), ...this.#fallback.slice(this.#fallbackHead)];
    this.#fallbackHead = 0;
    this.#fallbackInflight.clear();
    this.#spillFallback();
    const lost = this.#fallback.length - this.#fallbackHead;
    if (lost > 0) this.#log("error", `Lost ${lost} memory-fallback blocks on close: the disk write failed`);
    this.sync();
    this.#saveMeta(true);
    this.#store.closeAll();
    this.#closed = true;
    releaseLock(this.#fs, this.#dir);
  }

  /** Framed bytes (payload + 16 per block) of all blocks not yet done, on disk and in memory. */
  pendingBytes(): number {
    return this.#pending;
  }

  /** Payload bytes held in memory: the cache of recent blocks and the fallback (for self-metrics). */
  memoryBytes(): { cache: number; fallback: number } {
    return { cache: this.#cacheBytes, fallback: this.#fallbackBytes };
  }

  /** Blocks not yet done (approximate after on-disk corruption). */
  pendingBlocks(): number {
    return this.#diskUnread + this.#inflightSize.size + this.#fallbackInflight.size +
      this.#fallback.length - this.#fallbackHead;
  }

  /** Offset below which every disk block is done: what metainfo.json saves as ReaderOffset. */
  #ackOffset(): number {
    return this.#inflightHead < this.#inflightIds.length ? this.#inflightIds[this.#inflightHead]! : this.#readPos;
  }

  #recover(): void {
    const store = this.#store;
    const imported = importLegacyQueue({
      fs: this.#fs,
      dir: this.#dir,
      name: this.#name,
      chunkSize: this.#chunkSize,
      maxBlockSize: this.#maxBlockSize,
      log: this.#log,
      onIoError: (what, e) => {
        this.stats.diskWriteErrors++;
        this.#log("warn", `${what}: ${e}`);
      },
    });
    if (imported !== null) {
      this.stats.legacyBlocksImported += imported.blocks;
      this.stats.legacyBytesImported += imported.bytes;
      this.stats.legacyBytesUnreadable += imported.unreadableBytes;
      this.stats.blocksDropped += imported.droppedBlocks;
      this.stats.bytesDropped += imported.droppedBytes;
    }
    const meta = readMetainfo(this.#fs, this.#dir);
    try {
      this.#fs.unlinkSync(`${this.#dir}/${METAINFO_FILE}.tmp`);
    } catch {
      // Usually absent.
    }
    store.load();
    const chunks = store.chunks;
    if (meta !== null && meta.format !== QUEUE_FORMAT && chunks.length > 0) {
      // Written by an unknown (newer) version; vmagent queues were imported above.
      this.#log("error", `Deleting ${store.totalBytes()} bytes of queue data in unsupported format "${meta.format}"`);
      store.removeOldest(chunks.length);
      store.writerOffset = meta.writerOffset;
    }
    if (meta === null && chunks.length > 0) this.#log("warn", `${METAINFO_FILE} is missing or unreadable; reading from the oldest chunk`);
    let reader = meta?.readerOffset ?? chunks[0]?.start ?? 0;
    let dead = 0;
    while (dead + 1 < chunks.length && chunks[dead]!.start + chunks[dead]!.size <= reader) dead++;
    store.removeOldest(dead);
    const last = chunks.at(-1);
    if (last === undefined) {
      this.#readPos = store.writerOffset = Math.max(store.writerOffset, meta?.writerOffset ?? 0);
      return;
    }
    if (reader < chunks[0]!.start) {
      if (meta !== null) this.#log("warn", `Reader offset ${reader} precedes the oldest chunk; starting at ${chunks[0]!.start}`);
      reader = chunks[0]!.start;
    }
    const scan = store.scan(last, Math.min(Math.max(reader - last.start, 0), last.size), true);
    if (scan.validEnd < last.size) {
      const cut = last.size - scan.validEnd;
      this.#log("warn", `Truncating ${cut} bytes of incomplete records at the end of chunk ${chunkName(last.start)}`);
      this.stats.tornTailBytesTruncated += cut;
      store.truncateLast(scan.validEnd);
    }
    if (reader > store.writerOffset) {
      this.#log("warn", `Reader offset ${reader} is past the end of the data ${store.writerOffset}; queue data was lost`);
      reader = store.writerOffset;
    }
    let idx = 0;
    while (idx + 1 < chunks.length && chunks[idx]!.start + chunks[idx]!.size <= reader) idx++;
    reader = Math.max(reader, chunks[idx]!.start);
    this.#readIdx = idx;
    this.#readPos = reader;
    this.#diskUnread = scan.blocks;
    this.#pending = chunks[idx]!.start - reader;
    for (let i = idx; i < chunks.length; i++) {
      const c = chunks[i]!;
      this.#pending += c.size;
      if (c === last) continue;
      this.#diskUnread += store.scan(c, Math.max(reader - c.start, 0), false).blocks;
      if (i !== idx) store.closeFd(c);
    }
  }

  /** Moves the reader onto the next unread disk byte; returns false when the disk part is drained. */
  #advanceReader(): boolean {
    const chunks = this.#store.chunks;
    for (;;) {
      const c = chunks[this.#readIdx];
      if (c === undefined) return false;
      if (this.#readPos < c.start + c.size) return true;
      if (this.#readIdx + 1 >= chunks.length) return false;
      this.#store.closeFd(c);
      this.#readIdx++;
      this.#readPos = chunks[this.#readIdx]!.start;
      this.#deleteDoneChunks();
    }
  }

  #takeCached(id: number): QueuedBlock | undefined {
    const b = this.#cache.get(id);
    if (b !== undefined) {
      this.#cache.delete(id);
      this.#cacheBytes -= b.data.length;
    }
    return b;
  }

  /** Skips the damaged record at local position `pos` of the reader's chunk by resyncing to the next valid one. */
  #skipCorrupted(c: Chunk, pos: number, code: number): void {
    const next = this.#store.resync(c, pos, code);
    const skipped = next - pos;
    this.stats.corruptedRecordsSkipped++;
    this.stats.corruptedBytesSkipped += skipped;
    this.#pending -= skipped;
    this.#diskUnread = Math.max(0, this.#diskUnread - 1);
    this.#readPos = c.start + next;
    this.#metaDirty = true;
    this.#warn("corrupt", `Skipped ${skipped} bytes of damaged data at offset ${c.start + pos} in chunk ${chunkName(c.start)}`);
  }

  /** Drops the oldest block not handed out (disk first, then memory fallback); false if there is none. */
  #dropOldest(): boolean {
    if (this.#advanceReader()) {
      const c = this.#store.chunks[this.#readIdx]!;
      const id = this.#readPos;
      const cached = this.#takeCached(id);
      if (this.#peekId === id) this.#clearPeek();
      const size = cached !== undefined ? HEADER_SIZE + cached.data.length : this.#store.recordSize(c, id - c.start);
      if (size < 0) {
        this.#skipCorrupted(c, id - c.start, size);
        return true;
      }
      this.#readPos += size;
      this.#pending -= size;
      this.#diskUnread = Math.max(0, this.#diskUnread - 1);
      this.#metaDirty = true;
      this.stats.blocksDropped++;
      this.stats.bytesDropped += size - HEADER_SIZE;
      return true;
    }
    if (this.#fallbackHead === this.#fallback.length) return false;
    const data = this.#shiftFallback();
    this.#fallbackBytes -= data.length;
    this.#pending -= HEADER_SIZE + data.length;
    this.stats.blocksDropped++;
    this.stats.bytesDropped += data.length;
    return true;
  }

  /** Appends one record to disk and the memory cache; false (counted, logged) on any I/O error. */
  #writeDisk(block: Uint8Array, rows = 0): boolean {
    const store = this.#store;
    const wasEmpty = store.chunks.length === 0;
    let id: number;
    try {
      id = store.append(block);
    } catch (e) {
      this.stats.diskWriteErrors++;
      this.#lastDiskError = this.#now();
      this.#warn("write", `Cannot write to the queue; using the memory fallback: ${e}`);
      return false;
    }
    if (wasEmpty) {
      this.#readIdx = 0;
      this.#readPos = store.chunks[0]!.start;
    }
    this.#diskUnread++;
    this.#metaDirty = true;
    this.stats.blocksWritten++;
    this.stats.bytesWritten += block.length;
    if (this.#cacheLimit >= block.length && block.length > 0) {
      this.#cache.set(id, { id, data: block, rows });
      this.#cacheBytes += block.length;
      while (this.#cacheBytes > this.#cacheLimit) {
        const [oldId, old] = this.#cache.entries().next().value!;
        this.#cache.delete(oldId);
        this.#cacheBytes -= old.data.length;
      }
    }
    return true;
  }

  /** Deletes chunk files whose records are all done, keeping the reader's and the writer's chunks. */
  #deleteDoneChunks(): void {
    const chunks = this.#store.chunks;
    const ack = this.#ackOffset();
    let n = 0;
    while (n < this.#readIdx && chunks[n]!.start + chunks[n]!.size <= ack) n++;
    if (n === 0) return;
    this.#store.removeOldest(n);
    this.#readIdx -= n;
    this.#metaDirty = true;
  }

  /** Moves pending memory-fallback blocks to disk in FIFO order until a write fails; returns how many moved. */
  #spillFallback(): number {
    let moved = 0;
    while (this.#fallbackHead < this.#fallback.length) {
      const data = this.#fallback[this.#fallbackHead]!;
      if (!this.#writeDisk(data)) break;
      this.#shiftFallback();
      this.#fallbackBytes -= data.length;
      moved++;
    }
    return moved;
  }

  #shiftFallback(): Uint8Array {
    const data = this.#fallback[this.#fallbackHead]!;
    this.#fallbackHead++;
    if (this.#fallbackHead === this.#fallback.length) {
      this.#fallback = [];
      this.#fallbackHead = 0;
    } else if (this.#fallbackHead > 1024 && this.#fallbackHead * 2 > this.#fallback.length) {
      this.#fallback = this.#fallback.slice(this.#fallbackHead);
      this.#fallbackHead = 0;
    }
    return data;
  }

  #saveMeta(durable: boolean): void {
    this.#lastMetaSave = this.#now();
    const meta = { name: this.#name, readerOffset: this.#ackOffset(), writerOffset: this.#store.writerOffset, format: QUEUE_FORMAT };
    try {
      writeMetainfo(this.#fs, this.#dir, meta, durable);
      this.#metaDirty = false;
    } catch (e) {
      this.stats.diskWriteErrors++;
      this.#warn("meta", `Cannot save ${METAINFO_FILE}: ${e}`);
    }
  }

  #refuse(len: number, key: string, msg: string): WriteOutcome {
    this.stats.blocksDropped++;
    this.stats.bytesDropped += len;
    this.#warn(key, msg);
    return "dropped";
  }

  /** Logs a warning at most once per WARN_INTERVAL_MS per key, so a stuck remote does not flood the log. */
  #warn(key: string, msg: string): void {
    const now = this.#now();
    const last = this.#lastWarn.get(key);
    if (last !== undefined && now - last < WARN_INTERVAL_MS) return;
    this.#lastWarn.set(key, now);
    this.#log("warn", msg);
  }
}
