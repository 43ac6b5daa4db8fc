/**
 * The reader side of FileQueue's chunk log: the position of the next disk
 * block to hand out, the head block found there (from the memory cache, a
 * record already read, or the disk), moving from chunk to chunk, and skipping
 * damaged records by resyncing to the next valid one. FileQueue owns the
 * accounting (pending bytes, acks, counters) and is told of skips and chunk
 * switches through {@link ReaderEvents}.
 *
 * @module
 */
import type { BlockCache } from "./_block_cache.ts";
import type { Chunk, ChunkStore } from "./_chunk_store.ts";
import { HEADER_SIZE } from "./_record.ts";
import type { QueuedBlock } from "./_types.ts";

const EMPTY = new Uint8Array(0);

export interface ReaderEvents {
  /** The reader left a chunk (whose file may now be deletable). */
  chunkLeft(): void;
  /** `bytes` file bytes of damaged data at local position `pos` of chunk `c` were skipped. */
  skipped(c: Chunk, pos: number, bytes: number): void;
}

export class DiskReader {
  /** Index in store.chunks of the reader's chunk. */
  idx = 0;
  /** Global offset of the next disk record to hand out. */
  pos = 0;
  /** Disk blocks at or after `pos` (approximate after corruption). */
  unread = 0;
  /** The first block not handed out, as found by findHead(); `headRows` is 0 when it was read from disk. */
  headData: Uint8Array = EMPTY;
  headRows = 0;
  readonly #store: ChunkStore;
  readonly #cache: BlockCache;
  readonly #events: ReaderEvents;
  /** A disk record read by findHead() and not handed out yet (id -1 = none), so it is read only once. */
  #peekId = -1;
  #peekData: Uint8Array = EMPTY;

  constructor(store: ChunkStore, cache: BlockCache, events: ReaderEvents) {
    this.#store = store;
    this.#cache = cache;
    this.#events = events;
  }

  /** Finds the first disk block not handed out (sets headData, headRows), skipping damaged records; false when drained. */
  findHead(): boolean {
    while (this.#advance()) {
      const id = this.pos;
      const cached = this.#cache.get(id);
      if (cached !== undefined) {
        this.headData = cached.data;
        this.headRows = cached.rows;
        return true;
      }
      if (this.#peekId !== id) {
        const c = this.#store.chunks[this.idx]!;
        const data = this.#store.readRecord(c, id - c.start);
        if (typeof data === "number") {
          this.#skipCorrupted(c, id - c.start, data);
          continue;
        }
        this.#peekId = id;
        this.#peekData = data;
      }
      this.headData = this.#peekData;
      this.headRows = 0;
      return true;
    }
    return false;
  }

  /** Moves past the head block found by findHead() and returns it; its id is its offset. */
  take(): QueuedBlock {
    const id = this.pos;
    const block = { id, data: this.headData, rows: this.headRows };
    this.headData = EMPTY;
    this.#cache.take(id);
    this.#clearPeek();
    this.pos += HEADER_SIZE + block.data.length;
    this.unread = Math.max(0, this.unread - 1);
    return block;
  }

  /**
   * Moves past the first disk block without reading its payload: returns its
   * framed size, 0 when a damaged record was skipped instead, or -1 when the
   * disk part is drained.
   */
  drop(): number {
    if (!this.#advance()) return -1;
    const c = this.#store.chunks[this.idx]!;
    const id = this.pos;
    const cached = this.#cache.take(id);
    if (this.#peekId === id) this.#clearPeek();
    const size = cached !== undefined ? HEADER_SIZE + cached.data.length : this.#store.recordSize(c, id - c.start);
    if (size < 0) {
      this.#skipCorrupted(c, id - c.start, size);
      return 0;
    }
    this.pos += size;
    this.unread = Math.max(0, this.unread - 1);
    return size;
  }

  /** Counts a block just appended to the store; `wasEmpty` when the store had no chunk before. */
  appended(wasEmpty: boolean): void {
    if (wasEmpty) {
      this.idx = 0;
      this.pos = this.#store.chunks[0]!.start;
    }
    this.unread++;
  }

  /** Moves the reader onto the next unread disk byte; returns false when the disk part is drained. */
  #advance(): boolean {
    const chunks = this.#store.chunks;
    for (;;) {
      const c = chunks[this.idx];
      if (c === undefined) return false;
      if (this.pos < c.start + c.size) return true;
      if (this.idx + 1 >= chunks.length) return false;
      this.#store.closeFd(c);
      this.idx++;
      this.pos = chunks[this.idx]!.start;
      this.#events.chunkLeft();
    }
  }

  /** Skips the damaged record at local position `pos` of chunk `c` by resyncing to the next valid one. */
  #skipCorrupted(c: Chunk, pos: number, code: number): void {
    const next = this.#store.resync(c, pos, code);
    this.unread = Math.max(0, this.unread - 1);
    this.pos = c.start + next;
    this.#events.skipped(c, pos, next - pos);
  }

  #clearPeek(): void {
    this.#peekId = -1;
    this.#peekData = EMPTY;
  }
}
