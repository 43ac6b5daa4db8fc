import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { FileQueue, type FileQueueOptions, queueDirName, type QueueFs, QueueLockedError } from "./file_queue.ts";
import { block, CHUNK, drain, options, range, seqOf, tempDir } from "./_testing.ts";

function writeAll(q: FileQueue, from: number, to: number): void {
  for (let i = from; i < to; i++) expect(q.write(block(i))).toBe("disk");
}

function chunkFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /^[0-9A-F]{16}$/.test(n)).sort();
}

/** Applies `edit` to the byte at global queue offset `offset`. */
function editByte(dir: string, offset: number, edit: (b: number) => number): void {
  const name = chunkFiles(dir).filter((n) => Number.parseInt(n, 16) <= offset).at(-1)!;
  const file = path.join(dir, name);
  const buf = fs.readFileSync(file);
  const pos = offset - Number.parseInt(name, 16);
  buf[pos] = edit(buf[pos]!);
  fs.writeFileSync(file, buf);
}

test("queueDirName() matches vmagent", () => {
  const f = (index: number, url: string, want: string) => expect(queueDirName(index, url)).toBe(want);
  f(1, "http://127.0.0.1:1/api/v1/write", "1_FD109BB61015B79C");
  f(1, "http://127.0.0.1:1/api/v1/write?extra_label=a#frag", "1_FD109BB61015B79C");
  f(1, "http://127.0.0.1:1/api/v1/write#frag?x", "1_FD109BB61015B79C");
  f(3, "http://127.0.0.1:1/api/v1/write", "3_FD109BB61015B79C");
  f(
    2,
    "http://u:p@host/api",
    `2_${Bun.hash.xxHash64("http://u:p@host/api").toString(16).toUpperCase().padStart(16, "0")}`,
  );
  expect(() => queueDirName(0, "x")).toThrow(RangeError);
});

describe.each([0, 1 << 20])("FIFO with memoryCacheBytes=%d", (memoryCacheBytes) => {
  test("blocks come back in order across chunks, out-of-order acks, reopen replays not-done blocks", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path, { memoryCacheBytes }));
    writeAll(q, 0, 30);
    expect(chunkFiles(dir.path).length).toBeGreaterThan(3);
    expect(q.pendingBlocks()).toBe(30);
    const { seqs, ids } = drain(q, false);
    expect(seqs).toEqual(range(0, 30));
    expect(q.next()).toBeNull();
    const files = chunkFiles(dir.path).length;
    for (const i of [9, 3, 1, 2, 4, 8, 7, 6, 5, 20]) q.done(ids[i]!);
    expect(chunkFiles(dir.path).length).toBe(files);
    q.done(ids[0]!);
    expect(chunkFiles(dir.path).length).toBeLessThan(files);
    expect(q.pendingBlocks()).toBe(19);
    const pending = q.pendingBytes();
    q.close();

    const r = FileQueue.open(options(dir.path, { memoryCacheBytes }));
    expect(r.pendingBytes()).toBe(pending + 16 + block(20).length);
    // Block 20 was done out of order, after the smallest not-done block 10: replayed (at-least-once).
    const again = drain(r, true);
    expect(again.seqs).toEqual(range(10, 30));
    expect(again.ids).toEqual(ids.slice(10));
    expect(r.pendingBytes()).toBe(0);
    expect(r.pendingBlocks()).toBe(0);
    writeAll(r, 30, 35);
    expect(drain(r).seqs).toEqual(range(30, 35));
    expect(r.stats).toMatchObject({ blocksWritten: 5, blocksRead: 25, corruptedRecordsSkipped: 0 });
    r.close();
    expect(chunkFiles(dir.path).length).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir.path, "metainfo.json"), "utf8"))).toMatchObject({
      Name: "1:secret-url",
      Format: "drover-v1",
    });
  });
  test("nextIf() hands out a block only when accepted; rows come back from the memory cache", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path, { memoryCacheBytes }));
    for (let i = 0; i < 4; i++) expect(q.write(block(i), 10 + i)).toBe("disk");
    const seen: number[] = [];
    expect(q.nextIf((d) => (seen.push(seqOf(d)), false))).toBeNull();
    expect(q.nextIf((d) => (seen.push(seqOf(d)), false))).toBeNull();
    expect(seen).toEqual([0, 0]);
    const a = q.nextIf(() => true)!;
    expect([seqOf(a.data), a.rows]).toEqual([0, memoryCacheBytes > 0 ? 10 : 0]);
    const b = q.next()!;
    expect([seqOf(b.data), b.rows]).toEqual([1, memoryCacheBytes > 0 ? 11 : 0]);
    expect(q.nextIf(() => false)).toBeNull();
    q.close();
    // After a reopen rows are unknown (0); the peeked block 2 is handed out first.
    const r = FileQueue.open(options(dir.path, { memoryCacheBytes }));
    expect(drain(r).seqs).toEqual([0, 1, 2, 3]);
    expect(r.nextIf(() => true)).toBeNull();
    r.close();
  });
});

describe("crash recovery", () => {
  test("a copy of a queue that was never closed has every block", () => {
    using dir = tempDir();
    using copy = tempDir();
    const q = FileQueue.open(options(dir.path));
    writeAll(q, 0, 50);
    fs.cpSync(dir.path, copy.path, { recursive: true });
    const r = FileQueue.open(options(copy.path));
    expect(drain(r).seqs).toEqual(range(0, 50));
    r.close();
    q.close();
  });

  test("a torn tail is truncated and the writer continues after it", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    writeAll(q, 0, 20);
    q.close();
    const last = path.join(dir.path, chunkFiles(dir.path).at(-1)!);
    const size = fs.statSync(last).size;
    fs.truncateSync(last, size - 5);
    const r = FileQueue.open(options(dir.path));
    expect(r.stats.tornTailBytesTruncated).toBe(16 + block(19).length - 5);
    writeAll(r, 100, 110);
    r.close();
    const s = FileQueue.open(options(dir.path));
    expect(drain(s).seqs).toEqual([...range(0, 19), ...range(100, 110)]);
    expect(s.stats.corruptedRecordsSkipped).toBe(0);
    s.close();
  });

  const damaged = (offsetInRecord: number) => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    writeAll(q, 0, 20);
    const { ids } = drain(q, false);
    q.close();
    editByte(dir.path, ids[7]! + offsetInRecord, (b) => b ^ 0x04);
    const r = FileQueue.open(options(dir.path));
    expect(drain(r).seqs).toEqual([...range(0, 7), ...range(8, 20)]);
    expect(r.stats.corruptedRecordsSkipped).toBe(1);
    expect(r.stats.corruptedBytesSkipped).toBe(16 + block(7).length);
    expect(r.pendingBytes()).toBe(0);
    r.close();
  };
  test("a bit flip in a middle record's payload skips only that record", () => damaged(16 + 3));
  test("a bit flip in a middle record's length skips only that record", () => damaged(7));
  test("a bit flip in a middle record's magic skips only that record", () => damaged(0));

  test("zeroed data at the end of a middle chunk skips to the next chunk", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    writeAll(q, 0, 20);
    const { ids } = drain(q, false);
    q.close();
    const last = ids.filter((id) => id < CHUNK).length - 1;
    for (let i = 0; i < 16 + block(last).length; i++) editByte(dir.path, ids[last]! + i, () => 0);
    const r = FileQueue.open(options(dir.path));
    expect(drain(r).seqs).toEqual([...range(0, last), ...range(last + 1, 20)]);
    expect(r.stats.corruptedRecordsSkipped).toBe(1);
    r.close();
  });

  test("oversized records get a chunk of their own; blocks above maxBlockSize are dropped", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path, { maxBlockSize: 1000 }));
    q.write(block(0));
    expect(q.write(block(1, 1000))).toBe("disk");
    expect(q.write(block(2, 1001))).toBe("dropped");
    q.write(block(3));
    // The oversized chunk ends past the chunk size, so the next one starts right after it.
    expect(chunkFiles(dir.path)).toEqual(["0000000000000000", "0000000000000100", "00000000000004F8"]);
    q.close();
    const r = FileQueue.open(options(dir.path, { maxBlockSize: 1000 }));
    expect(drain(r).seqs).toEqual([0, 1, 3]);
    expect(r.stats.blocksDropped).toBe(0);
    r.close();
  });

  test("garbage or missing metainfo.json keeps readable chunks", () => {
    const f = (metainfo: string | null) => {
      using dir = tempDir();
      const q = FileQueue.open(options(dir.path));
      writeAll(q, 0, 20);
      for (let i = 0; i < 3; i++) q.done(q.next()!.id);
      q.close();
      const file = path.join(dir.path, "metainfo.json");
      if (metainfo === null) fs.unlinkSync(file);
      else fs.writeFileSync(file, metainfo);
      const r = FileQueue.open(options(dir.path));
      // Reading restarts at the oldest chunk: done blocks in it are replayed.
      expect(drain(r).seqs).toEqual(range(0, 20));
      r.close();
      expect(JSON.parse(fs.readFileSync(file, "utf8")).Format).toBe("drover-v1");
    };
    f("{garbage");
    f('{"ReaderOffset":10,"WriterOffset":5}');
    f(null);
  });

  test("stale metainfo is only a hint", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    writeAll(q, 0, 10);
    q.close();
    const file = path.join(dir.path, "metainfo.json");
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify({ ...meta, WriterOffset: 3 }));
    const r = FileQueue.open(options(dir.path));
    writeAll(r, 10, 12);
    expect(drain(r).seqs).toEqual(range(0, 12));
    r.close();
  });

  test("kill -9 loses no block whose write() returned", async () => {
    using dir = tempDir();
    const child = Bun.spawn([process.execPath, path.join(import.meta.dir, "file_queue-fixture.ts"), dir.path, "4096"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    let text = "";
    const decoder = new TextDecoder();
    const reader = child.stdout.getReader();
    const deadline = Date.now() + 5000;
    while (text.split("\n").length < 2000 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    child.kill("SIGKILL");
    await child.exited;
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    const printed = text.split("\n").filter((l) => l !== "").map(Number);
    expect(printed.length).toBeGreaterThan(100);
    expect(printed).toEqual(range(0, printed.length));

    const q = FileQueue.open(options(dir.path, { chunkSize: 4096 }));
    const seqs: number[] = [];
    for (let b = q.next(); b !== null; b = q.next()) {
      seqs.push(seqOf(b.data));
      q.done(b.id);
    }
    expect(seqs.length).toBeGreaterThanOrEqual(printed.length);
    expect(seqs).toEqual(range(0, seqs.length));
    expect(q.stats.corruptedRecordsSkipped).toBe(0);
    q.close();
  });
});

describe("maxDiskUsage", () => {
  const LEN = 50;
  const REC = 16 + LEN;

  test("drops the oldest blocks, then new blocks when the rest is in flight", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path, { maxDiskUsage: 5 * REC }));
    for (let i = 0; i < 12; i++) expect(q.write(block(i, LEN))).toBe("disk");
    expect(q.pendingBlocks()).toBe(5);
    expect(q.pendingBytes()).toBe(5 * REC);
    expect(q.stats).toMatchObject({ blocksDropped: 7, bytesDropped: 7 * LEN });
    expect(chunkFiles(dir.path).length).toBeLessThanOrEqual(3);
    const inflight = [];
    for (let b = q.next(); b !== null; b = q.next()) inflight.push(b);
    expect(inflight.map((b) => seqOf(b.data))).toEqual(range(7, 12));
    expect(q.write(block(12, LEN))).toBe("dropped");
    q.done(inflight[0]!.id);
    expect(q.write(block(13, LEN))).toBe("disk");
    expect(q.write(block(14, 5 * REC))).toBe("dropped");
    expect(q.stats).toMatchObject({ blocksDropped: 9, bytesDropped: 8 * LEN + 5 * REC });
    for (const b of inflight.slice(1)) q.done(b.id);
    expect(q.write(block(15, 5 * REC - 16))).toBe("disk");
    expect(q.stats.blocksDropped).toBe(10);
    expect(drain(q).seqs).toEqual([15]);
    q.close();
  });

  test("the limit survives a reopen", () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    for (let i = 0; i < 10; i++) q.write(block(i, LEN));
    q.close();
    const r = FileQueue.open(options(dir.path, { maxDiskUsage: 4 * REC }));
    expect(r.pendingBlocks()).toBe(10);
    r.write(block(10, LEN));
    expect(drain(r).seqs).toEqual(range(7, 11));
    r.close();
  });
});

/** node:fs whose data writes fail with ENOSPC while `failing.on` is true. */
function failingFs(): { fs: QueueFs; failing: { on: boolean }; fsyncs: { n: number } } {
  const failing = { on: false };
  const fsyncs = { n: 0 };
  const enospc = () => Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
  const wrapped: QueueFs = {
    ...fs,
    writevSync: (...a: Parameters<typeof fs.writevSync>) => {
      if (!failing.on) return fs.writevSync(...a);
      // Simulate a short write followed by ENOSPC: the queue must truncate it back.
      fs.writeSync(a[0], new Uint8Array(3), 0, 3, a[2] ?? null);
      return 3;
    },
    writeSync: ((...a: Parameters<typeof fs.writeSync>) => {
      if (failing.on) throw enospc();
      return (fs.writeSync as (...x: unknown[]) => number)(...a);
    }) as typeof fs.writeSync,
    fsyncSync: (fd: number) => {
      fsyncs.n++;
      fs.fsyncSync(fd);
    },
  };
  return { fs: wrapped, failing, fsyncs };
}

describe("write errors", () => {
  test("memory fallback keeps FIFO order, drops when full and returns to disk", () => {
    using dir = tempDir();
    const { fs: qfs, failing } = failingFs();
    const now = 0;
    const q = FileQueue.open(options(dir.path, { fs: qfs, memoryFallbackBytes: 150, now: () => now }));
    writeAll(q, 0, 3);
    failing.on = true;
    const outcomes = range(3, 8).map((i) => q.write(block(i, 50)));
    expect(outcomes).toEqual(["memory", "memory", "memory", "dropped", "dropped"]);
    expect(q.stats).toMatchObject({ diskWriteErrors: 1, memoryFallbackBlocks: 3, blocksDropped: 2 });
    failing.on = false;
    // The fallback is not empty: new blocks go behind it to keep FIFO order.
    expect(q.write(block(8, 10))).toBe("dropped");
    const got = [];
    for (let i = 0; i < 6; i++) got.push(q.next()!);
    expect(got.map((b) => seqOf(b.data))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got[3]!.id).toBeLessThan(0);
    expect(q.next()).toBeNull();
    expect(q.write(block(9))).toBe("disk");
    expect(seqOf(q.next()!.data)).toBe(9);
    for (const b of got) q.done(b.id);
    expect(q.pendingBlocks()).toBe(1);
    q.close();
    // Every byte the failed writes left was truncated: the next open finds a clean queue.
    const r = FileQueue.open(options(dir.path));
    expect(r.stats.tornTailBytesTruncated).toBe(0);
    expect(drain(r).seqs).toEqual([9]);
    r.close();
  });

  test("tick() moves the fallback back to disk and close() saves in-flight memory blocks", () => {
    using dir = tempDir();
    const { fs: qfs, failing } = failingFs();
    let now = 0;
    const q = FileQueue.open(options(dir.path, { fs: qfs, memoryFallbackBytes: 1 << 20, now: () => now }));
    failing.on = true;
    for (let i = 0; i < 4; i++) expect(q.write(block(i))).toBe("memory");
    const first = q.next()!;
    expect(seqOf(first.data)).toBe(0);
    failing.on = false;
    now += 500;
    q.tick();
    expect(q.write(block(4))).toBe("memory");
    now += 600;
    q.tick();
    expect(q.write(block(5))).toBe("disk");
    expect(q.stats.blocksWritten).toBe(5);
    q.close();
    const r = FileQueue.open(options(dir.path));
    expect(drain(r).seqs).toEqual([1, 2, 3, 4, 5, 0]);
    r.close();
  });

  test.skipIf(process.getuid?.() !== 0)("a real full tmpfs never throws", () => {
    using dir = tempDir();
    if (Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]).exitCode !== 0) {
      console.warn("mount -t tmpfs failed; skipping the real full-disk test");
      return;
    }
    try {
      const q = FileQueue.open(
        options(dir.path, { chunkSize: 8192, memoryFallbackBytes: 64 * 1024, fsyncPolicy: "always" }),
      );
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        outcomes.push(q.write(block(i, 4000)));
        q.sync();
      }
      expect(outcomes).toContain("memory");
      expect(outcomes).toContain("dropped");
      expect(q.stats.diskWriteErrors).toBeGreaterThan(0);
      const seqs: number[] = [];
      for (let b = q.next(); b !== null; b = q.next()) {
        seqs.push(seqOf(b.data));
        q.done(b.id);
      }
      expect(seqs).toEqual(range(0, seqs.length));
      expect(seqs.length).toBe(outcomes.filter((o) => o !== "dropped").length);
      // Space is free again after the acks deleted the chunks.
      expect(q.write(block(100, 4000))).toBe("disk");
      q.close();
    } finally {
      Bun.spawnSync(["umount", dir.path]);
    }
  });
});

describe("fsync policy", () => {
  test("sync(), tick() and close() fsync as the policy says", () => {
    const f = (
      policy: FileQueueOptions["fsyncPolicy"],
      want: { afterSync: number; afterTick: number; afterClose: number },
    ) => {
      using dir = tempDir();
      const { fs: qfs, fsyncs } = failingFs();
      let now = 0;
      const q = FileQueue.open(
        options(dir.path, { fs: qfs, fsyncPolicy: policy, fsyncIntervalMs: 100, now: () => now }),
      );
      const base = fsyncs.n;
      q.write(block(1));
      if (policy === "always") q.sync();
      const afterSync = fsyncs.n - base;
      now = 50;
      q.tick();
      now = 1000;
      q.tick();
      const afterTick = fsyncs.n - base;
      q.close();
      expect({ afterSync, afterTick, afterClose: fsyncs.n - base }).toEqual(want);
    };
    // Counts: chunk data, the dir (new chunk file), metainfo (durable unless "never"); close skips clean data.
    f("always", { afterSync: 2, afterTick: 3, afterClose: 4 });
    f("interval", { afterSync: 0, afterTick: 3, afterClose: 4 });
    f("never", { afterSync: 0, afterTick: 0, afterClose: 3 });
  });
});

describe("lock", () => {
  test("a second open in this thread or by a live process is refused", async () => {
    using dir = tempDir();
    const q = FileQueue.open(options(dir.path));
    expect(() => FileQueue.open(options(dir.path))).toThrow(QueueLockedError);
    q.close();
    fs.writeFileSync(path.join(dir.path, "flock.lock"), `${process.ppid}\n`);
    expect(() => FileQueue.open(options(dir.path))).toThrow(QueueLockedError);
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    fs.writeFileSync(path.join(dir.path, "flock.lock"), `${dead.pid}\n`);
    FileQueue.open(options(dir.path)).close();
  });
});
