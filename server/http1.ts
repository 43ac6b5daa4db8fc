/**
 * A small HTTP/1.1 server on Bun's TCP sockets, for the push listeners.
 *
 * Why not `Bun.serve`: when a client half-closes its side before the body
 * it declared is complete, `Bun.serve` drops the connection without an
 * answer. vmagent answers 400 (`unexpected EOF`) at once, and so does this
 * server. It also costs less CPU per small request than `Bun.serve` (no
 * Request object for push bodies), and it can take over a socket that
 * another listener accepted (HTTP on the OpenTSDB telnet port).
 *
 * What it does: keep-alive (HTTP/1.1 by default, HTTP/1.0 on request),
 * `Content-Length` and chunked bodies with a per-request limit checked
 * before memory is spent (413), `Expect: 100-continue`, pipelined requests
 * answered in order, HEAD, an idle timeout, write backpressure, and a
 * graceful stop that lets in-flight requests finish.
 *
 * @module
 */

import type { Socket, TCPSocketListener } from "bun";
import { type BodyReader, BodyStep, ChunkedBody, FixedBody } from "./_http1_body.ts";

/** A parsed request head. Header names are lower case. */
export interface Http1Head {
  readonly method: string;
  /** The path and query, as sent (an absolute-form target is reduced to them). */
  readonly target: string;
  /** Path without the query. */
  readonly path: string;
  /** The query string without `?` ("" when none). */
  readonly query: string;
  /** `[name, value, name, value, …]`, names lower-cased, in order. */
  readonly headers: readonly string[];
  /** `address:port` of the client. */
  readonly remoteAddr: string;
  header(name: string): string | null;
}

/** What the server needs from its user. */
export interface Http1Handler {
  /** The largest body accepted for `head`, and the flag that sets it (named in the 413 answer). */
  bodyLimit(head: Http1Head): readonly [number, string];
  /** Answers a complete request. */
  handle(head: Http1Head, body: Uint8Array): Response | Promise<Response>;
  /** Answers a request whose body could not be read (413 too big, 400 bad framing or unexpected EOF). */
  bodyError(head: Http1Head, status: number, message: string): Response;
}

export interface Http1Options {
  hostname: string;
  port: number;
  /** Seconds a connection may stay idle (no request in progress) before it is closed. */
  idleTimeoutSec: number;
}

/** Longest request line plus headers. */
const MAX_HEAD = 64 * 1024;
/** Bytes of pipelined requests buffered while a request is being answered; past this, reading pauses. */
const MAX_AHEAD = 256 * 1024;

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  425: "Too Early",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

const latin1 = new TextDecoder("latin1");
const utf8 = new TextEncoder();
const CONTINUE = utf8.encode("HTTP/1.1 100 Continue\r\n\r\n");
const EMPTY = new Uint8Array(0);

let dateSecond = 0;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

class Head implements Http1Head {
  constructor(
    readonly method: string,
    readonly target: string,
    readonly path: string,
    readonly query: string,
    readonly headers: string[],
    readonly remoteAddr: string,
    readonly minor: number,
  ) {}

  header(name: string): string | null {
    let out: string | null = null;
    for (let i = 0; i < this.headers.length; i += 2) {
      if (this.headers[i] === name) out = out === null ? this.headers[i + 1]! : `${out}, ${this.headers[i + 1]}`;
    }
    return out;
  }
}

/** Parses a request head (without the final CRLFCRLF); returns an error text when it is malformed. */
export function parseHead(text: string, remoteAddr: string): Head | string {
  const lines = text.split("\n");
  const reqLine = lines[0]!.endsWith("\r") ? lines[0]!.slice(0, -1) : lines[0]!;
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(reqLine);
  if (m === null) return `malformed request line ${JSON.stringify(reqLine.slice(0, 200))}`;
  let target = m[2]!;
  if (!target.startsWith("/")) {
    const abs = /^https?:\/\/[^/?#]*/i.exec(target);
    if (abs === null) return `unsupported request target ${JSON.stringify(target.slice(0, 200))}`;
    target = target.slice(abs[0].length);
    if (!target.startsWith("/")) target = "/" + target;
  }
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) return `malformed header line ${JSON.stringify(line)}`;
    headers.push(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  return new Head(m[1]!, target, path, q < 0 ? "" : target.slice(q + 1), headers, remoteAddr, Number(m[3]));
}

/** Per-connection state, in `socket.data`. */
export class Http1Conn {
  readonly #h: Http1Handler;
  readonly #s: Socket<unknown>;
  readonly #server: Http1Server | null;
  readonly #remote: string;
  /** Unparsed bytes: a partial head, or requests that arrived while one was being answered. */
  #buf: Uint8Array = EMPTY;
  #head: Head | null = null;
  #body: BodyReader | null = null;
  /** A request is being answered (or its answer is being written). */
  #busy = false;
  #peerEnded = false;
  #closing = false;
  #closed = false;
  #out: Uint8Array[] = [];
  #paused = false;

  readonly #idleSec: number;

  constructor(s: Socket<unknown>, h: Http1Handler, server: Http1Server | null, idleTimeoutSec = 60) {
    this.#s = s;
    this.#h = h;
    this.#server = server;
    this.#idleSec = idleTimeoutSec;
    this.#remote = `${s.remoteAddress}:${s.remotePort}`;
  }

  get idle(): boolean {
    return !this.#busy && this.#head === null && this.#buf.length === 0;
  }

  onData(chunk: Uint8Array): void {
    if (this.#closing || this.#closed) return;
    this.#buf = this.#buf.length === 0 ? chunk : concat(this.#buf, chunk);
    if (this.#busy) {
      if (this.#buf.length > MAX_AHEAD && !this.#paused) {
        this.#paused = true;
        this.#s.pause();
      }
    } else this.#advance();
    // Bun may reuse the chunk's memory after this call: keep a copy of what waits.
    if (this.#buf.length > 0 && this.#buf.buffer === chunk.buffer) this.#buf = this.#buf.slice();
  }

  /** The client closed its side (FIN). */
  onEnd(): void {
    this.#peerEnded = true;
    if (this.#busy) return; // answer the request in progress, then close
    if (this.#head !== null) {
      const want = this.#head.header("content-length");
      const got = this.#body?.received ?? 0;
      this.#fail(
        400,
        `cannot read request body: unexpected EOF after ${got}${want === null ? "" : ` of ${want}`} bytes`,
      );
      return;
    }
    this.#end();
  }

  onDrain(): void {
    while (this.#out.length > 0) {
      const b = this.#out[0]!;
      const n = this.#s.write(b);
      if (n < b.length) {
        this.#out[0] = b.subarray(Math.max(n, 0));
        return;
      }
      this.#out.shift();
    }
    if (this.#closing) this.#s.end();
  }

  onClose(): void {
    this.#closed = true;
    this.#server?.forget(this);
  }

  /** Idle timeout: close unless a request is in progress. */
  onTimeout(): void {
    if (this.#busy) {
      this.#s.timeout(this.#idleSec);
      return;
    }
    if (this.#closing) this.#s.terminate();
    else this.#end();
  }

  /** Ends the connection now if it is idle (graceful stop); returns whether it did. */
  endIfIdle(): boolean {
    if (!this.idle) return false;
    this.#end();
    return true;
  }

  terminate(): void {
    this.#s.terminate();
  }

  /** Parses and answers what is in the buffer. */
  #advance(): void {
    while (!this.#busy && !this.#closing && this.#buf.length > 0) {
      if (this.#head === null && !this.#readHead()) return;
      const head = this.#head!;
      const step = this.#body === null ? BodyStep.Done : this.#body.feed(this.#buf, 0);
      if (step === BodyStep.TooBig) {
        const [limit, flag] = this.#h.bodyLimit(head);
        this.#fail(413, `too big request body: more than ${limit} bytes; see ${flag}`);
        return;
      }
      if (step === BodyStep.Bad) {
        this.#fail(400, `cannot read request body: ${this.#body!.error}`);
        return;
      }
      const used = this.#body === null ? 0 : this.#body.used;
      this.#buf = used >= this.#buf.length ? EMPTY : this.#buf.subarray(used);
      if (step === BodyStep.More) {
        if (this.#peerEnded) this.onEnd();
        return;
      }
      const body = this.#body === null ? EMPTY : this.#body.body();
      this.#head = null;
      this.#body = null;
      void this.#answer(head, body);
    }
    if (this.#peerEnded && !this.#busy && !this.#closing) this.onEnd();
  }

  /** Reads a head from the buffer; false when it is incomplete (or the connection failed). */
  #readHead(): boolean {
    const b = this.#buf;
    // Leading empty lines before a request line are allowed (RFC 9112 2.2).
    let start = 0;
    while (start < b.length && (b[start] === 0x0d || b[start] === 0x0a)) start++;
    let end = -1;
    for (let i = start; i + 1 < b.length; i++) {
      if (b[i] === 0x0a && (b[i + 1] === 0x0a || (b[i + 1] === 0x0d && b[i + 2] === 0x0a))) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (b.length - start > MAX_HEAD) this.#failRaw(431, "request header fields too large");
      else if (start === b.length) this.#buf = EMPTY;
      return false;
    }
    const after = b[end + 1] === 0x0a ? end + 2 : end + 3;
    if (end - start > MAX_HEAD) {
      this.#failRaw(431, "request header fields too large");
      return false;
    }
    const head = parseHead(latin1.decode(b.subarray(start, b[end - 1] === 0x0d ? end - 1 : end)), this.#remote);
    this.#buf = after >= b.length ? EMPTY : b.subarray(after);
    if (typeof head === "string") {
      this.#failRaw(400, head);
      return false;
    }
    this.#head = head;
    const te = head.header("transfer-encoding");
    const cl = head.header("content-length");
    const [limit, flag] = this.#h.bodyLimit(head);
    if (te !== null) {
      if (te.toLowerCase() !== "chunked" || cl !== null) {
        this.#fail(
          400,
          `unsupported Transfer-Encoding ${JSON.stringify(te)}${cl !== null ? " with Content-Length" : ""}`,
        );
        return false;
      }
      this.#body = new ChunkedBody(limit);
    } else if (cl !== null) {
      if (!/^\d{1,15}$/.test(cl)) {
        this.#fail(400, `invalid Content-Length ${JSON.stringify(cl)}`);
        return false;
      }
      const n = Number(cl);
      if (n > limit) {
        this.#fail(413, `too big request body: ${n} bytes; the limit is ${limit} bytes; see ${flag}`);
        return false;
      }
      this.#body = n === 0 ? null : new FixedBody(n);
    } else this.#body = null;
    if (this.#body !== null && head.header("expect")?.toLowerCase() === "100-continue" && this.#buf.length === 0) {
      this.#write(CONTINUE);
    }
    return true;
  }

  async #answer(head: Head, body: Uint8Array): Promise<void> {
    this.#busy = true;
    let res: Response;
    try {
      res = await this.#h.handle(head, body);
    } catch (err: unknown) {
      res = new Response(`internal error: ${(err as Error).message}\n`, { status: 500 });
    }
    if (this.#closed) return;
    const conn = head.header("connection")?.toLowerCase() ?? "";
    const keepAlive = head.minor === 1 ? !conn.includes("close") : conn.includes("keep-alive");
    await this.#send(res, head.method === "HEAD", !keepAlive || this.#server?.stopping === true);
    this.#busy = false;
    if (this.#paused) {
      this.#paused = false;
      this.#s.resume();
    }
    if (!this.#closing) this.#advance();
  }

  /** Writes `res`; ends the connection afterwards when `close`. */
  async #send(res: Response, headOnly: boolean, close: boolean): Promise<void> {
    const body = res.body === null ? EMPTY : new Uint8Array(await res.arrayBuffer());
    if (this.#closed) return;
    const st = res.status;
    let h = `HTTP/1.1 ${st} ${REASONS[st] ?? "Unknown"}\r\nDate: ${httpDate()}\r\n`;
    for (const [k, v] of res.headers) {
      if (k !== "content-length" && k !== "connection") h += `${canonicalName(k)}: ${v}\r\n`;
    }
    if (st !== 204 && st !== 304 && st >= 200) h += `Content-Length: ${body.length}\r\n`;
    if (close) h += "Connection: close\r\n";
    h += "\r\n";
    const headBytes = utf8.encode(h);
    if (headOnly || body.length === 0) this.#write(headBytes);
    else if (body.length < 16 * 1024) this.#write(concat(headBytes, body));
    else {
      this.#write(headBytes);
      this.#write(body);
    }
    if (close) this.#end();
  }

  /** Answers an error through the handler (counted and logged there) and closes the connection. */
  #fail(status: number, message: string): void {
    const head = this.#head;
    this.#head = null;
    this.#body = null;
    this.#buf = EMPTY;
    if (head === null) {
      this.#failRaw(status, message);
      return;
    }
    this.#busy = true;
    void this.#send(this.#h.bodyError(head, status, message), head.method === "HEAD", true);
  }

  /** An error before there is a head to hand to the handler. */
  #failRaw(status: number, message: string): void {
    this.#buf = EMPTY;
    this.#busy = true;
    void this.#send(
      new Response(`${message}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } }),
      false,
      true,
    );
  }

  #write(b: Uint8Array): void {
    if (this.#closed) return;
    if (this.#out.length > 0) {
      this.#out.push(b);
      return;
    }
    const n = this.#s.write(b);
    if (n < b.length) this.#out.push(b.subarray(Math.max(n, 0)));
  }

  /** Half-closes once everything is written; the idle timer then cuts a peer that never closes. */
  #end(): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#s.timeout(5);
    if (this.#out.length === 0) this.#s.end();
  }
}

const canonicalNames = new Map<string, string>();
/** `content-type` → `Content-Type` (memoized: responses use few names). */
function canonicalName(k: string): string {
  let c = canonicalNames.get(k);
  if (c === undefined) {
    c = k.replace(/(^|-)([a-z])/g, (_m, d: string, ch: string) => d + ch.toUpperCase());
    if (canonicalNames.size < 256) canonicalNames.set(k, c);
  }
  return c;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Socket handlers that feed an {@link Http1Conn} kept in `socket.data`. */
export const connHandlers = {
  data: (s: Socket<Http1Conn>, d: Uint8Array) => s.data.onData(d),
  end: (s: Socket<Http1Conn>) => s.data.onEnd(),
  drain: (s: Socket<Http1Conn>) => s.data.onDrain(),
  close: (s: Socket<Http1Conn>) => s.data.onClose(),
  timeout: (s: Socket<Http1Conn>) => s.data.onTimeout(),
  error: (_s: Socket<Http1Conn>) => undefined,
};

/** A listening HTTP/1.1 server. */
export class Http1Server {
  readonly #listener: TCPSocketListener<Http1Conn>;
  readonly #conns = new Set<Http1Conn>();
  #stopping = false;
  #allClosed: (() => void) | null = null;

  constructor(opts: Http1Options, handler: Http1Handler) {
    // deno-lint-ignore no-this-alias
    const server = this;
    this.#listener = Bun.listen<Http1Conn>({
      hostname: opts.hostname,
      port: opts.port,
      allowHalfOpen: true,
      socket: {
        ...connHandlers,
        open(s) {
          s.data = new Http1Conn(s as Socket<unknown>, handler, server, opts.idleTimeoutSec);
          s.timeout(opts.idleTimeoutSec);
          server.#conns.add(s.data);
        },
      },
    });
  }

  get port(): number {
    return this.#listener.port;
  }

  get hostname(): string {
    return this.#listener.hostname;
  }

  /** True once stop() was called: answers carry `Connection: close`. */
  get stopping(): boolean {
    return this.#stopping;
  }

  forget(c: Http1Conn): void {
    this.#conns.delete(c);
    if (this.#stopping) {
      for (const x of this.#conns) x.endIfIdle();
      if (this.#conns.size === 0) this.#allClosed?.();
    }
  }

  /**
   * Stops listening. With `force`, cuts every connection; otherwise ends
   * idle connections and waits for the ones answering a request.
   */
  stop(force = false): Promise<void> {
    this.#stopping = true;
    this.#listener.stop(force);
    if (force) {
      for (const c of this.#conns) c.terminate();
      return Promise.resolve();
    }
    for (const c of this.#conns) c.endIfIdle();
    if (this.#conns.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#allClosed = resolve));
  }
}
