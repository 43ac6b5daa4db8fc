/**
 * Request-level limits shared by every push handler: the
 * `-maxConcurrentInserts` gate with its `-insert.maxQueueDuration` wait, and
 * reading a body without ever holding more than the size limit.
 *
 * @module
 */

import { concatBytes } from "../protocols/_shared/bytes.ts";

/** An HTTP outcome carried as an error, like VictoriaMetrics' ErrQueueFullHTTPRetry. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

/**
 * Counting semaphore for concurrent inserts. `acquire()` waits at most
 * `maxWaitMs` for a slot, then throws HttpError 503, as vmagent does.
 */
export class ConcurrencyLimiter {
  readonly capacity: number;
  #used = 0;
  #waiters: (() => void)[] = [];
  #maxWaitMs: number;
  limitReached = 0;
  timeouts = 0;

  constructor(capacity: number, maxWaitMs: number) {
    this.capacity = Math.max(1, capacity);
    this.#maxWaitMs = maxWaitMs;
  }

  get current(): number {
    return this.#used;
  }

  async acquire(): Promise<void> {
    if (this.#used < this.capacity) {
      this.#used++;
      return;
    }
    this.limitReached++;
    const granted = await new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        resolve(true);
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, this.#maxWaitMs);
      this.#waiters.push(wake);
    });
    if (!granted) {
      this.timeouts++;
      throw new HttpError(
        503,
        `cannot handle more than ${this.capacity} concurrent inserts during ${this.#maxWaitMs / 1000}s; ` +
          "possible solutions: increase -insert.maxQueueDuration, increase -maxConcurrentInserts, add more CPUs",
      );
    }
    // The releasing request handed its slot straight to us: #used is unchanged.
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#used--;
  }
}

/**
 * Reads a request body, refusing with 413 before buffering more than
 * `limit` bytes: first by `Content-Length`, then while streaming.
 */
export async function readBodyLimited(req: Request, limit: number, flag: string): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new HttpError(413, `too big request body: ${declared} bytes; the limit is ${limit} bytes; see ${flag}`);
  }
  if (req.body === null) return new Uint8Array(0);
  // With a declared length within the limit, one read into one buffer is cheapest.
  if (declared !== null && !req.headers.has("transfer-encoding")) return new Uint8Array(await req.arrayBuffer());
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HttpError(413, `too big request body: more than ${limit} bytes; see ${flag}`);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

/**
 * Parses `extra_label=name=value` query args (split at the first `=`).
 * Throws HttpError 400 for a value without `=` or with an empty name.
 */
export function parseExtraLabels(search: URLSearchParams): string[] {
  const out: string[] = [];
  for (const v of search.getAll("extra_label")) {
    const eq = v.indexOf("=");
    if (eq <= 0) {
      throw new HttpError(400, `missing '=' or label name in extra_label=${JSON.stringify(v)}; expected name=value`);
    }
    if (v.includes("\n")) throw new HttpError(400, `extra_label=${JSON.stringify(v)} must not contain a newline`);
    out.push(v);
  }
  return out;
}
