/**
 * The chunk files of one queue directory: append-only records (see
 * _record.ts) in files named by their global start offset. Knows nothing of
 * readers, acks or limits; FileQueue builds those on top. Owned by the
 * FileQueue's thread.
 */
import { chunkName, parseChunkName, type QueueFs } from "./_queue_dir.ts";
import { encodeHeader, HEADER_SIZE, type ReadAt, RecordScanner, type ScanResult } from "./_record.ts";

/** One chunk file. */
export interface Chunk {
  /** Global offset of the chunk's first byte; also its file name. */
  readonly start: number;
  /** Bytes of valid data; the writer appends at start + size. */
  size: number;
  /** Open descriptor or -1; opened lazily, closed when the chunk is not in use. */
  fd: number;
}

/** Called on I/O errors the store recovers from by itself (fsync at chunk switch, unreadable chunks). */
export type IoErrorHandler = (what: string, e: unknown) => void;

/** Chunk files of one queue directory, oldest first. */
export class ChunkStore {
  /** Oldest first; the last one is the writer's. Mutated only through this class. */
  readonly chunks: Chunk[] = [];
  /** Global offset where the next record goes (when it fits in the last chunk). */
  writerOffset = 0;
  readonly #fs: QueueFs;
  readonly #dir: string;
  readonly #chunkSize: number;
  readonly #syncOnSwitch: boolean;
  readonly #onError: IoErrorHandler;
  readonly #scanner: RecordScanner;
  readonly #header = new Uint8Array(HEADER_SIZE);
  readonly #parts: Uint8Array[] = [this.#header, this.#header];
  #readFd = -1;
  readonly #readAt: ReadAt = (
    dst,
    pos,
  ) => (dst.length === 0 ? 0 : this.#fs.readSync(this.#readFd, dst, 0, dst.length, pos));
  /** Starts of chunks with data written since their last fsync. */
  readonly #unsynced = new Set<number>();
  #dirNeedsSync = false;

  constructor(
    fs: QueueFs,
    dir: string,
    chunkSize: number,
    maxBlockSize: number,
    syncOnSwitch: boolean,
    onError: IoErrorHandler,
  ) {
    this.#fs = fs;
    this.#dir = dir;
    this.#chunkSize = chunkSize;
    this.#syncOnSwitch = syncOnSwitch;
    this.#onError = onError;
    this.#scanner = new RecordScanner(maxBlockSize);
  }

  /** Lists the chunk files; a chunk's size is clamped so it never overlaps the next one. */
  load(): void {
    for (const name of this.#fs.readdirSync(this.#dir)) {
      const start = parseChunkName(name);
      if (start >= 0) this.chunks.push({ start, size: this.#fs.statSync(this.#path(start)).size, fd: -1 });
    }
    this.chunks.sort((a, b) => a.start - b.start);
    for (let i = 0; i + 1 < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      c.size = Math.min(c.size, this.chunks[i + 1]!.start - c.start);
    }
    const last = this.chunks.at(-1);
    if (last !== undefined) this.writerOffset = last.start + last.size;
  }

  /** Bytes of data in all chunks. */
  totalBytes(): number {
    return this.chunks.reduce((s, c) => s + c.size, 0);
  }

  /** Deletes the `count` oldest chunk files. */
  removeOldest(count: number): void {
    for (const c of this.chunks.splice(0, count)) {
      this.closeFd(c);
      this.#unsynced.delete(c.start);
      try {
        this.#fs.unlinkSync(this.#path(c.start));
      } catch (e) {
        this.#onError(`Cannot delete chunk ${chunkName(c.start)}`, e);
      }
    }
  }

  /** Cuts the last chunk to `size` bytes (dropping a torn tail); the writer continues there. */
  truncateLast(size: number): void {
    const c = this.chunks.at(-1)!;
    c.size = size;
    this.writerOffset = c.start + size;
    try {
      this.#fs.ftruncateSync(this.#open(c), size);
    } catch (e) {
      // Readers stop at c.size and the writer overwrites the rest.
      this.#onError(`Cannot truncate chunk ${chunkName(c.start)}`, e);
    }
  }

  /**
   * Appends one record, starting a new chunk when it does not fit (a record
   * larger than the chunk size gets a chunk of its own). Returns the record's
   * global offset. On any I/O error the partial record is cut back and the
   * error is thrown; the store stays consistent.
   */
  append(block: Uint8Array): number {
    const rec = HEADER_SIZE + block.length;
    let c = this.chunks.at(-1);
    if (c === undefined || (c.size > 0 && c.size + rec > this.#chunkSize)) c = this.#startChunk(c);
    const fd = this.#open(c);
    if (fd < 0) throw new Error(`Cannot open chunk ${chunkName(c.start)}`);
    encodeHeader(this.#header, block);
    this.#parts[1] = block;
    const fs = this.#fs;
    try {
      let n = fs.writevSync(fd, this.#parts, c.size);
      while (n < rec) {
        const w = n < HEADER_SIZE
          ? fs.writeSync(fd, this.#header, n, HEADER_SIZE - n, c.size + n)
          : fs.writeSync(fd, block, n - HEADER_SIZE, rec - n, c.size + n);
        if (w <= 0) throw new Error(`Short write of ${n} of ${rec} bytes`);
        n += w;
      }
    } catch (e) {
      try {
        fs.ftruncateSync(fd, c.size);
      } catch {
        // Readers stop at c.size; the next write overwrites the partial record.
      }
      throw e;
    } finally {
      this.#parts[1] = this.#header;
    }
    const id = c.start + c.size;
    c.size += rec;
    this.writerOffset = c.start + c.size;
    this.#unsynced.add(c.start);
    return id;
  }

  /** Whether data or new chunk files are not yet fsynced. */
  get dirty(): boolean {
    return this.#unsynced.size > 0 || this.#dirNeedsSync;
  }

  /** Fsyncs chunks written since their last fsync and, after a chunk was created, the directory. Throws on I/O errors. */
  sync(): void {
    for (const c of this.chunks) {
      if (!this.#unsynced.has(c.start)) continue;
      const fd = this.#open(c);
      if (fd >= 0) this.#fs.fsyncSync(fd);
      this.#unsynced.delete(c.start);
    }
    if (this.#dirNeedsSync) {
      const fd = this.#fs.openSync(this.#dir, "r");
      try {
        this.#fs.fsyncSync(fd);
      } finally {
        this.#fs.closeSync(fd);
      }
      this.#dirNeedsSync = false;
    }
  }

  /**
   * Reads the record at local position `pos` of `c`: the payload (a new
   * buffer) or a negative code for {@link resync}. Unreadable chunks yield a
   * code that skips the rest of the chunk.
   */
  readRecord(c: Chunk, pos: number): Uint8Array | number {
    return this.#guard(c, -(c.size - pos) - 1, () => this.#scanner.readPayload(this.#readAt, pos, c.size));
  }

  /** Framed size of the valid record at local `pos` of `c` (header checked only), or a negative code. */
  recordSize(c: Chunk, pos: number): number {
    return this.#guard(c, -(c.size - pos) - 1, () => this.#scanner.check(this.#readAt, pos, c.size, false));
  }

  /** Local position of the next valid record after the damaged one at `pos` (code from readRecord/recordSize), or c.size. */
  resync(c: Chunk, pos: number, code: number): number {
    return this.#guard(
      c,
      c.size,
      () => this.#scanner.findNext(this.#readAt, this.#scanner.resyncFrom(pos, code), c.size, true),
    );
  }

  /** Scans `c` from local `from`; an unreadable chunk counts as valid so the reader deals with it later. */
  scan(c: Chunk, from: number, verifyPayload: boolean): ScanResult {
    const unreadable = { blocks: 0, validEnd: c.size, corruptedRegions: 0 };
    return this.#guard(c, unreadable, () => this.#scanner.scan(this.#readAt, from, c.size, verifyPayload));
  }

  closeFd(c: Chunk): void {
    if (c.fd < 0) return;
    try {
      this.#fs.closeSync(c.fd);
    } catch {
      // Nothing useful to do.
    }
    c.fd = -1;
  }

  closeAll(): void {
    for (const c of this.chunks) this.closeFd(c);
  }

  #guard<T>(c: Chunk, onError: T, read: () => T): T {
    this.#readFd = this.#open(c);
    if (this.#readFd < 0) return onError;
    try {
      return read();
    } catch (e) {
      this.#onError(`Cannot read chunk ${chunkName(c.start)}; skipping its unread data`, e);
      return onError;
    }
  }

  /** Creates the chunk after `prev`; throws on I/O errors. */
  #startChunk(prev: Chunk | undefined): Chunk {
    const start = prev === undefined ? this.writerOffset : prev.start + Math.max(this.#chunkSize, prev.size);
    const fd = this.#fs.openSync(this.#path(start), "w+");
    if (prev !== undefined) {
      if (this.#syncOnSwitch && this.dirty) {
        try {
          this.sync();
        } catch (e) {
          this.#onError(`Cannot fsync chunk ${chunkName(prev.start)}`, e);
        }
      }
      this.closeFd(prev);
    }
    const c: Chunk = { start, size: 0, fd };
    this.chunks.push(c);
    this.#dirNeedsSync = true;
    return c;
  }

  #open(c: Chunk): number {
    if (c.fd < 0) {
      try {
        c.fd = this.#fs.openSync(this.#path(c.start), "r+");
      } catch (e) {
        this.#onError(`Cannot open chunk ${chunkName(c.start)}`, e);
      }
    }
    return c.fd;
  }

  #path(start: number): string {
    return `${this.#dir}/${chunkName(start)}`;
  }
}
