import { describe, expect, test } from "bun:test";
import { rng } from "./testing.ts";
// @ts-expect-error snappyjs ships no type declarations
import snappyjs from "snappyjs";
import { snappyCompress, snappyConcat, snappyDecodedLength, snappyDecompress, TooLargeError } from "./snappy.ts";

const sj = snappyjs as { compress(a: Uint8Array): Uint8Array; uncompress(a: Uint8Array, max?: number): Uint8Array };

/** Test inputs: empty, tiny, random, repetitive, overlapping runs, text-like, and multi-fragment (>64 KiB). */
function corpus(): Uint8Array[] {
  const r = rng(1);
  const random = (n: number) => Uint8Array.from({ length: n }, () => (r() * 256) | 0);
  const text = (n: number) => {
    let s = "";
    while (s.length < n) {
      s += `http_requests_total{job="api",instance="10.0.${(r() * 255) | 0}.${(r() * 255) | 0}:9100",code="${
        200 + ((r() * 4) | 0)
      }"} ${r()}\n`;
    }
    return new TextEncoder().encode(s.slice(0, n));
  };
  const runs = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i >> 9) & 3);
  return [
    new Uint8Array(0),
    new Uint8Array([7]),
    random(14),
    random(15),
    random(100),
    random(70000),
    new Uint8Array(1000),
    new Uint8Array(300000).fill(0xab),
    runs(200000),
    text(500),
    text(65536),
    text(250000),
  ];
}

describe("snappy", () => {
  test("round trip and cross-compatibility with snappyjs", () => {
    for (const src of corpus()) {
      const ours = snappyCompress(src);
      expect(snappyDecompress(ours, src.length)).toEqual(src);
      expect(Array.from(sj.uncompress(ours))).toEqual(Array.from(src));
      expect(snappyDecompress(sj.compress(src), src.length)).toEqual(src);
      expect(snappyDecodedLength(ours)).toBe(src.length);
      if (src.length > 1000 && src[0] === src[1]) expect(ours.length).toBeLessThan(src.length / 4);
    }
  });

  test("snappyDecodedLength", () => {
    const f = (bytes: number[], want: number | null) => {
      const src = new Uint8Array(bytes);
      if (want === null) expect(() => snappyDecodedLength(src)).toThrow(SyntaxError);
      else expect(snappyDecodedLength(src)).toBe(want);
    };
    f([0], 0);
    f([0x7f], 127);
    f([0x80, 0x01], 128);
    f([0xff, 0xff, 0xff, 0xff, 0x0f], 0xffffffff);
    f([], null);
    f([0x80], null);
    f([0xff, 0xff, 0xff, 0xff, 0x10], null); // 2^32 overflows uint32
    f([0xff, 0xff, 0xff, 0xff, 0xff, 0x01], null);
  });

  test("declared length above maxSize throws TooLargeError before allocating", () => {
    const f = (bytes: number[], max: number, size: number) => {
      let err: unknown;
      try {
        snappyDecompress(new Uint8Array(bytes), max);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TooLargeError);
      expect((err as TooLargeError).limit).toBe(max);
      expect((err as TooLargeError).size).toBe(size);
    };
    // 10-byte inputs declaring ~4 GiB and 2 GiB (the latter is negative in snappyjs' int32 reader).
    f([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0], 32 << 20, 0xffffffff);
    f([0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0, 0, 0], 32 << 20, 2 ** 31);
    f([0x0b, 0x28, 0x61], 10, 11);
  });

  test("corrupt input throws SyntaxError", () => {
    const f = (bytes: number[]) => {
      expect(() => snappyDecompress(new Uint8Array(bytes), 1 << 20)).toThrow(SyntaxError);
    };
    f([]);
    f([0x03, 0x08, 0x61, 0x62]); // literal of 3 bytes, only 2 present
    f([0x02, 0x08, 0x61, 0x62, 0x63]); // literal longer than declared
    f([0x04, 0x04, 0x61, 0x01, 0x00]); // copy with offset 0
    f([0x06, 0x04, 0x61, 0x01, 0x02]); // copy offset beyond output
    f([0x05, 0x04, 0x61]); // output shorter than declared
    f([0x03, 0xf0]); // truncated literal length
    f([0x03, 0x02]); // truncated copy-2
    f([0x03, 0x03, 0x01]); // truncated copy-4
    f([0x03, 0x01]); // truncated copy-1
    f([0x80, 0x80, 0x40, 0x00, 0x61]); // declares 1 MiB from 2 bytes: impossible expansion, refused before allocating
    expect(() => snappyDecompress(new Uint8Array([0x03]), 1)).toThrow(TooLargeError);
  });

  test("truncated and random inputs only ever throw SyntaxError or TooLargeError", () => {
    const src = corpus()[9]!;
    const c = snappyCompress(src);
    for (let i = 0; i < c.length; i++) {
      expect(() => snappyDecompress(c.subarray(0, i), 1 << 20)).toThrow(SyntaxError);
    }
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: 1 + ((r() * 40) | 0) }, () => (r() * 256) | 0);
      try {
        const out = snappyDecompress(bytes, 4096);
        expect(out.length).toBe(snappyDecodedLength(bytes));
      } catch (e) {
        if (!(e instanceof SyntaxError) && !(e instanceof TooLargeError)) throw e;
      }
    }
  });

  test("overlapping copies repeat the pattern", () => {
    // "ab" then copy-1 of length 10 at offset 2 → "ab" × 6
    const out = snappyDecompress(new Uint8Array([12, 0x04, 0x61, 0x62, ((10 - 4) << 2) | 1, 2]), 12);
    expect(new TextDecoder().decode(out)).toBe("abababababab");
  });
  test("snappyConcat() joins blocks into one that decompresses to the joined contents", () => {
    const parts = corpus();
    const joined = snappyConcat(parts.map(snappyCompress));
    const want = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      want.set(p, off);
      off += p.length;
    }
    expect(snappyDecodedLength(joined)).toBe(want.length);
    expect(snappyDecompress(joined, want.length)).toEqual(want);
    expect(Array.from(sj.uncompress(joined))).toEqual(Array.from(want));
    const one = snappyCompress(parts[9]!);
    expect(snappyConcat([one])).toBe(one);
    expect(() => snappyConcat([one, new Uint8Array([0xff])])).toThrow(SyntaxError);
  });
});
