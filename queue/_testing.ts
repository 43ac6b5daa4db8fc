/**
 * Helpers shared by the queue's tests (file_queue.test.ts, _legacy.test.ts):
 * temporary directories, default options, numbered blocks, draining and
 * joining bytes.
 *
 * @module
 */
import { expect } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FileQueue, FileQueueOptions } from "./file_queue.ts";

/** A fresh directory under the OS temp dir, removed on dispose. */
export function tempDir(prefix = "drover-queue-"): { path: string } & Disposable {
  const p = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: p, [Symbol.dispose]: () => fs.rmSync(p, { recursive: true, force: true }) };
}

/** Chunk size of {@link options}. */
export const CHUNK = 256;

/** Small chunks, no fsync, no memory cache or fallback, silent; `over` replaces any of it. */
export function options(dir: string, over: Partial<FileQueueOptions> = {}): FileQueueOptions {
  return {
    dir,
    name: "1:secret-url",
    maxDiskUsage: 0,
    chunkSize: CHUNK,
    fsyncPolicy: "never",
    fsyncIntervalMs: 1000,
    memoryCacheBytes: 0,
    memoryFallbackBytes: 0,
    logger: () => {},
    ...over,
  };
}

/** Block `seq`: u32 BE seq, then filler; length varies unless `len` is given. */
export function block(seq: number, len = 20 + ((seq * 7) % 50)): Uint8Array {
  const b = new Uint8Array(len).fill(seq & 0xff);
  new DataView(b.buffer).setUint32(0, seq);
  return b;
}

export function seqOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.length).getUint32(0);
}

/** Hands out every block, checking it is an intact block(); acks them unless `ack` is false. Returns seqs and ids. */
export function drain(q: FileQueue, ack = true): { seqs: number[]; ids: number[] } {
  const seqs: number[] = [];
  const ids: number[] = [];
  for (let b = q.next(); b !== null; b = q.next()) {
    expect(b.data).toEqual(block(seqOf(b.data), b.data.length));
    seqs.push(seqOf(b.data));
    ids.push(b.id);
    if (ack) q.done(b.id);
  }
  return { seqs, ids };
}

/** The parts joined into one array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
