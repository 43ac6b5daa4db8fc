/**
 * Load generators of the push benchmark: HTTP POST loops and persistent TCP
 * streams over a pre-built corpus, at saturation or paced to a fixed offered
 * rate. Both count what was sent and what the agent took so the report can
 * compare them with what reached victoria-metrics.
 *
 * @module
 */

import type { PushCorpus } from "./_push_corpus.ts";

/** What one push phase sent and what the agent took, for either transport. */
export interface LoadResult {
  /** HTTP requests or completed TCP blocks. */
  requests: number;
  ok: number;
  samplesSent: number;
  samplesAccepted: number;
  bytesSent: number;
  statuses: Record<string, number>;
  /** fetch() or socket failures, by message. */
  errors: Record<string, number>;
  firstErrorBody: string;
  wallSeconds: number;
  /** HTTP response latency per request, ms (failures included); empty for TCP. */
  latenciesMs: number[];
}

function emptyLoad(): LoadResult {
  return {
    requests: 0,
    ok: 0,
    samplesSent: 0,
    samplesAccepted: 0,
    bytesSent: 0,
    statuses: {},
    errors: {},
    firstErrorBody: "",
    wallSeconds: 0,
    latenciesMs: [],
  };
}

/** How a push phase is driven besides its duration. */
export interface LoadOptions {
  /** Request Content-Type (HTTP only); default `text/plain`. */
  contentType?: string;
  /**
   * Total samples per second offered over all connections; 0 or absent =
   * saturation (the next payload goes as soon as the previous one is done).
   */
  rate?: number;
}

/**
 * Token bucket of one connection: `rate` samples/s, holding at most one
 * payload's worth of saved-up tokens. A payload of `s` samples may go at
 * `next`; after it, `next` moves on by s / rate, or to "now" when the sender
 * fell behind by more than that (an agent that was slow is not flooded with
 * the backlog afterwards, so the achieved rate shows the shortfall).
 */
class Pacer {
  next: number;

  constructor(readonly samplesPerMs: number, start: number) {
    this.next = start;
  }

  /** Waits until the next payload may go; false when that is at or after `deadline` (stop). */
  async wait(deadline: number): Promise<boolean> {
    if (this.next >= deadline) return false;
    const ms = this.next - performance.now();
    if (ms > 0) await Bun.sleep(ms);
    return true;
  }

  /** Takes the tokens of a payload of `samples` samples that is going now. */
  take(samples: number): void {
    this.next = Math.max(this.next + samples / this.samplesPerMs, performance.now());
  }
}

/**
 * The pacer of connection `k` of `n` for `rate` samples/s in total, or null
 * at saturation. Connections start staggered over one payload interval so
 * their sends interleave instead of bursting together.
 */
function pacerFor(rate: number | undefined, k: number, n: number, c: PushCorpus, started: number): Pacer | null {
  if (rate === undefined || rate <= 0) return null;
  const perMs = rate / n / 1000;
  const interval = c.avgSamplesPerPayload / perMs;
  return new Pacer(perMs, started + (k / n) * interval);
}

const countError = (r: LoadResult, e: unknown): void => {
  const msg = e instanceof Error ? e.message : String(e);
  r.errors[msg] = (r.errors[msg] ?? 0) + 1;
};

/**
 * `concurrency` loops each POSTing the next body as soon as the previous
 * answer arrives (or, with `opts.rate`, when its token bucket allows: each
 * loop offers rate / concurrency samples/s), until `seconds` pass (requests
 * in flight then are awaited and counted).
 */
export async function pushHttp(
  url: string,
  c: PushCorpus,
  concurrency: number,
  seconds: number,
  timeoutSeconds: number,
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const r = emptyLoad();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const headers = { "Content-Type": opts.contentType ?? "text/plain" };
  let next = 0;
  const loop = async (k: number): Promise<void> => {
    const pacer = pacerFor(opts.rate, k, concurrency, c, started);
    while (pacer === null ? performance.now() < deadline : await pacer.wait(deadline)) {
      const i = next++ % c.payloads.length;
      const body = c.payloads[i]!;
      pacer?.take(c.samples[i]!);
      r.requests++;
      r.samplesSent += c.samples[i]!;
      r.bytesSent += body.byteLength;
      const sent = performance.now();
      try {
        const signal = AbortSignal.timeout(timeoutSeconds * 1000);
        const res = await fetch(url, { method: "POST", body, headers, signal });
        const text = await res.text();
        r.latenciesMs.push(performance.now() - sent);
        r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) {
          r.ok++;
          r.samplesAccepted += c.samples[i]!;
        } else if (r.firstErrorBody === "") {
          r.firstErrorBody = `${res.status}: ${text.slice(0, 500)}`;
        }
      } catch (e) {
        r.latenciesMs.push(performance.now() - sent);
        countError(r, e);
        await Bun.sleep(10); // a refused connection would otherwise spin
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k)));
  r.wallSeconds = (performance.now() - started) / 1000;
  return r;
}

/**
 * `connections` persistent TCP connections each writing the next block as
 * fast as the socket takes it until `seconds` pass; a block begun before the
 * deadline is finished so no line is cut. Bun's socket.write() takes only
 * what fits (its return value) and keeps nothing: the rest is written again
 * after the `drain` event. Every line the socket took counts as accepted.
 * With `opts.rate` each connection starts a block only when its token bucket
 * allows (rate / connections samples/s each).
 */
export async function pushTcp(
  port: number,
  c: PushCorpus,
  connections: number,
  seconds: number,
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const r = emptyLoad();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const conn = async (k: number): Promise<void> => {
    let wake: (() => void) | null = null;
    let closed = false;
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data() {},
        drain() {
          wake?.();
        },
        close() {
          closed = true;
          wake?.();
        },
        error(_s, e) {
          countError(r, e);
        },
      },
    });
    // Connections start at different places in the pool so they don't send the same lines at once.
    let i = Math.floor((k * c.payloads.length) / connections);
    const pacer = pacerFor(opts.rate, k, connections, c, started);
    try {
      while ((pacer === null ? performance.now() < deadline : await pacer.wait(deadline)) && !closed) {
        const idx = i++ % c.payloads.length;
        const block = c.payloads[idx]!;
        pacer?.take(c.samples[idx]!);
        let off = 0;
        while (off < block.byteLength && !closed) {
          const n = sock.write(block.subarray(off));
          if (n > 0) off += n;
          if (off < block.byteLength) await new Promise<void>((res) => (wake = res));
          wake = null;
        }
        r.requests++;
        r.bytesSent += off;
        r.samplesSent += c.samples[idx]!;
        if (off === block.byteLength) {
          r.ok++;
          r.samplesAccepted += c.samples[idx]!;
        } else {
          countError(r, new Error("Connection closed by the agent mid-block"));
        }
      }
    } finally {
      sock.end();
    }
  };
  const results = await Promise.allSettled(Array.from({ length: connections }, (_, k) => conn(k)));
  for (const s of results) if (s.status === "rejected") countError(r, s.reason);
  r.wallSeconds = (performance.now() - started) / 1000;
  return r;
}
