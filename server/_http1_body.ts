/**
 * Request-body readers for the HTTP/1.1 server (http1.ts): a fixed
 * `Content-Length` body and a `Transfer-Encoding: chunked` body, each fed
 * the connection's bytes as they arrive and each refusing to grow past the
 * request's limit before memory is spent.
 *
 * @module
 */

/** What a body reader reports after taking bytes. */
export const enum BodyStep {
  /** Needs more bytes. */
  More,
  /** The body is complete; `used` bytes of the last chunk belonged to it. */
  Done,
  /** The body is over the limit (413). */
  TooBig,
  /** The framing is malformed (400; `error` says why). */
  Bad,
}

/** A body reader. `feed` returns a BodyStep and sets `used` to the bytes of `chunk` that it consumed. */
export interface BodyReader {
  feed(chunk: Uint8Array, from: number): BodyStep;
  used: number;
  /** The body, once Done. */
  body(): Uint8Array;
  /** Bytes received so far, for messages. */
  readonly received: number;
  error: string;
}

/**
 * A body of a known length (the limit was checked against it before this
 * reader was made). It keeps views of the socket's chunks as they arrive
 * (Bun hands each `data` call a buffer of its own, which http1.test.ts pins)
 * and joins them once at the end, so a client that declares a large body and
 * sends little holds little memory, and each byte is copied at most once.
 */
export class FixedBody implements BodyReader {
  #length: number;
  #parts: Uint8Array[] = [];
  #got = 0;
  used = 0;
  error = "";

  constructor(length: number) {
    this.#length = length;
  }

  get received(): number {
    return this.#got;
  }

  feed(chunk: Uint8Array, from: number): BodyStep {
    const n = Math.min(chunk.length - from, this.#length - this.#got);
    if (n > 0) this.#parts.push(from === 0 && n === chunk.length ? chunk : chunk.subarray(from, from + n));
    this.#got += n;
    this.used = n;
    return this.#got === this.#length ? BodyStep.Done : BodyStep.More;
  }

  body(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = joinParts(this.#parts, this.#got);
    this.#parts = [out];
    return out;
  }
}

/** Copies `parts` (`total` bytes in all) into one new buffer. */
function joinParts(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const enum Chunked {
  Size,
  Data,
  DataEnd,
  Trailer,
}

/** Longest chunk-size line (with extensions) or trailer line accepted. */
const MAX_LINE = 4096;

/** A `Transfer-Encoding: chunked` body, with chunk extensions ignored and trailers skipped. */
export class ChunkedBody implements BodyReader {
  #limit: number;
  #parts: Uint8Array[] = [];
  #total = 0;
  #state = Chunked.Size;
  #line = "";
  #left = 0;
  used = 0;
  error = "";

  constructor(limit: number) {
    this.#limit = limit;
  }

  get received(): number {
    return this.#total;
  }

  feed(chunk: Uint8Array, from: number): BodyStep {
    let p = from;
    const end = chunk.length;
    while (p < end) {
      switch (this.#state) {
        case Chunked.Size:
        case Chunked.Trailer:
        case Chunked.DataEnd: {
          const nl = chunk.indexOf(0x0a, p);
          const stop = nl < 0 ? end : nl;
          this.#line += String.fromCharCode(...chunk.subarray(p, Math.min(stop, p + MAX_LINE + 1)));
          if (this.#line.length > MAX_LINE) return this.#bad("a chunk-size or trailer line is too long");
          if (nl < 0) {
            p = end;
            break;
          }
          p = nl + 1;
          const line = this.#line.endsWith("\r") ? this.#line.slice(0, -1) : this.#line;
          this.#line = "";
          if (this.#state === Chunked.DataEnd) {
            if (line !== "") return this.#bad("chunk data is not followed by CRLF");
            this.#state = Chunked.Size;
          } else if (this.#state === Chunked.Trailer) {
            if (line === "") {
              this.used = p - from;
              return BodyStep.Done;
            }
          } else {
            const semi = line.indexOf(";");
            const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
            if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return this.#bad(`invalid chunk size ${JSON.stringify(hex)}`);
            const size = parseInt(hex, 16);
            if (size === 0) this.#state = Chunked.Trailer;
            else {
              if (this.#total + size > this.#limit) return this.#tooBig(p - from);
              this.#left = size;
              this.#state = Chunked.Data;
            }
          }
          break;
        }
        case Chunked.Data: {
          const n = Math.min(end - p, this.#left);
          this.#parts.push(chunk.subarray(p, p + n));
          this.#total += n;
          this.#left -= n;
          p += n;
          if (this.#left === 0) this.#state = Chunked.DataEnd;
          break;
        }
      }
    }
    this.used = p - from;
    return BodyStep.More;
  }

  #bad(why: string): BodyStep {
    this.error = why;
    return BodyStep.Bad;
  }

  #tooBig(used: number): BodyStep {
    this.used = used;
    return BodyStep.TooBig;
  }

  body(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = joinParts(this.#parts, this.#total);
    this.#parts = [out];
    return out;
  }
}
