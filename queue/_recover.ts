/**
 * Recovery of a FileQueue directory on open: imports a queue left by vmagent
 * (_legacy.ts), reads metainfo.json, loads the chunks, deletes chunks wholly
 * before the saved reader offset (or all data of an unknown format), truncates
 * a torn tail of the last chunk, and counts the blocks left to read. The
 * writer continues after the last valid record whatever metainfo.json says;
 * an unreadable metainfo.json makes the reader start at the oldest chunk.
 *
 * @module
 */
import type { ChunkStore } from "./_chunk_store.ts";
import { importLegacyQueue } from "./_legacy.ts";
import { chunkName, METAINFO_FILE, QUEUE_FORMAT, type QueueFs, readMetainfo } from "./_queue_dir.ts";
import type { FileQueueStats, QueueLogger } from "./_types.ts";

export interface RecoverOptions {
  fs: QueueFs;
  dir: string;
  name: string;
  chunkSize: number;
  maxBlockSize: number;
  /** Chunk store of `dir`, not loaded yet. */
  store: ChunkStore;
  log: QueueLogger;
  /** Legacy import, drop, torn-tail and I/O error counters are added here. */
  stats: FileQueueStats;
}

/** Where the reader of a recovered queue starts. */
export interface RecoveredReader {
  /** Index in store.chunks of the reader's chunk. */
  readIdx: number;
  /** Global offset of the next record to hand out. */
  readPos: number;
  /** Records at or after readPos. */
  diskUnread: number;
  /** Framed bytes from readPos to the end of the data. */
  pending: number;
}

/**
 * Recovers the queue in `o.dir` (see the module comment); throws only what
 * the legacy import or listing the directory throws.
 */
export function recoverQueue(o: RecoverOptions): RecoveredReader {
  const { store, stats, log } = o;
  const imported = importLegacyQueue({
    fs: o.fs,
    dir: o.dir,
    name: o.name,
    chunkSize: o.chunkSize,
    maxBlockSize: o.maxBlockSize,
    log,
    onIoError: (what, e) => {
      stats.diskWriteErrors++;
      log("warn", `${what}: ${e}`);
    },
  });
  if (imported !== null) {
    stats.legacyBlocksImported += imported.blocks;
    stats.legacyBytesImported += imported.bytes;
    stats.legacyBytesUnreadable += imported.unreadableBytes;
    stats.blocksDropped += imported.droppedBlocks;
    stats.bytesDropped += imported.droppedBytes;
  }
  const meta = readMetainfo(o.fs, o.dir);
  try {
    o.fs.unlinkSync(`${o.dir}/${METAINFO_FILE}.tmp`);
  } catch {
    // Usually absent.
  }
  store.load();
  const chunks = store.chunks;
  if (meta !== null && meta.format !== QUEUE_FORMAT && chunks.length > 0) {
    // Written by an unknown (newer) version; vmagent queues were imported above.
    log("error", `Deleting ${store.totalBytes()} bytes of queue data in unsupported format "${meta.format}"`);
    store.removeOldest(chunks.length);
    store.writerOffset = meta.writerOffset;
  }
  if (meta === null && chunks.length > 0) {
    log("warn", `${METAINFO_FILE} is missing or unreadable; reading from the oldest chunk`);
  }
  let reader = meta?.readerOffset ?? chunks[0]?.start ?? 0;
  let dead = 0;
  while (dead + 1 < chunks.length && chunks[dead]!.start + chunks[dead]!.size <= reader) dead++;
  store.removeOldest(dead);
  const last = chunks.at(-1);
  if (last === undefined) {
    const readPos = (store.writerOffset = Math.max(store.writerOffset, meta?.writerOffset ?? 0));
    return { readIdx: 0, readPos, diskUnread: 0, pending: 0 };
  }
  if (reader < chunks[0]!.start) {
    if (meta !== null) {
      log("warn", `Reader offset ${reader} precedes the oldest chunk; starting at ${chunks[0]!.start}`);
    }
    reader = chunks[0]!.start;
  }
  const scan = store.scan(last, Math.min(Math.max(reader - last.start, 0), last.size), true);
  if (scan.validEnd < last.size) {
    const cut = last.size - scan.validEnd;
    log("warn", `Truncating ${cut} bytes of incomplete records at the end of chunk ${chunkName(last.start)}`);
    stats.tornTailBytesTruncated += cut;
    store.truncateLast(scan.validEnd);
  }
  if (reader > store.writerOffset) {
    log("warn", `Reader offset ${reader} is past the end of the data ${store.writerOffset}; queue data was lost`);
    reader = store.writerOffset;
  }
  let idx = 0;
  while (idx + 1 < chunks.length && chunks[idx]!.start + chunks[idx]!.size <= reader) idx++;
  reader = Math.max(reader, chunks[idx]!.start);
  let diskUnread = scan.blocks;
  let pending = chunks[idx]!.start - reader;
  for (let i = idx; i < chunks.length; i++) {
    const c = chunks[i]!;
    pending += c.size;
    if (c === last) continue;
    diskUnread += store.scan(c, Math.max(reader - c.start, 0), false).blocks;
    if (i !== idx) store.closeFd(c);
  }
  return { readIdx: idx, readPos: reader, diskUnread, pending };
}
