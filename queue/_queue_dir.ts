/**
 * Directory-level pieces of the persistent queue: naming, the lock file,
 * metainfo.json and chunk file names. Everything here runs on the thread that
 * owns the FileQueue.
 */
import * as nodeFs from "node:fs";

/** The synchronous node:fs functions the queue uses; injectable to simulate I/O errors in tests. */
export type QueueFs = Pick<
  typeof nodeFs,
  | "closeSync"
  | "fstatSync"
  | "fsyncSync"
  | "ftruncateSync"
  | "mkdirSync"
  | "openSync"
  | "readdirSync"
  | "readFileSync"
  | "readSync"
  | "renameSync"
  | "statSync"
  | "unlinkSync"
  | "writeFileSync"
  | "writeSync"
  | "writevSync"
>;

/** The real node:fs. */
export const NODE_FS: QueueFs = nodeFs;

/** Value of metainfo.json's Format field for queues written by Drover. */
export const QUEUE_FORMAT = "drover-v1";
export const METAINFO_FILE = "metainfo.json";
export const LOCK_FILE = "flock.lock";

const CHUNK_NAME_REGEXP = /^[0-9A-F]{16}$/;

/**
 * Returns the vmagent-compatible queue directory name `<N>_<HEX16>` for the
 * 1-based position of a `-remoteWrite.url` and the URL itself. HEX16 is the
 * XXH64 of the URL with query string and fragment removed (credentials kept).
 *
 * @example queueDirName(1, "http://127.0.0.1:1/api/v1/write") === "1_FD109BB61015B79C"
 */
export function queueDirName(index1Based: number, url: string): string {
  if (!Number.isInteger(index1Based) || index1Based < 1) {
    throw new RangeError(`Cannot build queue dir name: index ${index1Based} is not a positive integer`);
  }
  let cut = url.length;
  const q = url.indexOf("?");
  if (q >= 0) cut = q;
  const h = url.indexOf("#");
  if (h >= 0 && h < cut) cut = h;
  const hash = Bun.hash.xxHash64(url.slice(0, cut));
  return `${index1Based}_${hash.toString(16).toUpperCase().padStart(16, "0")}`;
}

/** Returns the chunk file name for a chunk starting at global offset `start`. */
export function chunkName(start: number): string {
  return start.toString(16).toUpperCase().padStart(16, "0");
}

/** Returns the start offset encoded in a chunk file name, or -1 if `name` is not a chunk file. */
export function parseChunkName(name: string): number {
  if (!CHUNK_NAME_REGEXP.test(name)) return -1;
  const v = Number.parseInt(name, 16);
  return Number.isSafeInteger(v) ? v : -1;
}

/** Parsed metainfo.json. */
export interface Metainfo {
  name: string;
  readerOffset: number;
  writerOffset: number;
  format: string;
}

/** Reads metainfo.json; returns null if it is missing, unparsable or inconsistent. */
export function readMetainfo(fs: QueueFs, dir: string): Metainfo | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(`${dir}/${METAINFO_FILE}`, "utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const m = raw as Record<string, unknown>;
  const r = m["ReaderOffset"];
  const w = m["WriterOffset"];
  if (!Number.isSafeInteger(r) || !Number.isSafeInteger(w)) return null;
  if ((r as number) < 0 || (r as number) > (w as number)) return null;
  return {
    name: typeof m["Name"] === "string" ? m["Name"] : "",
    readerOffset: r as number,
    writerOffset: w as number,
    format: typeof m["Format"] === "string" ? m["Format"] : "",
  };
}

/**
 * Atomically replaces metainfo.json (tmp file, optional fsync, rename).
 * Throws on I/O errors; the caller decides whether that matters.
 */
export function writeMetainfo(fs: QueueFs, dir: string, m: Metainfo, durable: boolean): void {
  const body = JSON.stringify({
    Name: m.name,
    ReaderOffset: m.readerOffset,
    WriterOffset: m.writerOffset,
    Format: m.format,
  });
  const tmp = `${dir}/${METAINFO_FILE}.tmp`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, body);
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, `${dir}/${METAINFO_FILE}`);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Already gone.
    }
    throw e;
  }
}

/** Directories locked by this thread; a second FileQueue on the same dir is refused. */
const lockedDirs = new Set<string>();

/**
 * Takes the queue directory lock. Bun has no flock(2), so flock.lock holds
 * the owner's PID: opening is refused while that PID is alive and is not us,
 * and (per thread) while this thread already has the dir open. Limits: two
 * worker threads of one process are not told apart, and a recycled PID of an
 * unrelated live process blocks opening until the file is removed.
 */
export function acquireLock(fs: QueueFs, dir: string): void {
  if (lockedDirs.has(dir)) throw new QueueLockedError(`Cannot open queue ${dir}: already open in this thread`);
  const path = `${dir}/${LOCK_FILE}`;
  let owner = 0;
  try {
    owner = Number.parseInt(String(fs.readFileSync(path, "utf8")).trim(), 10) || 0;
  } catch {
    // No lock file yet.
  }
  if (owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new QueueLockedError(`Cannot open queue ${dir}: locked by running process ${owner}`);
  }
  fs.writeFileSync(path, `${process.pid}\n`);
  lockedDirs.add(dir);
}

/** Releases the lock taken by {@link acquireLock}; never throws. */
export function releaseLock(fs: QueueFs, dir: string): void {
  lockedDirs.delete(dir);
  try {
    fs.writeFileSync(`${dir}/${LOCK_FILE}`, "");
  } catch {
    // An unwritable lock file only means the next open checks a dead PID.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Thrown by FileQueue.open when another live owner holds the queue directory. */
export class QueueLockedError extends Error {
  override name = "QueueLockedError";
}
