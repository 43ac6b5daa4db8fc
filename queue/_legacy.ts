/**
 * One-time import of a queue left by vmagent v1.79.5 in a queue directory, so
 * replacing vmagent by Drover keeps the data vmagent had not sent yet.
 *
 * vmagent's layout (lib/persistentqueue/persistentqueue.go): metainfo.json =
 * `{"Name","ReaderOffset","WriterOffset"}` (no `Format`), chunk files named
 * `%016X` of their global start offset, each record an 8-byte big-endian
 * length followed by the block. Records never span chunk files, so each file
 * is read on its own from ReaderOffset to WriterOffset.
 *
 * Crash safety. The import never modifies a vmagent file before the new data
 * is durable; the commit point is the atomic rename of metainfo.json:
 * 1. Chunk files starting with Drover's record magic are leftovers of an
 *    interrupted import (vmagent records start with 4 zero bytes) and are
 *    deleted.
 * 2. Every readable vmagent record is appended, in order, to new Drover chunks
 *    named from `base` = the end of all vmagent data, so no name collides.
 * 3. The new chunks and the directory are fsynced (whatever the fsync policy).
 * 4. metainfo.json is replaced by a Drover one (ReaderOffset = base) and the
 *    directory is fsynced: the commit.
 * 5. The vmagent chunk files are deleted. Survivors of a crash here end before
 *    `base`, so FileQueue's recovery deletes them as fully read chunks.
 * A crash before 4 redoes the import from scratch on the next open; a crash
 * after it finds a Drover queue. Either way no block is lost or duplicated.
 * When there is nothing to import, the vmagent files are deleted before the
 * commit instead (nothing to lose), so no stale chunk outlives it.
 * Cost: the disk briefly holds the data twice (plus 8 bytes per block).
 *
 * Runs on the FileQueue's thread, inside FileQueue.open, under its lock.
 */
import { ChunkStore, type IoErrorHandler } from "./_chunk_store.ts";
import {
  chunkName,
  type Metainfo,
  parseChunkName,
  QUEUE_FORMAT,
  type QueueFs,
  readMetainfo,
  writeMetainfo,
} from "./_queue_dir.ts";
import { RECORD_MAGIC } from "./_record.ts";
import type { QueueLogger } from "./_types.ts";

/** vmagent's MaxBlockSize: a larger length can only be damage. */
export const LEGACY_MAX_BLOCK_SIZE = 32 * 1024 * 1024;
const LEGACY_HEADER_SIZE = 8;

/** Options of {@link importLegacyQueue}; the sizes are the new queue's. */
export interface LegacyImportOptions {
  fs: QueueFs;
  dir: string;
  /** Name stored in the new metainfo.json. */
  name: string;
  chunkSize: number;
  /** Blocks longer than this are dropped (counted), as FileQueue.write() would. */
  maxBlockSize: number;
  log: QueueLogger;
  /** Called for I/O errors that do not stop the import (deleting a vmagent file). */
  onIoError: IoErrorHandler;
}

/** What {@link importLegacyQueue} did. Bytes are block bytes unless noted. */
export interface LegacyImportResult {
  blocks: number;
  bytes: number;
  /** File bytes before WriterOffset that could not be parsed as records (garbage or torn tails). */
  unreadableBytes: number;
  /** Blocks longer than maxBlockSize, not imported. */
  droppedBlocks: number;
  droppedBytes: number;
}

/** Thrown by FileQueue.open when a vmagent queue cannot be imported; its files are left as they were. */
export class LegacyImportError extends Error {
  override name = "LegacyImportError";
}

interface LegacyFile {
  start: number;
  size: number;
  /** First 8 bytes (fewer for short files). */
  head: Uint8Array;
}

/**
 * Imports the vmagent queue in `opts.dir`, if there is one, into a Drover
 * queue in the same directory (see the module comment for the protocol).
 * Returns null when the directory holds no vmagent queue: metainfo.json has a
 * `Format`, or is missing/unreadable while the oldest non-empty chunk does not
 * start with a plausible vmagent record. Throws LegacyImportError on I/O
 * errors, after removing its partial output; the vmagent data stays intact
 * and the import is retried on the next open.
 */
export function importLegacyQueue(opts: LegacyImportOptions): LegacyImportResult | null {
  const { fs, dir } = opts;
  const meta = readMetainfo(fs, dir);
  if (meta !== null && meta.format !== "") return null;
  const files = listChunkFiles(fs, dir);
  const legacy = files.filter((f) => !isDroverChunk(f.head));
  if (meta === null) {
    const oldest = files.find((f) => f.size > 0);
    if (oldest === undefined || !isLegacyRecordStart(oldest.head)) return null;
    opts.log("warn", "metainfo.json is missing or unreadable, but the chunks are vmagent's; importing them all");
  }
  const result: LegacyImportResult = { blocks: 0, bytes: 0, unreadableBytes: 0, droppedBlocks: 0, droppedBytes: 0 };
  const reader = meta?.readerOffset ?? legacy[0]?.start ?? 0;
  const end = meta?.writerOffset ?? Number.POSITIVE_INFINITY;
  // Past every vmagent file, even an empty one at WriterOffset, so no new chunk reuses a vmagent file name.
  const base = legacy.reduce((m, f) => Math.max(m, f.start + Math.max(f.size, 1)), meta?.writerOffset ?? 0);
  const store = new ChunkStore(fs, dir, opts.chunkSize, opts.maxBlockSize, true, opts.onIoError);
  store.writerOffset = base;
  try {
    const leftovers = files.filter((f) => isDroverChunk(f.head));
    if (leftovers.length > 0) opts.log("warn", `Removing ${leftovers.length} chunks of an interrupted import`);
    // A leftover that survived would be read after the new chunks: fail instead of duplicating.
    for (const f of leftovers) {
      unlinkChunk(fs, dir, f.start, (_, e) => {
        throw e;
      });
    }
    const scratch = { buf: new Uint8Array(64 * 1024) };
    for (const f of legacy) {
      copyRecords(opts, f, Math.max(reader, f.start), Math.min(f.start + f.size, end), store, scratch, result);
    }
    store.sync();
  } catch (e) {
    store.closeAll();
    abort(opts, store);
    throw new LegacyImportError(`Cannot import the vmagent queue in ${dir}; its files are kept: ${e}`);
  }
  store.closeAll();
  if (result.blocks === 0) { for (const f of legacy) unlinkChunk(fs, dir, f.start, opts.onIoError); }
  const next: Metainfo = {
    name: opts.name,
    readerOffset: base,
    writerOffset: store.writerOffset,
    format: QUEUE_FORMAT,
  };
  try {
    // The rename inside is the commit: if it threw, the vmagent queue is still the live one.
    writeMetainfo(fs, dir, next, true);
  } catch (e) {
    abort(opts, store);
    throw new LegacyImportError(`Cannot import the vmagent queue in ${dir}; its files are kept: ${e}`);
  }
  let durable = true;
  try {
    syncDir(fs, dir);
  } catch (e) {
    durable = false;
    opts.onIoError("Cannot fsync the queue directory after importing the vmagent queue", e);
  }
  // Until the rename is durable the vmagent files must stay; FileQueue's recovery deletes them later as fully read.
  if (result.blocks > 0 && durable) { for (const f of legacy) unlinkChunk(fs, dir, f.start, opts.onIoError); }
  opts.log(
    "info",
    `Imported ${result.blocks} blocks (${result.bytes} bytes) from the vmagent queue` +
      (result.unreadableBytes > 0 ? `; ${result.unreadableBytes} bytes were unreadable` : "") +
      (result.droppedBlocks > 0 ? `; dropped ${result.droppedBlocks} blocks over ${opts.maxBlockSize} bytes` : ""),
  );
  return result;
}

/** Appends the vmagent records of `f` between global offsets [from, to) to `store`; throws on I/O errors. */
function copyRecords(
  opts: LegacyImportOptions,
  f: LegacyFile,
  from: number,
  to: number,
  store: ChunkStore,
  scratch: { buf: Uint8Array },
  result: LegacyImportResult,
): void {
  if (from >= to) return;
  const { fs } = opts;
  const fd = fs.openSync(`${opts.dir}/${chunkName(f.start)}`, "r");
  try {
    const header = new Uint8Array(LEGACY_HEADER_SIZE);
    const view = new DataView(header.buffer);
    let pos = from;
    while (to - pos >= LEGACY_HEADER_SIZE) {
      if (fs.readSync(fd, header, 0, LEGACY_HEADER_SIZE, pos - f.start) < LEGACY_HEADER_SIZE) break;
      const hi = view.getUint32(0);
      const len = view.getUint32(4);
      if (hi !== 0 || len === 0 || len > LEGACY_MAX_BLOCK_SIZE || pos + LEGACY_HEADER_SIZE + len > to) break;
      if (scratch.buf.length < len) scratch.buf = new Uint8Array(Math.max(len, scratch.buf.length * 2));
      const body = scratch.buf.subarray(0, len);
      if (fs.readSync(fd, body, 0, len, pos + LEGACY_HEADER_SIZE - f.start) < len) break;
      if (len > opts.maxBlockSize) {
        result.droppedBlocks++;
        result.droppedBytes += len;
      } else {
        store.append(body);
        result.blocks++;
        result.bytes += len;
      }
      pos += LEGACY_HEADER_SIZE + len;
    }
    if (pos < to) {
      // Like vmagent, which skips the rest of a chunk after a bad record: the next chunk is still read.
      result.unreadableBytes += to - pos;
      opts.log("warn", `Skipping ${to - pos} unreadable bytes at offset ${pos} of vmagent chunk ${chunkName(f.start)}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes the partial output of a failed import; never throws. */
function abort(opts: LegacyImportOptions, store: ChunkStore): void {
  for (const c of store.chunks) unlinkChunk(opts.fs, opts.dir, c.start);
}

function listChunkFiles(fs: QueueFs, dir: string): LegacyFile[] {
  const out: LegacyFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const start = parseChunkName(name);
    if (start < 0) continue;
    const path = `${dir}/${name}`;
    const head = new Uint8Array(LEGACY_HEADER_SIZE);
    try {
      const fd = fs.openSync(path, "r");
      try {
        const n = fs.readSync(fd, head, 0, LEGACY_HEADER_SIZE, 0);
        out.push({ start, size: fs.fstatSync(fd).size, head: head.subarray(0, n) });
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Not a Drover chunk as far as we can tell; if it is part of a vmagent queue, copying it fails the import.
      out.push({ start, size: 1, head: head.subarray(0, 0) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Drover chunks start with a record header; vmagent's never do, as their first 4 bytes are 0. */
function isDroverChunk(head: Uint8Array): boolean {
  return head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === RECORD_MAGIC;
}

function isLegacyRecordStart(head: Uint8Array): boolean {
  if (head.length < LEGACY_HEADER_SIZE) return false;
  const v = new DataView(head.buffer, head.byteOffset, LEGACY_HEADER_SIZE);
  const len = v.getUint32(4);
  return v.getUint32(0) === 0 && len > 0 && len <= LEGACY_MAX_BLOCK_SIZE;
}

function unlinkChunk(fs: QueueFs, dir: string, start: number, onError?: IoErrorHandler): void {
  try {
    fs.unlinkSync(`${dir}/${chunkName(start)}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") onError?.(`Cannot delete chunk ${chunkName(start)}`, e);
  }
}

/** Makes renames and unlinks in `dir` durable; throws on I/O errors. */
function syncDir(fs: QueueFs, dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
