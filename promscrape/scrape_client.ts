/**
 * One HTTP scrape of one target, in the parse worker that owns the target
 * (promscrape/target_loop.ts). Sends vmagent's request headers, applies
 * the job's auth, TLS and proxy settings, and refuses bodies over
 * `max_scrape_size` / `-promscrape.maxScrapeSize` while reading them.
 *
 * @module
 */

import { HTTPClient } from "../promauth/client.ts";
import type { ScrapeWork } from "./targets.ts";
import { concatBytes } from "../protocols/_shared/bytes.ts";

/** A scrape that did not produce a body; `message` is shown on /targets. */
export class ScrapeError extends Error {
  override name = "ScrapeError";
}

/** vmagent's request headers for a target, before the job's `headers` and credentials (promauth). */
export function scrapeHeaders(w: ScrapeWork): Record<string, string> {
  const h: Record<string, string> = {
    Accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1",
    "User-Agent": "vm_promscrape",
    "X-Prometheus-Scrape-Timeout-Seconds": String(w.timeoutMs / 1000),
    "Accept-Encoding": w.disableCompression ? "identity" : "gzip",
  };
  if (w.disableKeepAlive) h["Connection"] = "close";
  return h;
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
  return new ScrapeError(
    `the response from ${
      JSON.stringify(w.scrapeURL)
    } exceeds -promscrape.maxScrapeSize or max_scrape_size=${w.maxScrapeSize}`,
  );
}

/** Fetches the target; resolves with the decompressed body, or null when it was streamed to `opts.sink`. Throws ScrapeError. */
export async function scrapeTarget(w: ScrapeWork, opts: ScrapeOptions = {}): Promise<Uint8Array | null> {
  const signal = opts.signal;
  const timeout = AbortSignal.timeout(w.timeoutMs);
  let res: Response;
  try {
    // Credential files are re-read per scrape, as vmagent re-reads them.
    res = await new HTTPClient(w.client).fetch(w.scrapeURL, {
      headers: scrapeHeaders(w),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
  } catch (err: unknown) {
    throw scrapeError(w, timeout, err, "cannot perform request to");
  }
  if (res.status !== 200) {
    const text = (await res.text().catch(() => "")).slice(0, 300);
    throw new ScrapeError(
      `unexpected status code returned from ${
        JSON.stringify(w.scrapeURL)
      }: ${res.status}; expecting 200; response body: ${JSON.stringify(text)}`,
    );
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
      throw scrapeError(w, timeout, err, "cannot read response from");
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
        const joined = concatBytes(chunks, buffered);
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
    throw scrapeError(w, timeout, err, "cannot read response from");
  }
  const rest = concatBytes(chunks, buffered);
  if (streaming) {
    await opts.sink!(rest, "last");
    return null;
  }
  return rest;
}

/**
 * The ScrapeError for a failed request or body read: the scrape_timeout
 * message when `timeout` fired, else `what` with the URL and the cause.
 */
function scrapeError(w: ScrapeWork, timeout: AbortSignal, err: unknown, what: string): ScrapeError {
  if (err instanceof ScrapeError) return err;
  if (timeout.aborted) {
    return new ScrapeError(
      `cannot read data from ${w.scrapeURL}: timeout after ${w.timeoutMs / 1000}s; increase scrape_timeout`,
    );
  }
  return new ScrapeError(`${what} ${JSON.stringify(w.scrapeURL)}: ${(err as Error).message}`);
}

/** Stream parts are at least this big, so small bodies are never split. */
const STREAM_PART_BYTES = 256 * 1024;
