import { describe, expect, test } from "bun:test";
import { ConcurrencyLimiter, HttpError, parseExtraLabels } from "./limits.ts";

describe("server limits", () => {
  test("parseExtraLabels() splits at the first '=' and rejects an arg without '='", () => {
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
    f("extra_label==v", ["=v"]); // accepted; the empty-named label is dropped in the workers
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
