import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { type Http1Handler, Http1Server, parseHead } from "./http1.ts";
import { BodyStep, ChunkedBody, FixedBody } from "./_http1_body.ts";

const dec = new TextDecoder();

/** Echoes method, path, query, a header and the body; `/slow` answers after 100 ms. */
const handler: Http1Handler = {
  bodyLimit: (head) => (head.path === "/small" ? [10, "-small.limit"] : [1 << 20, "-big.limit"]),
  async handle(head, body) {
    if (head.path === "/slow") await Bun.sleep(100);
    if (head.path === "/throw") throw new Error("boom");
    if (head.path === "/big") return new Response("x".repeat(3 << 20));
    return new Response(
      `${head.method} ${head.path} ?${head.query} ce=${head.header("x-echo")} body=${dec.decode(body)}`,
      {
        headers: { "content-type": "text/plain" },
      },
    );
  },
  bodyError: (_head, status, message) => new Response(`error: ${message}\n`, { status }),
};

const server = new Http1Server({ hostname: "127.0.0.1", port: 0, idleTimeoutSec: 60 }, handler);
afterAll(() => server.stop(true));

/** Writes `raw` (then half-closes when `end`) and returns everything the server sent until it closed or `waitMs` passed. */
function exchange(
  raw: string | Uint8Array,
  opts: { end?: boolean; waitMs?: number; port?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(opts.port ?? server.port, "127.0.0.1");
    let out = "";
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, opts.waitMs ?? 3000);
    s.on("connect", () => {
      s.write(raw);
      if (opts.end !== false) s.end();
    });
    s.on("data", (d) => (out += d.toString("latin1")));
    s.on("error", reject);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

// Answers follow bodies that do not end in a newline, so the status line is not anchored.
const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

describe("Http1Server", () => {
  test("a body that ends early gets 400 at once, naming the bytes received", async () => {
    const t0 = Date.now();
    const out = await exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc");
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(statuses(out)).toEqual([400]);
    expect(out).toContain("unexpected EOF after 3 of 100 bytes");
    expect(out).toContain("Connection: close");
  });

  test("a chunked body that ends early gets 400 too", async () => {
    const out = await exchange("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
    expect(statuses(out)).toEqual([400]);
  });

  test("a client that half-closes after a complete request still gets the answer", async () => {
    const out = await exchange("POST /slow?a=1 HTTP/1.1\r\nContent-Length: 5\r\nX-Echo: e\r\n\r\nhello");
    expect(statuses(out)).toEqual([200]);
    expect(out).toContain("POST /slow ?a=1 ce=e body=hello");
    expect(out).toContain("Content-Type: text/plain");
  });

  test("keep-alive and pipelining: answers in order on one connection; HTTP/1.0 closes", async () => {
    const reqs = "GET /slow HTTP/1.1\r\n\r\n" + "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi" +
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n" +
      "GET /d HTTP/1.1\r\nConnection: close\r\n\r\n" + "GET /never HTTP/1.1\r\n\r\n";
    const out = await exchange(reqs, { end: false });
    expect(statuses(out)).toEqual([200, 200, 200, 200]);
    const bodies = [...out.matchAll(/(GET|POST) (\/\w+) \?/g)].map((m) => m[2]);
    expect(bodies).toEqual(["/slow", "/b", "/c", "/d"]);
    expect(out).toContain("body=abcde");
    const http10 = await exchange("GET /e HTTP/1.0\r\n\r\n", { end: false });
    expect(statuses(http10)).toEqual([200]);
    expect(http10).toContain("Connection: close");
  });

  test("the declared length over the limit gets 413 naming the flag, before the body is read", async () => {
    const out = await exchange("POST /small HTTP/1.1\r\nContent-Length: 11\r\n\r\n", { end: false });
    expect(statuses(out)).toEqual([413]);
    expect(out).toContain("the limit is 10 bytes; see -small.limit");
    const chunked = await exchange(
      "POST /small HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
      { end: false },
    );
    expect(statuses(chunked)).toEqual([413]);
    expect(chunked).toContain("more than 10 bytes; see -small.limit");
  });

  test("Expect: 100-continue gets 100 Continue before the body", async () => {
    const out = await new Promise<string>((resolve) => {
      const s = connect(server.port, "127.0.0.1");
      let text = "";
      s.on("connect", () => s.write("POST /e HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
      s.on("data", (d) => {
        text += d.toString();
        if (text.startsWith("HTTP/1.1 100 Continue\r\n\r\n") && !text.includes("200")) s.end("abc");
      });
      s.on("close", () => resolve(text));
    });
    expect(statuses(out)).toEqual([100, 200]);
    expect(out).toContain("body=abc");
  });

  test("malformed requests get 400; an over-long head gets 431; a throwing handler gets 500", async () => {
    expect(statuses(await exchange("NOT HTTP\r\n\r\n"))).toEqual([400]);
    expect(statuses(await exchange("GET /x HTTP/1.1\r\nbad header\r\n\r\n"))).toEqual([400]);
    expect(statuses(await exchange("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"))).toEqual([400]);
    expect(statuses(await exchange("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"))).toEqual([400]);
    expect(statuses(await exchange("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))).toEqual([400]);
    expect(statuses(await exchange(`GET /x HTTP/1.1\r\nX: ${"a".repeat(70_000)}\r\n\r\n`))).toEqual([431]);
    const out = await exchange("GET /throw HTTP/1.1\r\n\r\n");
    expect(statuses(out)).toEqual([500]);
    expect(out).toContain("boom");
  });

  test("HEAD gets headers only; a large answer is written whole (backpressure)", async () => {
    const head = await exchange("HEAD /h HTTP/1.1\r\n\r\n", { end: false, waitMs: 500 });
    expect(statuses(head)).toEqual([200]);
    expect(head.endsWith("\r\n\r\n")).toBe(true);
    const res = await fetch(`http://127.0.0.1:${server.port}/big`);
    expect((await res.text()).length).toBe(3 << 20);
  });

  test("fetch() works against it, with an absolute-form target too", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/f?q=1`, {
      method: "POST",
      body: "zz",
      headers: { "x-echo": "y" },
    });
    expect(await res.text()).toBe("POST /f ?q=1 ce=y body=zz");
    expect(statuses(await exchange("GET http://h:1/abs?z HTTP/1.1\r\n\r\n"))).toEqual([200]);
  });

  test("stop() waits for a request in progress, then closes", async () => {
    const s2 = new Http1Server({ hostname: "127.0.0.1", port: 0, idleTimeoutSec: 60 }, handler);
    const pending = exchange("GET /slow HTTP/1.1\r\n\r\n", { end: false, port: s2.port });
    await Bun.sleep(30);
    await s2.stop();
    const out = await pending;
    expect(statuses(out)).toEqual([200]);
    expect(out).toContain("Connection: close");
  });
});

describe("parseHead and ChunkedBody", () => {
  test("parseHead: headers lower-cased and joined; absolute-form reduced to the path", () => {
    const h = parseHead("POST http://x:8429/api/v1/write?a=b HTTP/1.1\r\nA: 1\r\nContent-Type: t\r\na: 2", "r:1");
    if (typeof h === "string") throw new Error(h);
    expect([h.method, h.path, h.query, h.header("a"), h.header("content-type"), h.header("nope")]).toEqual([
      "POST",
      "/api/v1/write",
      "a=b",
      "1, 2",
      "t",
      null,
    ]);
    expect(parseHead("GET / HTTP/2.0", "r")).toContain("malformed request line");
  });

  test("ChunkedBody takes bytes split anywhere", () => {
    const raw = new TextEncoder().encode("4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\nNEXT");
    for (let cut = 1; cut < raw.length - 4; cut++) {
      const b = new ChunkedBody(1000);
      expect(b.feed(raw.subarray(0, cut), 0)).toBe(BodyStep.More);
      expect(b.used).toBe(cut);
      const rest = raw.subarray(cut);
      expect(b.feed(rest, 0)).toBe(BodyStep.Done);
      expect(dec.decode(rest.subarray(b.used))).toBe("NEXT");
      expect(dec.decode(b.body())).toBe("Wikipedia in\r\n\r\nchunks.");
    }
  });

  test("FixedBody takes bytes split anywhere and stops at its length", () => {
    const raw = new TextEncoder().encode("0123456789NEXT");
    for (let cut = 1; cut < 10; cut++) {
      const b = new FixedBody(10);
      expect(b.feed(raw.subarray(0, cut), 0)).toBe(BodyStep.More);
      expect([b.used, b.received]).toEqual([cut, cut]);
      const rest = raw.subarray(cut);
      expect(b.feed(rest, 0)).toBe(BodyStep.Done);
      expect(dec.decode(rest.subarray(b.used))).toBe("NEXT");
      const body = b.body();
      expect(dec.decode(body)).toBe("0123456789");
      // Joined into a buffer of its own, which a worker may take over.
      expect([body.byteOffset, body.buffer.byteLength]).toEqual([0, 10]);
    }
  });
});

// FixedBody and ChunkedBody keep views of the chunks instead of copying them: that needs every data() call to get a
// buffer of its own that Bun does not write to again. If a Bun upgrade changes that, this fails.
test("Bun hands each socket data() call a buffer of its own, never reused", async () => {
  const kept: Uint8Array[] = [];
  const copies: Uint8Array[] = [];
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  const l = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(_s, c) {
        kept.push(c);
        copies.push(c.slice());
      },
      close: () => resolve(),
    },
  });
  try {
    const big = new Uint8Array(4 << 20).map((_, i) => (i * 7) & 255);
    const c = connect(l.port, "127.0.0.1");
    c.end(big);
    await closed;
    expect(kept.length).toBeGreaterThan(1);
    expect(new Set(kept.map((k) => k.buffer)).size).toBe(kept.length);
    for (let i = 0; i < kept.length; i++) {
      expect(kept[i]!.byteLength).toBe(kept[i]!.buffer.byteLength);
      expect(Buffer.compare(kept[i]!, copies[i]!)).toBe(0);
    }
  } finally {
    l.stop(true);
  }
});
