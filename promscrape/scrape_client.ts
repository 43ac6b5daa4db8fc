/**
 * One HTTP scrape of one target, in the parse worker that owns the target
 * (promscrape/target_loop.ts). Sends vmagent's request headers, applies
 * the job's auth, TLS and proxy settings, and refuses bodies over
 * `max_scrape_size` / `-promscrape.maxScrapeSize` while reading them.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { HTTPClientSettings } from "./_config_auth.ts";
import { oauth2Header } from "./oauth2.ts";
import type { ScrapeWork } from "./targets.ts";

/** A scrape that did not produce a body; `message` is shown on /targets. */
export class ScrapeError extends Error {
  override name = "ScrapeError";
}

function readSecret(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/** Request headers for a target (auth files are re-read per scrape, as vmagent re-reads them). */
export function scrapeHeaders(w: ScrapeWork): Record<string, string> {
  const h: Record<string, string> = {
    Accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1",
    "User-Agent": "vm_promscrape",
    "X-Prometheus-Scrape-Timeout-Seconds": String(w.timeoutMs / 1000),
    "Accept-Encoding": w.disableCompression ? "identity" : "gzip",
  };
  if (w.disableKeepAlive) h["Connection"] = "close";
  applyAuth(h, w.http);
  for (const [k, v] of w.http.headers) h[k] = v;
  return h;
}

function applyAuth(h: Record<string, string>, s: HTTPClientSettings): void {
  if (s.authorization !== null) {
    const a = s.authorization as { type?: string; credentials?: string | null; credentialsFile?: string | null };
    const cred = a.credentialsFile ? readSecret(a.credentialsFile) : (a.credentials ?? "");
    h["Authorization"] = `${a.type ?? "Bearer"} ${cred}`;
  } else if (s.basicAuth !== null) {
    const b = s.basicAuth as { username?: string; usernameFile?: string | null; password?: string; passwordFile?: string | null };
    const user = b.usernameFile ? readSecret(b.usernameFile) : (b.username ?? "");
    const pass = b.passwordFile ? readSecret(b.passwordFile) : (b.password ?? "");
    h["Authorization"] = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  } else if (s.bearerTokenFile !== null) {
    h["Authorization"] = `Bearer ${readSecret(s.bearerTokenFile)}`;
  } else if (s.bearerToken !== null) {
    h["Authorization"] = `Bearer ${s.bearerToken}`;
  }
}

/** Adds the OAuth2 bearer token when the job has an `oauth2` section. */
async function withOAuth2(h: Record<string, string>, w: ScrapeWork): Promise<Record<string, string>> {
  if (w.http.oauth2 === null || h["Authorization"] !== undefined) return h;
  try {
    h["Authorization"] = await oauth2Header(w.http.oauth2);
  } catch (err: unknown) {
    throw new ScrapeError((err as Error).message);
  }
  return h;
}

function tlsOptions(w: ScrapeWork): Record<string, unknown> | undefined {
  const t = w.http.tls as null | {
    ca?: string | null;
    caFile?: string | null;
    cert?: string | null;
    certFile?: string | null;
    key?: string | null;
    keyFile?: string | null;
    serverName?: string | null;
    insecureSkipVerify?: boolean;
  };
  if (t === null) return undefined;
  const o: Record<string, unknown> = {};
  const ca = t.caFile ? readFileSync(t.caFile, "utf8") : t.ca;
  if (ca) o.ca = ca;
  const cert = t.certFile ? readFileSync(t.certFile, "utf8") : t.cert;
  if (cert) o.cert = cert;
  const key = t.keyFile ? readFileSync(t.keyFile, "utf8") : t.key;
  if (key) o.key = key;
  if (t.serverName) o.serverName = t.serverName;
  if (t.insecureSkipVerify) o.rejectUnauthorized = false;
  return o;
}

/**
 * Receives the parts of a stream-parsed response: blocks of whole lines, in
 * order; `last` is the final part (possibly empty). Resolves when the part
 * is handed on, so memory stays bounded by one part.
 */
export type StreamSink = (part: Uint8Array, kind: "first" | "mid" | "last") => Promise<void>;

/** Options for {@linkcode scrapeTarget}. */
export interface ScrapeOptions {
  signal?: AbortSignal;
  /**
   * Stream-parse when `work.streamParse` is set, or once the body grows past
   * `streamThreshold` bytes (0 = never) — vmagent's
   * `-promscrape.minResponseSizeForStreamParse`. Then parts go to `sink` and
   * scrapeTarget resolves with null.
   */
  streamThreshold?: number;
  sink?: StreamSink;
}

const NL = 0x0a;

function tooLarge(w: ScrapeWork): ScrapeError {
  return new ScrapeError(`the response from ${JSON.stringify(w.scrapeURL)} exceeds -promscrape.maxScrapeSize or max_scrape_size=${w.maxScrapeSize}`);
}

/** Fetches the target; resolves with the decompressed body, or null when it was streamed to `opts.sink`. Throws ScrapeError. */
export async function scrapeTarget(w: ScrapeWork, opts: ScrapeOptions = {}): Promise<Uint8Array | null> {
  const signal = opts.signal;
  const timeout = AbortSignal.timeout(w.timeoutMs);
  let res: Response;
  try {
    const init: RequestInit & { tls?: unknown; proxy?: string } = {
      headers: await withOAuth2(scrapeHeaders(w), w),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      redirect: w.followRedirects ? "follow" : "manual",
    };
    const tls = tlsOptions(w);
    if (tls !== undefined) init.tls = tls;
    if (w.proxyURL !== null) init.proxy = w.proxyURL;
    res = await fetch(w.scrapeURL, init);
  } catch (err: unknown) {
    if (err instanceof ScrapeError) throw err;
    if (timeout.aborted) throw new ScrapeError(`cannot read data from ${w.scrapeURL}: timeout after ${w.timeoutMs / 1000}s; increase scrape_timeout`);
    throw new ScrapeError(`cannot perform request to ${JSON.stringify(w.scrapeURL)}: ${(err as Error).message}`);
  }
  if (res.status !== 200) {
    const text = (await res.text().catch(() => "")).slice(0, 300);
    throw new ScrapeError(`unexpected status code returned from ${JSON.stringify(w.scrapeURL)}: ${res.status}; expecting 200; response body: ${JSON.stringify(text)}`);
  }
  const limit = w.maxScrapeSize;
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (declared > limit && res.headers.get("content-encoding") === null) {
    await res.body?.cancel();
    throw tooLarge(w);
  }
  if (res.body === null) return new Uint8Array(0);
  const threshold = w.streamParse ? 1 : (opts.streamThreshold ?? 0);
  if (declared <= limit && res.headers.get("content-encoding") === null && (threshold === 0 || declared < threshold)) {
    // The size is known and within the limits: one read, no chunk loop (the usual uncompressed scrape).
    try {
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.byteLength > limit) throw tooLarge(w);
      return body;
    } catch (err: unknown) {
      if (err instanceof ScrapeError) throw err;
      if (timeout.aborted) throw new ScrapeError(`cannot read data from ${w.scrapeURL}: timeout after ${w.timeoutMs / 1000}s; increase scrape_timeout`);
      throw new ScrapeError(`cannot read response from ${JSON.stringify(w.scrapeURL)}: ${(err as Error).message}`);
    }
  }
  let chunks: Uint8Array[] = [];
  let buffered = 0;
  let total = 0;
  let streaming = false;
  try {
    for await (const c of res.body) {
      total += c.byteLength;
      if (total > limit) {
        throw tooLarge(w);
      }
      chunks.push(c);
      buffered += c.byteLength;
      if (opts.sink !== undefined && threshold > 0 && buffered >= Math.max(threshold, STREAM_PART_BYTES)) {
        // Hand on the whole lines; keep the tail for the next part.
        const joined = concat(chunks, buffered);
        const cut = joined.lastIndexOf(NL) + 1;
        if (cut > 0) {
          await opts.sink(joined.subarray(0, cut), streaming ? "mid" : "first");
          streaming = true;
          chunks = cut < joined.byteLength ? [joined.slice(cut)] : [];
          buffered = joined.byteLength - cut;
        }
      }
    }
  } catch (err: unknown) {
    if (err instanceof ScrapeError) throw err;
    if (timeout.aborted) throw new ScrapeError(`cannot read data from ${w.scrapeURL}: timeout after ${w.timeoutMs / 1000}s; increase scrape_timeout`);
    throw new ScrapeError(`cannot read response from ${JSON.stringify(w.scrapeURL)}: ${(err as Error).message}`);
  }
  const rest = concat(chunks, buffered);
  if (streaming) {
    await opts.sink!(rest, "last");
    return null;
  }
  return rest;
}

/** Stream parts are at least this big, so small bodies are never split. */
const STREAM_PART_BYTES = 256 * 1024;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
