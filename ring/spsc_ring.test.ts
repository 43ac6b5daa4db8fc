import { describe, expect, test } from "bun:test";
import { HEAD_INDEX, TAIL_INDEX } from "./layout.ts";
import type { FixtureReply } from "./ring-fixture.ts";
import { SpscRing } from "./spsc_ring.ts";

/** Deterministic xorshift32 so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function pattern(len: number, salt: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

function readOne(ring: SpscRing): Uint8Array {
  const v = ring.tryRead();
  if (v === null) throw new Error("expected a message");
  const copy = v.slice();
  ring.release();
  return copy;
}

describe("SpscRing construction", () => {
  test("create rejects bad capacities", () => {
    const f = (capacity: number) => expect(() => SpscRing.create(capacity)).toThrow(RangeError);
    f(0);
    f(2048);
    f(4097);
    f(6000);
    f(1.5);
    f(NaN);
    f(2 ** 31);
  });

  test("maxMessageSize is capacity / 2 - 4", () => {
    const f = (capacity: number, want: number) => expect(SpscRing.create(capacity).maxMessageSize).toBe(want);
    f(4096, 2044);
    f(1 << 16, 32764);
  });

  test("attach validates the buffer and shares state", () => {
    const f = (sab: SharedArrayBuffer) => expect(() => SpscRing.attach(sab)).toThrow(TypeError);
    f(new SharedArrayBuffer(16));
    f(new SharedArrayBuffer(192 + 4096));
    const ring = SpscRing.create(4096);
    const wrongSize = new SharedArrayBuffer(192 + 8192);
    new Uint8Array(wrongSize).set(new Uint8Array(ring.sab, 0, 192)); // valid header claiming 4096
    f(wrongSize);

    const other = SpscRing.attach(ring.sab);
    expect(other.capacity).toBe(4096);
    expect(ring.tryWrite([pattern(10, 1)])).toBe(true);
    expect(other.usedBytes()).toBe(16);
    expect(readOne(other)).toEqual(pattern(10, 1));
    expect(ring.usedBytes()).toBe(0);
  });
});

describe("SpscRing single thread", () => {
  test("fills to exactly full and frees on release", () => {
    const f = (len: number, wantCount: number) => {
      const ring = SpscRing.create(4096);
      let n = 0;
      while (ring.tryWrite([pattern(len, n)])) n++;
      expect(n).toBe(wantCount);
      expect(ring.usedBytes()).toBe(4096);
      expect(ring.tryRead()).toEqual(pattern(len, 0));
      expect(ring.tryWrite([pattern(len, 99)])).toBe(false); // not released yet
      ring.release();
      expect(ring.tryWrite([pattern(len, n)])).toBe(true);
      for (let i = 1; i <= n; i++) expect(readOne(ring)).toEqual(pattern(len, i));
      expect(ring.tryRead()).toBeNull();
      expect(ring.usedBytes()).toBe(0);
    };
    f(0, 512); // 8-byte records
    f(4, 512);
    f(5, 256); // 16-byte records
    f(60, 64);
    f(2044, 2);
  });

  test("wraps with a PAD marker", () => {
    const ring = SpscRing.create(4096);
    expect(ring.tryWrite([pattern(2000, 0)])).toBe(true);
    expect(ring.tryWrite([pattern(1000, 1)])).toBe(true);
    expect(readOne(ring)).toEqual(pattern(2000, 0));
    expect(readOne(ring)).toEqual(pattern(1000, 1)); // tail at 3016
    // A 1504-byte record does not fit in the 1080 bytes left: PAD + record at 0.
    expect(ring.tryWrite([pattern(1500, 2)])).toBe(true);
    expect(ring.usedBytes()).toBe(1080 + 1504);
    expect(ring.tryWrite([pattern(1000, 3)])).toBe(true);
    expect(ring.usedBytes()).toBe(1080 + 1504 + 1008);
    expect(readOne(ring)).toEqual(pattern(1500, 2));
    expect(ring.usedBytes()).toBe(1008);
    expect(readOne(ring)).toEqual(pattern(1000, 3));
    expect(ring.usedBytes()).toBe(0);

    // A record ending exactly at the end of the data area needs no PAD.
    const exact = SpscRing.create(4096);
    expect(exact.tryWrite([pattern(2044, 4)])).toBe(true);
    expect(exact.tryWrite([pattern(2044, 5)])).toBe(true);
    expect(exact.usedBytes()).toBe(4096);
    expect(readOne(exact)).toEqual(pattern(2044, 4));
    expect(readOne(exact)).toEqual(pattern(2044, 5));
  });

  test("PAD does not fit when the wrapped record would overlap unreleased data", () => {
    const ring = SpscRing.create(4096);
    expect(ring.tryWrite([pattern(2000, 1)])).toBe(true); // [0, 2008)
    expect(ring.tryWrite([pattern(1000, 2)])).toBe(true); // [2008, 3016)
    expect(readOne(ring)).toEqual(pattern(2000, 1)); // head at 2008
    // 2048-byte record needs PAD(1080) + 2048 > free 3088
    expect(ring.tryWrite([pattern(2044, 3)])).toBe(false);
    expect(ring.tryWrite([pattern(2000, 3)])).toBe(true); // PAD(1080) + 2008 = 3088
    expect(ring.usedBytes()).toBe(4096);
    expect(readOne(ring)).toEqual(pattern(1000, 2));
    expect(readOne(ring)).toEqual(pattern(2000, 3));
  });

  test("every size from 0 to maxMessageSize round-trips", () => {
    const ring = SpscRing.create(4096);
    for (let len = 0; len <= ring.maxMessageSize; len++) {
      const body = pattern(len, len);
      expect(ring.tryWrite([body.subarray(0, len >> 1), body.subarray(len >> 1)])).toBe(true);
      expect(readOne(ring)).toEqual(body);
    }
    expect(ring.usedBytes()).toBe(0);
  });

  test("rejects oversized messages with RangeError", () => {
    const ring = SpscRing.create(4096);
    const f = (parts: Uint8Array[]) => expect(() => ring.tryWrite(parts)).toThrow(RangeError);
    f([new Uint8Array(2045)]);
    f([new Uint8Array(2000), new Uint8Array(45)]);
    f([new Uint8Array(1 << 20)]);
    expect(() => ring.waitForSpace(2045, 0)).toThrow(RangeError);
    expect(() => ring.waitForSpace(-1, 0)).toThrow(RangeError);
    expect(ring.usedBytes()).toBe(0);
  });

  test("tryWrite copies parts and release frees batches", () => {
    const ring = SpscRing.create(4096);
    const hdr = new Uint8Array([1, 2, 3]);
    expect(ring.tryWrite([hdr, pattern(5, 0), new Uint8Array(0)])).toBe(true);
    hdr[0] = 9; // must not affect the written message
    expect(ring.tryWrite([])).toBe(true);
    const a = ring.tryRead();
    const b = ring.tryRead();
    expect(ring.tryRead()).toBeNull();
    expect(Array.from(a ?? [])).toEqual([1, 2, 3, ...pattern(5, 0)]);
    expect(b?.byteLength).toBe(0);
    expect(ring.usedBytes()).toBe(24);
    ring.release();
    ring.release();
    expect(ring.usedBytes()).toBe(0);
  });

  const fifo = (ring: SpscRing, messages: number, seed: number) => {
    const rand = rng(seed);
    const hdr = new Uint8Array(8);
    const hv = new DataView(hdr.buffer);
    const pool = new Uint8Array(ring.maxMessageSize);
    for (let i = 0; i < pool.length; i++) pool[i] = rand() & 0xff;
    let written = 0;
    let read = 0;
    while (read < messages) {
      // Write a random burst until full, then read a random burst (sometimes several before release).
      for (let burst = rand() % 64; burst > 0 && written < messages; burst--) {
        const len = rand() % 8 === 0 ? rand() % (ring.maxMessageSize - 7) : rand() % 300;
        const off = rand() % (pool.length - len + 1);
        const body = pool.subarray(off, off + len);
        hv.setUint32(0, written, true);
        hv.setUint32(4, Bun.hash.crc32(body), true);
        if (!ring.tryWrite([hdr, body])) break;
        written++;
      }
      for (let burst = rand() % 64; burst > 0 && read < written; burst--) {
        const msg = ring.tryRead();
        if (msg === null) throw new Error(`empty ring with ${written - read} messages outstanding`);
        const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
        if (v.getUint32(0, true) !== read) throw new Error(`message ${read}: got ${v.getUint32(0, true)}`);
        if (v.getUint32(4, true) !== Bun.hash.crc32(msg.subarray(8))) throw new Error(`message ${read}: bad crc`);
        read++;
        if (rand() % 4 !== 0) ring.release();
      }
      ring.release();
    }
    expect(ring.tryRead()).toBeNull();
    expect(ring.usedBytes()).toBe(0);
  };

  test("FIFO order and content over random sizes", () => {
    fifo(SpscRing.create(4096), 50_000, 1);
    fifo(SpscRing.create(1 << 16), 50_000, 2);
  });

  test("FIFO across the 2^32 counter wrap", () => {
    const base = SpscRing.create(8192);
    const header = new Int32Array(base.sab, 0, 48);
    const start = (2 ** 32 - 8192 * 3 - 8) | 0; // not a multiple of capacity, to start mid-buffer
    header[HEAD_INDEX] = start;
    header[TAIL_INDEX] = start;
    const ring = SpscRing.attach(base.sab);
    fifo(ring, 20_000, 3);
    expect(Atomics.load(header, TAIL_INDEX) >>> 0).toBeLessThan(2 ** 31); // it did wrap
  });
});

describe("SpscRing waits", () => {
  test("waitForData resolves at once, on write, or after timeout", async () => {
    const ring = SpscRing.create(4096);
    let t0 = performance.now();
    await ring.waitForData(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);

    ring.tryWrite([pattern(3, 0)]);
    t0 = performance.now();
    await ring.waitForData(5000);
    expect(performance.now() - t0).toBeLessThan(1000);
    readOne(ring);

    setTimeout(() => ring.tryWrite([pattern(3, 1)]), 20);
    t0 = performance.now();
    await ring.waitForData(5000);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(readOne(ring)).toEqual(pattern(3, 1));
  });

  test("waitForSpace times out while stalled and resolves on release", async () => {
    const ring = SpscRing.create(4096);
    expect(await ring.waitForSpace(2044, 0)).toBe(true);
    while (ring.tryWrite([pattern(1000, 0)])) {
      // fill the ring
    }
    expect(await ring.waitForSpace(100, 0)).toBe(false);
    const t0 = performance.now();
    expect(await ring.waitForSpace(100, 40)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);

    setTimeout(() => {
      ring.tryRead();
      ring.release();
    }, 20);
    expect(await ring.waitForSpace(100, 5000)).toBe(true);
    expect(ring.tryWrite([pattern(100, 1)])).toBe(true);
  });

  test("waitForSpace keeps waiting until enough space is released", async () => {
    const ring = SpscRing.create(4096);
    for (let i = 0; i < 8; i++) expect(ring.tryWrite([pattern(500, i)])).toBe(true);
    let resolved = false;
    const p = ring.waitForSpace(1500, 5000).then((ok) => (resolved = ok));
    for (let i = 0; i < 2; i++) {
      await Bun.sleep(10);
      readOne(ring);
      await Bun.sleep(10);
      expect(resolved).toBe(false); // 512 and 1024 bytes free are not enough
    }
    readOne(ring);
    await p;
    expect(resolved).toBe(true);
  });
});

describe("SpscRing across threads", () => {
  test("200k messages with back-pressure arrive in order and intact", async () => {
    const messages = 200_000;
    const ring = SpscRing.create(1 << 16);
    const worker = new Worker(new URL("./ring-fixture.ts", import.meta.url), { type: "module" });
    try {
      const done = new Promise<FixtureReply>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent) => resolve(e.data as FixtureReply);
        worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
      });
      worker.postMessage({ mode: "verify", sab: ring.sab, count: messages });

      const rand = rng(42);
      const pool = new Uint8Array(ring.maxMessageSize);
      for (let i = 0; i < pool.length; i++) pool[i] = rand() & 0xff;
      const hdr = new Uint8Array(8);
      const hv = new DataView(hdr.buffer);
      const parts = [hdr, pool];
      let waits = 0;
      for (let seq = 0; seq < messages; seq++) {
        const len = rand() % 64 === 0 ? rand() % (ring.maxMessageSize - 7) : rand() % 1024;
        const off = rand() % (pool.length - len + 1);
        const body = pool.subarray(off, off + len);
        hv.setUint32(0, seq, true);
        hv.setUint32(4, Bun.hash.crc32(body), true);
        parts[1] = body;
        while (!ring.tryWrite(parts)) {
          waits++;
          if (!(await ring.waitForSpace(8 + len, 10_000))) throw new Error(`consumer stalled at ${seq}`);
        }
      }
      const reply = await done;
      expect(reply).toMatchObject({ kind: "done", count: messages, errors: 0, firstError: "" });
      expect(waits).toBeGreaterThan(0); // back-pressure was exercised
    } finally {
      worker.terminate();
    }
  }, 60_000);
});
