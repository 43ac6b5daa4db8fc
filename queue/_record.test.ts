import { describe, expect, test } from "bun:test";
import { encodeHeader, HEADER_SIZE, parseHeader, type ReadAt, RecordScanner } from "./_record.ts";
import { concat } from "./_testing.ts";

const MAX = 1024;

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader(out, payload);
  out.set(payload, HEADER_SIZE);
  return out;
}

function readerOf(buf: Uint8Array): ReadAt {
  return (dst, pos) => {
    const n = Math.max(0, Math.min(dst.length, buf.length - pos));
    dst.set(buf.subarray(pos, pos + n));
    return n;
  };
}

function payload(i: number, len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, j) => (i * 31 + j) & 0xff);
}

describe("parseHeader", () => {
  test("accepts a valid header and rejects every single-bit flip", () => {
    const rec = frame(payload(1, 100));
    expect(parseHeader(rec, 0, MAX)).toBe(100);
    for (let bit = 0; bit < HEADER_SIZE * 8; bit++) {
      const h = rec.slice(0, HEADER_SIZE);
      h[bit >> 3]! ^= 1 << (bit & 7);
      expect(parseHeader(h, 0, MAX)).toBe(-1);
    }
  });

  test("rejects lengths above the max block size and short input", () => {
    const f = (len: number, max: number, want: number) => {
      expect(parseHeader(frame(new Uint8Array(len)), 0, max)).toBe(want);
    };
    f(0, 0, 0);
    f(10, 10, 10);
    f(11, 10, -1);
    expect(parseHeader(new Uint8Array(HEADER_SIZE - 1), 0, MAX)).toBe(-1);
  });
});

describe("RecordScanner", () => {
  test("scan() counts records, resyncs over damage and reports the torn tail", () => {
    const f = (buf: Uint8Array, want: { blocks: number; validEnd: number; corruptedRegions: number }) => {
      expect(new RecordScanner(MAX).scan(readerOf(buf), 0, buf.length, true)).toEqual(want);
    };
    const a = frame(payload(1, 50));
    const b = frame(payload(2, 70));
    const c = frame(payload(3, 0));
    f(concat(a, b, c), { blocks: 3, validEnd: a.length + b.length + c.length, corruptedRegions: 0 });
    // Torn tail: the last record is cut short.
    f(concat(a, b.subarray(0, 40)), { blocks: 1, validEnd: a.length, corruptedRegions: 1 });
    // Torn tail of zeros (power loss with unwritten pages).
    f(concat(a, new Uint8Array(100)), { blocks: 1, validEnd: a.length, corruptedRegions: 1 });
    // Garbage between records.
    f(concat(a, Uint8Array.of(0xd2, 0x0e, 0, 1, 9, 9), b), {
      blocks: 2,
      validEnd: a.length + 6 + b.length,
      corruptedRegions: 1,
    });
    // Payload bit flip: the record is skipped whole.
    const bad = b.slice();
    bad[HEADER_SIZE + 5]! ^= 0x10;
    f(concat(a, bad, c), { blocks: 2, validEnd: a.length + bad.length + c.length, corruptedRegions: 1 });
    // Length bit flip: resync by magic.
    const badLen = b.slice();
    badLen[6]! ^= 0x01;
    f(concat(a, badLen, c), { blocks: 2, validEnd: a.length + badLen.length + c.length, corruptedRegions: 1 });
  });

  test("findNext() finds records across scan window boundaries", () => {
    const rec = frame(payload(7, 10));
    const f = (gap: number) => {
      const buf = concat(new Uint8Array(gap).fill(0xd2), rec);
      expect(new RecordScanner(MAX).findNext(readerOf(buf), 0, buf.length, true)).toBe(gap);
    };
    f(0);
    f(1);
    f(64 * 1024 - 2);
    f(64 * 1024 - 3);
    f(64 * 1024 + 5);
  });

  test("readPayload() returns a copy or a check code", () => {
    const rec = frame(payload(4, 30));
    const s = new RecordScanner(MAX);
    expect(s.readPayload(readerOf(rec), 0, rec.length)).toEqual(payload(4, 30));
    const bad = rec.slice();
    bad[HEADER_SIZE]! ^= 1;
    expect(s.readPayload(readerOf(bad), 0, bad.length)).toBe(-rec.length - 1);
    expect(s.resyncFrom(0, -rec.length - 1)).toBe(rec.length);
    expect(s.readPayload(readerOf(rec), 1, rec.length)).toBe(-1);
  });
});
