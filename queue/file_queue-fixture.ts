/**
 * Child process for the kill -9 test in file_queue.test.ts:
 * `bun file_queue-fixture.ts <dir> <chunkSize>` writes numbered blocks
 * (seq as u32 BE followed by filler) forever and prints each seq on its own
 * line after write() returned "disk". The parent kills it with SIGKILL.
 */
import { writeSync } from "node:fs";
import { FileQueue } from "./file_queue.ts";

const [dir, chunkSize] = process.argv.slice(2);
if (dir === undefined) throw new TypeError("Usage: file_queue-fixture.ts <dir> <chunkSize>");
const q = FileQueue.open({
  dir,
  name: "fixture",
  maxDiskUsage: 0,
  chunkSize: Number(chunkSize ?? 4096),
  fsyncPolicy: "never",
  fsyncIntervalMs: 1000,
  memoryCacheBytes: 0,
  memoryFallbackBytes: 0,
});
const block = new Uint8Array(300);
for (let seq = 0;; seq++) {
  const b = block.slice(0, 40 + (seq % 260));
  new DataView(b.buffer).setUint32(0, seq);
  if (q.write(b) !== "disk") throw new Error(`Write ${seq} did not reach the disk`);
  // Synchronous, so the line is out before the next write and survives SIGKILL.
  writeSync(1, `${seq}\n`);
  if (seq % 50 === 0) q.tick();
}
