import { describe, expect, test } from "bun:test";
import { HASH_SEED, hashBytes, LabelCache } from "./label_cache.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("LabelCache", () => {
  test("find() matches key bytes, both ranges and the salt exactly", () => {
    const c = new LabelCache(1 << 20);
    const src = enc("cpu,host=a usage idle");
    const h = (a: number, b: number, a2: number, b2: number) =>
      hashBytes(src, a2, b2, hashBytes(src, a, b, HASH_SEED) ^ 0x2f);
    const val = enc("LABELS");
    const e = c.add(h(0, 10, 11, 16), 0, src, 0, 10, 11, 16, val, val.length, 2);
    expect(c.find(h(0, 10, 11, 16), 0, src, 0, 10, 11, 16)).toBe(e);
    expect(c.find(h(0, 10, 11, 16), 1, src, 0, 10, 11, 16)).toBe(-1);
    expect(c.find(h(0, 10, 17, 21), 0, src, 0, 10, 17, 21)).toBe(-1);
    // Same bytes split differently are another key.
    expect(c.find(h(0, 10, 11, 16), 0, src, 0, 11, 12, 16)).toBe(-1);
    expect(c.labels(e)).toBe(2);
    const off = c.valueOffset(e);
    expect(new TextDecoder().decode(c.arena.subarray(off, off + c.valueLength(e)))).toBe("LABELS");
    // The same key bytes in another buffer match too.
    const other = enc("xxcpu,host=a usage");
    expect(c.find(h(0, 10, 11, 16), 0, other, 2, 12, 13, 18)).toBe(e);
  });

  test("grows while within maxBytes, then empties itself instead of growing", () => {
    const c = new LabelCache(4 << 20);
    const val = new Uint8Array(100);
    let added = 0;
    for (let i = 0; i < 200_000; i++) {
      const key = enc(`series-${i}`);
      c.add(hashBytes(key, 0, key.length, HASH_SEED), 0, key, 0, key.length, 0, 0, val, val.length, 1);
      added++;
      expect(c.byteSize).toBeLessThanOrEqual(4 << 20);
    }
    expect(c.resets).toBeGreaterThan(0);
    expect(c.size).toBeLessThan(added);
    // The newest entry is still there.
    const key = enc(`series-${added - 1}`);
    expect(c.find(hashBytes(key, 0, key.length, HASH_SEED), 0, key, 0, key.length, 0, 0)).toBeGreaterThanOrEqual(0);
  });

  test("an entry too large for the cache is refused", () => {
    const c = new LabelCache(1 << 20);
    const key = enc("k");
    expect(c.add(1, 0, key, 0, 1, 0, 0, new Uint8Array(1 << 19), 1 << 19, 1)).toBe(-1);
  });
});
