/**
 * The public types of FileQueue (options, handed-out blocks, write outcomes,
 * counters) and zeroed counters, here so the queue's parts can use them
 * without importing file_queue.ts; file_queue.ts re-exports them.
 *
 * @module
 */
import type { QueueFs } from "./_queue_dir.ts";

/** Receives the queue's log lines. */
export type QueueLogger = (level: "warn" | "error" | "info", msg: string) => void;

/** Options of `FileQueue.open`. */
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
  logger?: QueueLogger;
  /** Filesystem functions. @default node:fs */
  fs?: QueueFs;
}

/** A block handed out by next(): `rows` is what write() was told, 0 when unknown (read back from disk). */
export interface QueuedBlock {
  readonly id: number;
  readonly data: Uint8Array;
  readonly rows: number;
}

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

/** All counters at zero. */
export function emptyStats(): FileQueueStats {
  return {
    bytesWritten: 0,
    blocksWritten: 0,
    bytesRead: 0,
    blocksRead: 0,
    blocksDropped: 0,
    bytesDropped: 0,
    corruptedRecordsSkipped: 0,
    corruptedBytesSkipped: 0,
    tornTailBytesTruncated: 0,
    diskWriteErrors: 0,
    memoryFallbackBlocks: 0,
    legacyBlocksImported: 0,
    legacyBytesImported: 0,
    legacyBytesUnreadable: 0,
  };
}
