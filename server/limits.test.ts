import { describe, expect, test } from "bun:test";
import { ConcurrencyLimiter, HttpError, parseExtraLabels, readBodyLimited } from "./limits.ts";

describe("server limits", () => {
  test("parseExtraLabels() splits at the first '=' and rejects bad args", () => {
    const f = (q: string, want: string[] | number) => {
      const run = () => parseExtraLabels(new URLSearchParams(q));
      if (typeof want === "number") {
        expect(run).toThrow(HttpError);
      } else expect(run()).toEqual(want);
    };
    f("", []);
    f("extra_label=a=b", ["a=b"]);
    f("extra_label=a=b=c&extra_label=x=", ["a=b=c", "x="]);
    f("extra_label=novalue", 400);
    f("extra_label==v", 400);
  });

  test("readBodyLimited() refuses by Content-Length and while streaming", async () => {
    const small = new Request("http://x/", { method: "POST", body: "hello" });
    expect(new TextDecoder().decode(await readBodyLimited(small, 10, "-f"))).toBe("hello");
    const declared = new Request("http://x/", {
      method: "POST",
      body: "x".repeat(100),
      headers: { "content-length": "100" },
    });
    expect(readBodyLimited(declared, 10, "-f")).rejects.toMatchObject({ status: 413 });
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(8));
      },
    });
    const chunked = new Request("http://x/", { method: "POST", body: stream });
    expect(readBodyLimited(chunked, 100, "-f")).rejects.toMatchObject({ status: 413 });
  });

  test("ConcurrencyLimiter hands slots over and times out with 503", async () => {
    const l = new ConcurrencyLimiter(1, 50);
    await l.acquire();
    const waiting = l.acquire();
    l.release();
    await waiting;
    expect(l.current).toBe(1);
    const err = await l.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect(l.timeouts).toBe(1);
    l.release();
    expect(l.current).toBe(0);
  });
});
