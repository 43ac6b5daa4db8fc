/**
 * Throughput of FileQueue: `bun queue/file_queue.bench.ts`.
 * Writes then reads 1 GiB-ish of 256 KiB blocks (typical compressed
 * WriteRequest size) under several settings and prints MB/s.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileQueue, type FileQueueOptions } from "./file_queue.ts";

const BLOCK = 256 * 1024;
const COUNT = 2048;
const block = new Uint8Array(BLOCK).map((_, i) => (i * 2654435761) >>> 24);

function run(label: string, over: Partial<FileQueueOptions>): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drover-queue-bench-"));
  try {
    let now = 0;
    const q = FileQueue.open({
      dir,
      name: "bench",
      maxDiskUsage: 0,
      fsyncPolicy: "never",
      fsyncIntervalMs: 1000,
      memoryCacheBytes: 0,
      memoryFallbackBytes: 0,
      now: () => now,
      ...over,
    });
    const mb = (BLOCK * COUNT) / 1e6;
    let t = performance.now();
    for (let i = 0; i < COUNT; i++) {
      q.write(block.slice());
      if (over.fsyncPolicy === "always" && i % 16 === 15) q.sync();
      if (i % 64 === 0) {
        now += 100;
        q.tick();
      }
    }
    const writeMs = performance.now() - t;
    t = performance.now();
    let n = 0;
    for (let b = q.next(); b !== null; b = q.next()) {
      n++;
      q.done(b.id);
    }
    const readMs = performance.now() - t;
    q.close();
    if (n !== COUNT) throw new Error(`Read ${n} of ${COUNT} blocks`);
    console.log(
      `${label.padEnd(44)} write ${(mb / (writeMs / 1000)).toFixed(0).padStart(6)} MB/s   read ${
        (mb / (readMs / 1000)).toFixed(0).padStart(6)
      } MB/s`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run("never, no cache (reads from page cache)", {});
run("never, 64 MiB cache", { memoryCacheBytes: 64 * 1024 * 1024 });
run("interval 100ms, no cache", { fsyncPolicy: "interval", fsyncIntervalMs: 100 });
run("always (sync every 16 blocks = 4 MiB)", { fsyncPolicy: "always" });
run("never, 1 MiB chunks", { chunkSize: 1024 * 1024 });
