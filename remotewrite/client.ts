/**
 * One POST of one block to one remote-write URL, and the decision whether a
 * failure is worth retrying.
 *
 * Retry is decided by error class, never by message text (Prometheus
 * `RecoverableError`): network errors, timeouts, 5xx, 429 and any other
 * unexpected status are {@linkcode RecoverableError}; 400 and 409 mean the
 * remote will never take this block, so they are {@linkcode PermanentError}
 * and the block is dropped and counted, as vmagent does.
 *
 * Credentials, `-remoteWrite.headers` and TLS are applied by promauth, the
 * same client layer scraping and service discovery use.
 *
 * @module
 */

import type { HTTPClient } from "../promauth/client.ts";

/** The remote may take the block later: retry it after a back-off. */
export class RecoverableError extends Error {
  /** Milliseconds asked for by a `Retry-After` header, if any. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  constructor(message: string, status?: number, retryAfterMs?: number) {
    super(message);
    this.name = "RecoverableError";
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The remote rejected the block for good (400, 409): drop it. */
export class PermanentError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "PermanentError";
    this.status = status;
  }
}

/** Everything a POST needs besides the body; resolved once per URL. */
export interface ClientOptions {
  url: string;
  /** Name shown in errors: `1:secret-url` unless `-remoteWrite.showURL`. */
  displayName: string;
  timeoutMs: number;
  /** Protocol headers ({@linkcode REMOTE_WRITE_HEADERS}); `-remoteWrite.headers` and the credentials override them. */
  headers: Record<string, string>;
  /** The URL's auth flags as promauth settings; secret files are re-read on every request (vmagent re-reads them too). */
  http: HTTPClient;
}

/** Headers vmagent sends with every remote-write request. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "application/x-protobuf",
  "Content-Encoding": "snappy",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
  "User-Agent": "vmagent",
};

/**
 * Parses a `Retry-After` value (delay-seconds or HTTP-date) into ms from
 * `now`; undefined when absent or unparseable.
 */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (v === null || v.trim() === "") return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Result of a successful POST, for metrics. */
export interface SendOutcome {
  status: number;
}

/**
 * POSTs `body` (a snappy-compressed WriteRequest). Resolves on 2xx; throws
 * {@linkcode PermanentError} for 400/409 and {@linkcode RecoverableError}
 * otherwise. `signal` aborts the request on shutdown.
 */
export async function sendBlock(opts: ClientOptions, body: Uint8Array, signal?: AbortSignal): Promise<SendOutcome> {
  let res: Response;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  try {
    res = await opts.http.fetch(opts.url, {
      method: "POST",
      body,
      headers: opts.headers,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
  } catch (err: unknown) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new RecoverableError(`Cannot send a block to "${opts.displayName}": ${msg}`);
  }
  const status = res.status;
  if (status >= 200 && status < 300) {
    await res.arrayBuffer().catch(() => undefined);
    return { status };
  }
  const text = (await res.text().catch(() => "")).slice(0, 500).trim();
  const msg = `Unexpected status ${status} from "${opts.displayName}": ${text}`;
  if (status === 400 || status === 409) throw new PermanentError(msg, status);
  throw new RecoverableError(msg, status, parseRetryAfter(res.headers.get("retry-after")));
}

/**
 * Capped exponential back-off: 1s, 2s, 4s … `maxMs`. A `Retry-After` from
 * the remote replaces the computed delay for that attempt (capped at
 * `maxMs`) and does not advance the doubling.
 */
export class Backoff {
  #min: number;
  #max: number;
  #next: number;
  constructor(minMs: number, maxMs: number) {
    this.#min = minMs;
    this.#max = Math.max(minMs, maxMs);
    this.#next = minMs;
  }
  /** Delay before the next attempt. */
  delay(retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.#max);
    const d = this.#next;
    this.#next = Math.min(this.#next * 2, this.#max);
    return d;
  }
  reset(): void {
    this.#next = this.#min;
  }
}
