import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { FileQueue, LegacyImportError, type QueueFs } from "./file_queue.ts";
import { block, concat, drain, options, range, tempDir as queueTempDir } from "./_testing.ts";

const tempDir = () => queueTempDir("drover-legacy-");

/** vmagent v1.79.5's chunk file size: (32 MiB + 8) × 16. */
const VM_CHUNK = 536_871_040;
const DROVER_MAGIC = [0xd2, 0x0e, 0x00, 0x01];

/** A vmagent record: 8-byte big-endian length, then the block. */
function legacyRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(payload.length));
  out.set(payload, 8);
  return out;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

function hex16(n: number): string {
  return n.toString(16).toUpperCase().padStart(16, "0");
}

interface LegacyChunk {
  start: number;
  seqs: number[];
  tail?: Uint8Array;
}

/**
 * Writes a vmagent-format queue and returns the global offset of each block
 * (by seq) and the end of the data (what vmagent would save as WriterOffset).
 */
function writeLegacy(dir: string, chunks: LegacyChunk[]): { offsets: Map<number, number>; end: number } {
  const offsets = new Map<number, number>();
  let end = 0;
  for (const c of chunks) {
    let pos = c.start;
    const parts: Uint8Array[] = [];
    for (const seq of c.seqs) {
      offsets.set(seq, pos);
      const r = legacyRecord(block(seq));
      parts.push(r);
      pos += r.length;
    }
    if (c.tail !== undefined) parts.push(c.tail);
    const data = concat(...parts);
    fs.writeFileSync(path.join(dir, hex16(c.start)), data);
    end = c.start + data.length;
  }
  return { offsets, end };
}

function writeVmMeta(dir: string, reader: number, writer: number): void {
  const meta = { Name: "1:secret-url", ReaderOffset: reader, WriterOffset: writer };
  fs.writeFileSync(path.join(dir, "metainfo.json"), JSON.stringify(meta));
}

/** Chunk files, each with whether it starts with Drover's record magic. */
function chunkFiles(dir: string): { name: string; drover: boolean }[] {
  return fs
    .readdirSync(dir)
    .filter((n) => /^[0-9A-F]{16}$/.test(n))
    .sort()
    .map((name) => {
      const head = fs.readFileSync(path.join(dir, name)).subarray(0, 4);
      return { name, drover: DROVER_MAGIC.every((b, i) => head[i] === b) };
    });
}

function metaOf(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, "metainfo.json"), "utf8"));
}

/** Two vmagent chunks (seqs 0–9 and 10–19), ReaderOffset at seq 3, `tail` after seq 19 and inside WriterOffset. */
function twoChunkQueue(dir: string, tail?: Uint8Array): { end: number; tailLen: number } {
  const { offsets, end } = writeLegacy(dir, [
    { start: 0, seqs: range(0, 10) },
    { start: VM_CHUNK, seqs: range(10, 20), ...(tail !== undefined ? { tail } : {}) },
  ]);
  writeVmMeta(dir, offsets.get(3)!, end);
  return { end, tailLen: tail?.length ?? 0 };
}

describe("vmagent queue import", () => {
  test("unread blocks come out in order, garbage tails are counted, vmagent files are gone", () => {
    const f = (tail: Uint8Array | undefined) => {
      using dir = tempDir();
      const { tailLen } = twoChunkQueue(dir.path, tail);
      const logs: string[] = [];
      const q = FileQueue.open(options(dir.path, { logger: (level, m) => logs.push(`${level}: ${m}`) }));
      const bytes = range(3, 20).reduce((s, i) => s + block(i).length, 0);
      expect(q.stats).toMatchObject({
        legacyBlocksImported: 17,
        legacyBytesImported: bytes,
        legacyBytesUnreadable: tailLen,
      });
      expect(logs).toContain(
        `info: Imported 17 blocks (${bytes} bytes) from the vmagent queue` +
          (tailLen > 0 ? `; ${tailLen} bytes were unreadable` : ""),
      );
      expect(q.pendingBlocks()).toBe(17);
      expect(chunkFiles(dir.path).every((c) => c.drover)).toBe(true);
      expect(metaOf(dir.path)).toMatchObject({ Name: "1:secret-url", Format: "drover-v1" });
      // Not acked: a reopen replays them from the Drover queue without importing again.
      expect(drain(q, false).seqs).toEqual(range(3, 20));
      q.write(block(100));
      q.close();
      const r = FileQueue.open(options(dir.path));
      expect(r.stats.legacyBlocksImported).toBe(0);
      expect(drain(r).seqs).toEqual([...range(3, 20), 100]);
      r.close();
    };
    f(undefined);
    f(u64(0)); // zero length: zero-filled tail after a crash
    f(concat(u64(32 * 1024 * 1024 + 1), new Uint8Array(40))); // longer than vmagent's max block
    f(concat(u64(1000), new Uint8Array(40))); // runs past the end of the data
    f(new Uint8Array([0, 0, 0])); // torn header
    f(concat(u64(2 ** 40), new Uint8Array(8))); // high word set
  });

  test("a bad record in the first chunk skips only the rest of that chunk", () => {
    using dir = tempDir();
    const { offsets, end } = writeLegacy(dir.path, [
      { start: 0, seqs: range(0, 5), tail: u64(0) },
      { start: VM_CHUNK, seqs: range(5, 10) },
    ]);
    writeVmMeta(dir.path, offsets.get(1)!, end);
    const q = FileQueue.open(options(dir.path));
    expect(q.stats.legacyBytesUnreadable).toBe(8);
    expect(drain(q).seqs).toEqual([...range(1, 5), ...range(5, 10)]);
    q.close();
  });

  test("data past WriterOffset (unclean vmagent shutdown) and files outside the reader range are ignored", () => {
    using dir = tempDir();
    const { offsets } = writeLegacy(dir.path, [
      { start: 0, seqs: range(0, 4) },
      { start: VM_CHUNK, seqs: range(4, 10) },
      { start: 3 * VM_CHUNK, seqs: [50, 51] },
    ]);
    writeVmMeta(dir.path, offsets.get(4)!, offsets.get(8)!);
    const q = FileQueue.open(options(dir.path));
    expect(q.stats).toMatchObject({ legacyBlocksImported: 4, legacyBytesUnreadable: 0 });
    expect(drain(q).seqs).toEqual(range(4, 8));
    expect(chunkFiles(dir.path).every((c) => c.drover)).toBe(true);
    q.close();
  });

  test("a vmagent queue without metainfo.json is detected by its records", () => {
    using dir = tempDir();
    writeLegacy(dir.path, [{ start: VM_CHUNK, seqs: range(0, 6), tail: u64(0) }]);
    const q = FileQueue.open(options(dir.path));
    expect(q.stats).toMatchObject({ legacyBlocksImported: 6, legacyBytesUnreadable: 8 });
    expect(drain(q).seqs).toEqual(range(0, 6));
    q.close();
  });

  test("an empty vmagent queue leaves no vmagent file and the queue works", () => {
    const f = (files: LegacyChunk[], reader: number, writer: number) => {
      using dir = tempDir();
      writeLegacy(dir.path, files);
      writeVmMeta(dir.path, reader, writer);
      const q = FileQueue.open(options(dir.path));
      expect(q.stats.legacyBlocksImported).toBe(0);
      expect(chunkFiles(dir.path)).toEqual([]);
      q.write(block(7));
      q.close();
      const r = FileQueue.open(options(dir.path));
      expect(drain(r).seqs).toEqual([7]);
      r.close();
    };
    f([{ start: 0, seqs: [] }], 0, 0);
    // vmagent drained the first chunk and had just created the next one.
    f([{ start: VM_CHUNK, seqs: [] }], VM_CHUNK, VM_CHUNK);
    // Fully read: ReaderOffset = WriterOffset at the end of the data.
    const both = 2 * 8 + block(1).length + block(2).length;
    f([{ start: 0, seqs: [1, 2] }], both, both);
  });

  test("blocks above maxBlockSize are dropped and counted", () => {
    using dir = tempDir();
    const { end } = writeLegacy(dir.path, [{ start: 0, seqs: range(0, 10) }]);
    writeVmMeta(dir.path, 0, end);
    const q = FileQueue.open(options(dir.path, { maxBlockSize: 40 }));
    const big = range(0, 10).filter((i) => block(i).length > 40);
    expect(q.stats.blocksDropped).toBe(big.length);
    expect(drain(q).seqs).toEqual(range(0, 10).filter((i) => !big.includes(i)));
    q.close();
  });

  test("an I/O error keeps the vmagent queue intact and removes the partial import", () => {
    using dir = tempDir();
    twoChunkQueue(dir.path);
    const before = chunkFiles(dir.path);
    const meta = metaOf(dir.path);
    let writes = 0;
    const failing: QueueFs = {
      ...fs,
      writevSync: (...a: Parameters<typeof fs.writevSync>) => {
        if (++writes > 5) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        return fs.writevSync(...a);
      },
    };
    expect(() => FileQueue.open(options(dir.path, { fs: failing }))).toThrow(LegacyImportError);
    expect(chunkFiles(dir.path)).toEqual(before);
    expect(metaOf(dir.path)).toEqual(meta);
    const q = FileQueue.open(options(dir.path));
    expect(drain(q).seqs).toEqual(range(3, 20));
    q.close();
  });

  test("a crash at any point of the import neither loses nor duplicates blocks", () => {
    let completed = false;
    for (let crashAt = 1; !completed; crashAt++) {
      using dir = tempDir();
      twoChunkQueue(dir.path, u64(0));
      // Every fs call from the crashAt-th on throws, as if the process had died there.
      let calls = 0;
      const crashing = Object.fromEntries(
        Object.entries(fs).map(([k, v]) => [
          k,
          typeof v === "function"
            ? (...a: unknown[]) => {
              if (++calls >= crashAt) throw new Error(`Simulated crash at fs call ${crashAt} (${k})`);
              return (v as (...x: unknown[]) => unknown)(...a);
            }
            : v,
        ]),
      ) as unknown as QueueFs;
      try {
        FileQueue.open(options(dir.path, { fs: crashing })).close();
      } catch {
        // The crash surfaced as an error; what matters is the state on disk.
      }
      completed = calls < crashAt;
      const q = FileQueue.open(options(dir.path));
      expect({ crashAt, seqs: drain(q).seqs }).toEqual({ crashAt, seqs: range(3, 20) });
      q.close();
      expect(chunkFiles(dir.path).every((c) => c.drover)).toBe(true);
      expect(crashAt).toBeLessThan(1000);
    }
  });
});
