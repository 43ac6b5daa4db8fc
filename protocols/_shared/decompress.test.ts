import { describe, expect, test } from "bun:test";
import { deflateRawSync, deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import { decompressBody, encodingOf } from "./decompress.ts";
import { BodyEncoding, ParseError } from "./protocol.ts";
import { snappyCompress } from "./snappy.ts";

const text = new TextEncoder().encode("cpu,host=a usage=1 1700000000000000000\n".repeat(100));

describe("decompressBody()", () => {
  test("decodes every supported encoding", () => {
    const f = (enc: BodyEncoding, body: Uint8Array) => expect(decompressBody(body, enc, 1 << 20, "-x")).toEqual(text);
    f(BodyEncoding.Identity, text);
    f(BodyEncoding.Gzip, gzipSync(text));
    f(BodyEncoding.Deflate, deflateSync(text));
    f(BodyEncoding.Deflate, deflateRawSync(text));
    f(BodyEncoding.Snappy, snappyCompress(text));
    f(BodyEncoding.Zstd, zstdCompressSync(text));
  });

  test("refuses compression bombs with 413 before expanding them", () => {
    const zeros = new Uint8Array(64 << 20);
    const f = (enc: BodyEncoding, body: Uint8Array) => {
      let err: unknown;
      try {
        decompressBody(body, enc, 1 << 20, "-some.flag");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).status).toBe(413);
      expect((err as ParseError).message).toContain("-some.flag");
    };
    f(BodyEncoding.Gzip, gzipSync(zeros));
    f(BodyEncoding.Deflate, deflateSync(zeros));
    f(BodyEncoding.Zstd, zstdCompressSync(zeros));
    f(BodyEncoding.Snappy, snappyCompress(zeros.subarray(0, 2 << 20)));
  });

  test("corrupt bodies are a 400 ParseError", () => {
    for (const enc of [BodyEncoding.Gzip, BodyEncoding.Deflate, BodyEncoding.Zstd, BodyEncoding.Snappy]) {
      let err: unknown;
      try {
        decompressBody(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), enc, 1 << 20, "-x");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).status).toBe(400);
    }
  });

  test("encodingOf() maps Content-Encoding headers", () => {
    const f = (h: string | null, want: BodyEncoding | undefined) => expect(encodingOf(h)).toBe(want);
    f(null, BodyEncoding.Identity);
    f("gzip", BodyEncoding.Gzip);
    f("GZIP", BodyEncoding.Gzip);
    f("deflate", BodyEncoding.Deflate);
    f("snappy", BodyEncoding.Snappy);
    f("zstd", BodyEncoding.Zstd);
    f("br", undefined);
  });
});
