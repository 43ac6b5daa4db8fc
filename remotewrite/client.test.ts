import { describe, expect, test } from "bun:test";
import { HTTPClient } from "../promauth/client.ts";
import { NO_HTTP_CLIENT } from "../promauth/config.ts";
import { Backoff, parseRetryAfter, PermanentError, RecoverableError, sendBlock } from "./client.ts";

const NO_AUTH_CLIENT = new HTTPClient(NO_HTTP_CLIENT);

describe("remotewrite client", () => {
  test("Backoff doubles from min to max and honours Retry-After", () => {
    const b = new Backoff(1000, 60_000);
    const got = Array.from({ length: 8 }, () => b.delay());
    expect(got).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(b.delay(5000)).toBe(5000);
    expect(b.delay(120_000)).toBe(60_000);
    b.reset();
    expect(b.delay()).toBe(1000);
  });

  test("parseRetryAfter() reads seconds and HTTP dates", () => {
    const f = (v: string | null, want: number | undefined) =>
      expect(parseRetryAfter(v, Date.parse("2026-01-01T00:00:00Z"))).toBe(want);
    f(null, undefined);
    f("", undefined);
    f("7", 7000);
    f("Thu, 01 Jan 2026 00:00:30 GMT", 30_000);
    f("Wed, 31 Dec 2025 00:00:00 GMT", 0);
    f("soon", undefined);
  });

  test("sendBlock() classifies statuses into retryable and permanent errors", async () => {
    let status = 204;
    let seen: Headers | undefined;
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        seen = req.headers;
        return new Response("msg", { status, headers: status === 429 ? { "Retry-After": "3" } : {} });
      },
    });
    const opts = {
      url: `http://127.0.0.1:${server.port}/api/v1/write`,
      displayName: "1:secret-url",
      timeoutMs: 5000,
      headers: { "X-Test": "1" },
      http: NO_AUTH_CLIENT,
    };
    expect(await sendBlock(opts, new Uint8Array([1, 2]))).toEqual({ status: 204 });
    expect(seen?.get("x-test")).toBe("1");
    const f = async (s: number, cls: typeof RecoverableError | typeof PermanentError, retryAfter?: number) => {
      status = s;
      const err = await sendBlock(opts, new Uint8Array(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      if (retryAfter !== undefined) expect((err as RecoverableError).retryAfterMs).toBe(retryAfter);
    };
    await f(400, PermanentError);
    await f(409, PermanentError);
    await f(500, RecoverableError);
    await f(503, RecoverableError);
    await f(429, RecoverableError, 3000);
    await f(404, RecoverableError);
  });

  test("sendBlock() turns a refused connection into a RecoverableError", async () => {
    const err = await sendBlock({
      url: "http://127.0.0.1:1/x",
      displayName: "1:secret-url",
      timeoutMs: 2000,
      headers: {},
      http: NO_AUTH_CLIENT,
    }, new Uint8Array(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoverableError);
    expect((err as Error).message).toContain("1:secret-url");
  });
});
