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
 *
 * Parts: recovery on open (_recover.ts), chunk files (_chunk_store.ts), the
 * reader's position and damaged-record skipping (_disk_reader.ts),
 * records (_record.ts), the memory cache (_block_cache.ts), the memory
 * fallback (_memory_fallback.ts), acks (_inflight.ts), the directory
 * (_queue_dir.ts) and vmagent's layout (_legacy.ts).
 *
 * @module
 */
import { resolve } from "node:path";
import { BlockCache } from "./_block_cache.ts";
import { type Chunk, ChunkStore } from "./_chunk_store.ts";
import { DiskReader } from "./_disk_reader.ts";
import { InflightBlocks } from "./_inflight.ts";
import { MemoryFallback } from "./_memory_fallback.ts";
import {
  acquireLock,
  chunkName,
  METAINFO_FILE,
  NODE_FS,
  QUEUE_FORMAT,
  type QueueFs,
  releaseLock,
  writeMetainfo,
} from "./_queue_dir.ts";
import { HEADER_SIZE } from "./_record.ts";
import { recoverQueue } from "./_recover.ts";
import {
  emptyStats,
  type FileQueueOptions,
  type FileQueueStats,
  type QueuedBlock,
  type QueueLogger,
  type WriteOutcome,
} from "./_types.ts";

export { LegacyImportError } from "./_legacy.ts";
export { queueDirName, type QueueFs, QueueLockedError } from "./_queue_dir.ts";
export type { FileQueueOptions, FileQueueStats, QueuedBlock, QueueLogger, WriteOutcome } from "./_types.ts";

const MIB = 1024 * 1024;
const META_SAVE_INTERVAL_MS = 1000;
const DISK_RETRY_INTERVAL_MS = 1000;
const WARN_INTERVAL_MS = 5000;

/** Persistent per-URL block queue; see the module comment for durability and threading. */
export class FileQueue {
  /** Cumulative counters; read-only for callers. */
  readonly stats: FileQueueStats = emptyStats();

  readonly #dir: string;
  readonly #name: string;
  readonly #maxDiskUsage: number;
  readonly #chunkSize: number;
  readonly #maxBlockSize: number;
  readonly #policy: FileQueueOptions["fsyncPolicy"];
  readonly #fsyncIntervalMs: number;
  readonly #now: () => number;
  readonly #log: QueueLogger;
  readonly #fs: QueueFs;
  readonly #store: ChunkStore;
  readonly #reader: DiskReader;
  /** Framed bytes of all blocks not yet done. */
  #pending = 0;
  readonly #inflight = new InflightBlocks();
  readonly #cache: BlockCache;
  readonly #fallback: MemoryFallback;
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
    this.#cache = new BlockCache(opts.memoryCacheBytes);
    this.#fallback = new MemoryFallback(opts.memoryFallbackBytes);
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger ?? ((level, msg) => console[level](`persistent queue ${opts.dir}: ${msg}`));
    this.#fs = opts.fs ?? NODE_FS;
    this.#store = new ChunkStore(this.#fs, this.#dir, chunkSize, maxBlockSize, this.#policy !== "never", (what, e) => {
      this.stats.diskWriteErrors++;
      this.#warn("io", `${what}: ${e}`);
    });
    this.#reader = new DiskReader(this.#store, this.#cache, {
      chunkLeft: () => this.#deleteDoneChunks(),
      skipped: (c, pos, bytes) => this.#skipped(c, pos, bytes),
    });
  }

  /**
   * Opens (creating if needed) and recovers the queue in `opts.dir`: a queue
   * left there by vmagent is imported first (counted in the legacy* stats),
   * then a torn tail is truncated and the reader placed (see _recover.ts).
   * Throws only when the directory cannot be created or listed, is locked by
   * another live process (QueueLockedError) or holds a vmagent queue that
   * cannot be imported on I/O errors (LegacyImportError; vmagent's files are
   * kept for the next attempt).
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
      return this.#refuse(
        len,
        "big",
        `Dropping block of ${len} bytes: larger than max block size ${this.#maxBlockSize}`,
      );
    }
    if (this.#maxDiskUsage > 0) {
      if (rec > this.#maxDiskUsage) {
        return this.#refuse(
          len,
          "limit",
          `Dropping block of ${len} bytes: larger than maxDiskUsage ${this.#maxDiskUsage}`,
        );
      }
      let dropped = 0;
      while (this.#pending + rec > this.#maxDiskUsage && this.#dropOldest()) dropped++;
      if (dropped > 0) {
        this.#warn("oldest", `Dropped ${dropped} oldest blocks to stay within maxDiskUsage ${this.#maxDiskUsage}`);
      }
      this.#deleteDoneChunks();
      if (this.#pending + rec > this.#maxDiskUsage) {
        return this.#refuse(len, "inflight", "Dropping new block: maxDiskUsage is reached by blocks being sent");
      }
    }
    // While the fallback holds blocks, new ones queue behind them to keep FIFO order.
    if (this.#fallback.pendingCount === 0 && this.#writeDisk(block, rows)) {
      this.#pending += rec;
      return "disk";
    }
    if (!this.#fallback.tryPush(block)) {
      return this.#refuse(len, "fallback", `Dropping block: memory fallback is full (${this.#fallback.limit} bytes)`);
    }
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
    if (this.#fallback.pendingCount > 0 && now - this.#lastDiskError >= DISK_RETRY_INTERVAL_MS) {
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
    if (!this.#reader.findHead()) {
      const b = this.#fallback.handOut();
      if (b !== null) this.#countRead(b.data);
      return b;
    }
    const b = this.#reader.take();
    this.#inflight.add(b.id, HEADER_SIZE + b.data.length);
    this.#countRead(b.data);
    return b;
  }

  /**
   * Like next(), but hands the block out only if `accept(data, rows)` says
   * so; otherwise it stays first in line (null is returned). The sender uses
   * it to pack records into one request without overshooting its limits.
   */
  nextIf(accept: (data: Uint8Array, rows: number) => boolean): QueuedBlock | null {
    if (this.#closed) return null;
    const r = this.#reader;
    if (r.findHead()) return accept(r.headData, r.headRows) ? this.next() : null;
    const data = this.#fallback.peek();
    return data !== undefined && accept(data, 0) ? this.next() : null;
  }

  #countRead(data: Uint8Array): void {
    this.stats.blocksRead++;
    this.stats.bytesRead += data.length;
  }

  /**
   * Marks a handed-out block as delivered or permanently dropped. Acks may
   * come in any order; the saved reader offset is the smallest offset not yet
   * done, so in-flight blocks are replayed after a crash or close (and so are
   * blocks done out of order after it). Unknown ids are ignored.
   */
  done(id: number): void {
    if (id < 0) {
      const len = this.#fallback.done(id);
      if (len >= 0) this.#pending -= HEADER_SIZE + len;
      return;
    }
    const size = this.#inflight.done(id);
    if (size < 0) return;
    this.#pending -= size;
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
    this.#fallback.requeueInflight();
    this.#spillFallback();
    const lost = this.#fallback.pendingCount;
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
    return { cache: this.#cache.bytes, fallback: this.#fallback.bytes };
  }

  /** Blocks not yet done (approximate after on-disk corruption). */
  pendingBlocks(): number {
    return this.#reader.unread + this.#inflight.count + this.#fallback.inflightCount + this.#fallback.pendingCount;
  }

  /** Offset below which every disk block is done: what metainfo.json saves as ReaderOffset. */
  #ackOffset(): number {
    return this.#inflight.ackOffset(this.#reader.pos);
  }

  #recover(): void {
    const r = this.#reader;
    ({ readIdx: r.idx, readPos: r.pos, diskUnread: r.unread, pending: this.#pending } = recoverQueue({
      fs: this.#fs,
      dir: this.#dir,
      name: this.#name,
      chunkSize: this.#chunkSize,
      maxBlockSize: this.#maxBlockSize,
      store: this.#store,
      log: this.#log,
      stats: this.stats,
    }));
  }

  /** Accounts for a damaged region the reader skipped at local position `pos` of chunk `c`. */
  #skipped(c: Chunk, pos: number, bytes: number): void {
    this.stats.corruptedRecordsSkipped++;
    this.stats.corruptedBytesSkipped += bytes;
    this.#pending -= bytes;
    this.#metaDirty = true;
    this.#warn(
      "corrupt",
      `Skipped ${bytes} bytes of damaged data at offset ${c.start + pos} in chunk ${chunkName(c.start)}`,
    );
  }

  /** Drops the oldest block not handed out (disk first, then memory fallback); false if there is none. */
  #dropOldest(): boolean {
    const size = this.#reader.drop();
    if (size > 0) {
      this.#pending -= size;
      this.#metaDirty = true;
      this.#countDropped(size - HEADER_SIZE);
    }
    if (size >= 0) return true;
    if (this.#fallback.pendingCount === 0) return false;
    const data = this.#fallback.remove();
    this.#pending -= HEADER_SIZE + data.length;
    this.#countDropped(data.length);
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
    this.#reader.appended(wasEmpty);
    this.#metaDirty = true;
    this.stats.blocksWritten++;
    this.stats.bytesWritten += block.length;
    this.#cache.add(id, block, rows);
    return true;
  }

  /** Deletes chunk files whose records are all done, keeping the reader's and the writer's chunks. */
  #deleteDoneChunks(): void {
    const chunks = this.#store.chunks;
    const ack = this.#ackOffset();
    let n = 0;
    while (n < this.#reader.idx && chunks[n]!.start + chunks[n]!.size <= ack) n++;
    if (n === 0) return;
    this.#store.removeOldest(n);
    this.#reader.idx -= n;
    this.#metaDirty = true;
  }

  /** Moves pending memory-fallback blocks to disk in FIFO order until a write fails; returns how many moved. */
  #spillFallback(): number {
    let moved = 0;
    for (let data = this.#fallback.peek(); data !== undefined; data = this.#fallback.peek()) {
      if (!this.#writeDisk(data)) break;
      this.#fallback.remove();
      moved++;
    }
    return moved;
  }

  #saveMeta(durable: boolean): void {
    this.#lastMetaSave = this.#now();
    const meta = {
      name: this.#name,
      readerOffset: this.#ackOffset(),
      writerOffset: this.#store.writerOffset,
      format: QUEUE_FORMAT,
    };
    try {
      writeMetainfo(this.#fs, this.#dir, meta, durable);
      this.#metaDirty = false;
    } catch (e) {
      this.stats.diskWriteErrors++;
      this.#warn("meta", `Cannot save ${METAINFO_FILE}: ${e}`);
    }
  }

  #refuse(len: number, key: string, msg: string): WriteOutcome {
    this.#countDropped(len);
    this.#warn(key, msg);
    return "dropped";
  }

  #countDropped(bytes: number): void {
    this.stats.blocksDropped++;
    this.stats.bytesDropped += bytes;
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
