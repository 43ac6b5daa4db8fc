import { describe, expect, test } from "bun:test";
import { hash64, HashCounts, hashHi, HashList, HashSet64, KeyStore } from "./_series_set.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function h(s: string): [number, number] {
  const b = enc(s);
  const lo = hash64(b, new DataView(b.buffer), 0, b.length);
  return [lo, hashHi];
}

describe("hash64()", () => {
  test("depends on every byte and on the length; equal bytes give equal hashes anywhere", () => {
    const keys = ["", "a", "b", "ab", "ba", "abcd", "abce", "abcde", 'm{a="1"}', 'm{a="2"}', 'm{a="1"} '];
    const seen = new Set(keys.map((k) => h(k).join(",")));
    expect(seen.size).toBe(keys.length);
    const b = enc('xx m{a="1"} yy');
    expect([hash64(b, new DataView(b.buffer), 3, 11), hashHi]).toEqual(h('m{a="1"}'));
  });

  test("no collisions among 200k series keys", () => {
    const set = new HashSet64();
    for (let i = 0; i < 200_000; i++) {
      expect(set.add(...h(`node_cpu_seconds_total{cpu="${i >> 3}",mode="m${i & 7}"}`))).toBe(true);
    }
    expect(set.size).toBe(200_000);
  });
});

describe("HashSet64", () => {
  test("add/has/reset", () => {
    const s = new HashSet64();
    expect(s.add(1, 2)).toBe(true);
    expect(s.add(1, 2)).toBe(false);
    expect(s.has(1, 2)).toBe(true);
    expect(s.has(2, 1)).toBe(false);
    for (let i = 0; i < 1000; i++) s.add(i, -i);
    expect(s.size).toBe(1001);
    expect(s.has(999, -999)).toBe(true);
    s.reset(10);
    expect([s.size, s.has(1, 2)]).toEqual([0, false]);
  });
});

describe("HashCounts", () => {
  test("take() takes one copy at a time and marks the hash seen; reset() empties", () => {
    const c = new HashCounts();
    c.add(1, 2);
    c.add(1, 2);
    c.add(3, 4);
    expect([c.size, c.seen(1, 2), c.seen(3, 4), c.seen(5, 6)]).toEqual([2, false, false, false]);
    expect([c.take(1, 2), c.take(1, 2), c.take(1, 2)]).toEqual([true, true, false]);
    expect([c.seen(1, 2), c.seen(3, 4)]).toEqual([true, false]);
    // Absent: nothing to take, and not seen either (it was never a previous row).
    expect([c.take(5, 6), c.seen(5, 6)]).toEqual([false, false]);
    // A copy added after the hash was seen can be taken.
    c.add(1, 2);
    expect([c.take(1, 2), c.seen(1, 2)]).toEqual([true, true]);
    c.reset(4);
    expect([c.size, c.seen(1, 2), c.take(3, 4)]).toEqual([0, false, false]);
  });

  test("keeps counts and seen marks across growth", () => {
    const c = new HashCounts();
    for (let i = 0; i < 1000; i++) for (let k = 0; k <= i % 3; k++) c.add(i, ~i);
    c.take(7, ~7);
    for (let i = 1000; i < 5000; i++) c.add(i, ~i);
    expect(c.size).toBe(5000);
    expect(c.seen(7, ~7)).toBe(true);
    // 7 had 2 copies: one left.
    expect([c.take(7, ~7), c.take(7, ~7)]).toEqual([true, false]);
    let copies = 0;
    for (let i = 0; i < 1000; i++) while (c.take(i, ~i)) copies++;
    // 334 hashes with 1 copy, 333 with 2 and 333 with 3, less the two copies of 7 taken.
    expect(copies).toBe(334 + 333 * 2 + 333 * 3 - 2);
  });
});

describe("KeyStore", () => {
  test("front-coded keys come back in order, also as a prefix and trimmed", () => {
    const keys = ["node_a", "node_ab", "node_b", "", "x".repeat(1000), "x".repeat(999) + "y", "node_a", "\u00e9\u00e9"];
    const st = new KeyStore(16);
    for (const k of keys) {
      const b = enc(`..${k}..`);
      st.append(b, 2, b.length - 2);
    }
    const out = (s: KeyStore, limit?: number) => {
      const got: string[] = [];
      s.forEach((buf, len) => got.push(new TextDecoder().decode(buf.subarray(0, len))), limit);
      return got;
    };
    expect(out(st)).toEqual(keys);
    expect(out(st, 3)).toEqual(keys.slice(0, 3));
    expect(out(st.prefix(5))).toEqual(keys.slice(0, 5));
    const t = st.trimmed();
    expect(out(t)).toEqual(keys);
    // Appending after trimming keeps front coding against the last key.
    t.append(enc("node_abc"), 0, 8);
    expect(out(t).at(-1)).toBe("node_abc");
    const l = new HashList();
    for (let i = 0; i < 100; i++) l.push(i, i * 2);
    expect([l.trimmed().length, l.trimmed().hi[99]]).toEqual([100, 198]);
  });
});
