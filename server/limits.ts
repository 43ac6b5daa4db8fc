/**
 * Request-level limits shared by every push handler: the
 * `-maxConcurrentInserts` gate with its `-insert.maxQueueDuration` wait, and
 * reading a body without ever holding more than the size limit.
 *
 * @module
 */

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
 * Parses `extra_label=name=value` query args (split at the first `=`).
 * Throws HttpError 400 for a value without `=`. As in vmagent, an empty name
 * (`extra_label==value`) is accepted, and the label is dropped like every
 * label with an empty name (workers/_request_body.ts extraLabelsOf).
 */
export function parseExtraLabels(search: URLSearchParams): string[] {
  const out: string[] = [];
  for (const v of search.getAll("extra_label")) {
    const eq = v.indexOf("=");
    if (eq < 0) throw new HttpError(400, `missing '=' in extra_label=${JSON.stringify(v)}; expected name=value`);
    if (v.includes("\n")) throw new HttpError(400, `extra_label=${JSON.stringify(v)} must not contain a newline`);
    out.push(v);
  }
  return out;
}
