/**
 * The scrape loops of one parse worker: the worker owns its targets (the
 * main thread assigns each target to one worker by hash and sends it the
 * target's ScrapeWork), scrapes them with its own HTTP client on vmagent's
 * schedule (hash phase, fixed-step timestamps), and turns each response
 * into series in place. No body crosses a thread; the main thread only runs
 * service discovery and serves the status pages, asking the workers for
 * their targets' state.
 *
 * One scrape at a time per target: the next tick waits for this one, and
 * ticks missed meanwhile are skipped, like Go's time.Ticker drops them.
 * Stale markers when a target goes away; none on shutdown, as vmagent does.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";
import { firstScrapeDelayMs, ScrapeClock } from "../sharding/phase.ts";
import { type InvalidLine, type ScrapeStats, TargetScrapeState } from "./scrape_process.ts";
import { ScrapeError, scrapeTarget } from "./scrape_client.ts";
import type { ScrapeWork } from "./targets.ts";

/** What the main thread sends a worker about its targets. */
export interface ScrapeTargetsUpdate {
  add: ScrapeWork[];
  /** Removed targets and the timestamp for their stale markers (null: none, e.g. a changed target restarted). */
  remove: { id: string; staleTs: number | null }[];
}

/** A target's state as a worker reports it for /targets and /api/v1/targets. */
export interface TargetRuntime {
  id: string;
  health: "up" | "down" | "unknown";
  lastScrapeMs: number;
  lastDurationMs: number;
  lastSamples: number;
  lastError: string;
  scrapes: number;
  failures: number;
}

/** What the loops need from their worker. */
export interface ScrapeHost {
  readonly writer: SeriesWriter;
  readonly log: Logger;
  readonly registry: Registry;
  /** `-promscrape.minResponseSizeForStreamParse`. */
  readonly streamThreshold: number;
  /** `-promscrape.suppressScrapeErrors`. */
  readonly suppressErrors: boolean;
  /** Resolves when the worker may write more series (its blocks in flight are below the bound); null = now. */
  whenWritable(): Promise<void> | null;
  /** Called after `rows` samples were written: the worker counts them and flushes its block soon. */
  written(rows: number): void;
  invalidLine: InvalidLine;
}

interface Loop {
  state: TargetScrapeState;
  status: TargetRuntime;
  timer: ReturnType<typeof setTimeout> | undefined;
  stopped: boolean;
  abort: AbortController;
}

/** All targets of one worker. */
export class ScrapeLoops {
  #host: ScrapeHost;
  #loops = new Map<string, Loop>();
  #stopping = false;
  #m: {
    scrapes: Metric;
    failed: Metric;
    timedOut: Metric;
    durationSum: Metric;
    durationCount: Metric;
    sizeSum: Metric;
    sizeCount: Metric;
    staleMarkers: Metric;
  };

  constructor(host: ScrapeHost) {
    this.#host = host;
    const r = host.registry;
    this.#m = {
      scrapes: r.metric("vm_promscrape_scrapes_total"),
      failed: r.metric("vm_promscrape_scrapes_failed_total"),
      timedOut: r.metric("vm_promscrape_scrapes_timed_out_total"),
      durationSum: r.metric("vm_promscrape_scrape_duration_seconds_sum"),
      durationCount: r.metric("vm_promscrape_scrape_duration_seconds_count"),
      sizeSum: r.metric("vm_promscrape_scrape_response_size_bytes_sum"),
      sizeCount: r.metric("vm_promscrape_scrape_response_size_bytes_count"),
      staleMarkers: r.metric("vm_promscrape_stale_samples_created_total"),
    };
    r.gauge("vm_promscrape_targets", { type: "all", status: "up" }, () => this.#count("up"));
    r.gauge("vm_promscrape_targets", { type: "all", status: "down" }, () => this.#count("down"));
    r.gauge("vm_promscrape_active_scrapers", undefined, () => this.#loops.size);
  }

  #count(h: "up" | "down"): number {
    let n = 0;
    for (const l of this.#loops.values()) if (l.status.health === h) n++;
    return n;
  }

  /** Starts added targets and stops removed ones (with stale markers when asked). */
  update(u: ScrapeTargetsUpdate): void {
    const w = this.#host.writer;
    let stale = 0;
    for (const r of u.remove) {
      const l = this.#loops.get(r.id);
      if (l === undefined) continue;
      this.#stopLoop(l);
      this.#loops.delete(r.id);
      if (r.staleTs !== null) stale += l.state.removed(r.staleTs, w);
    }
    if (stale > 0) {
      this.#m.staleMarkers.inc(stale);
      this.#host.written(stale);
    }
    if (this.#stopping) return;
    for (const work of u.add) {
      const old = this.#loops.get(work.id);
      if (old !== undefined) this.#stopLoop(old);
      const l: Loop = {
        state: new TargetScrapeState(work),
        status: {
          id: work.id,
          health: "unknown",
          lastScrapeMs: 0,
          lastDurationMs: 0,
          lastSamples: 0,
          lastError: "",
          scrapes: 0,
          failures: 0,
        },
        timer: undefined,
        stopped: false,
        abort: new AbortController(),
      };
      this.#loops.set(work.id, l);
      this.#schedule(l);
    }
  }

  /** The state of every target, for the status pages. */
  statuses(): TargetRuntime[] {
    return [...this.#loops.values()].map((l) => ({ ...l.status }));
  }

  /** Stops every loop without stale markers (shutdown); scrapes in flight are abandoned. */
  stop(): void {
    this.#stopping = true;
    for (const l of this.#loops.values()) this.#stopLoop(l);
  }

  #stopLoop(l: Loop): void {
    l.stopped = true;
    if (l.timer !== undefined) clearTimeout(l.timer);
    l.abort.abort();
  }

  #schedule(l: Loop): void {
    const w = l.state.work;
    const delay = firstScrapeDelayMs(Date.now(), w.intervalMs, w.phaseNs, {
      alignIntervalMs: w.alignIntervalMs,
      offsetMs: w.offsetMs,
    });
    const first = Date.now() + delay;
    let clock: ScrapeClock | undefined;
    const tick = async () => {
      if (l.stopped) return;
      const tickMs = Date.now();
      clock ??= new ScrapeClock(tickMs, w.intervalMs);
      const ts = clock.next(tickMs);
      try {
        await this.#scrapeOnce(l, ts);
      } catch (err: unknown) {
        this.#host.log.error(
          `BUG: scrape of ${JSON.stringify(w.scrapeURL)} failed: ${err instanceof Error ? err.stack : String(err)}`,
        );
      }
      if (l.stopped) return;
      // The next tick on the grid of the first one, so timer jitter does not accumulate.
      const now = Date.now();
      const next = first + Math.max(1, Math.ceil((now - first + 1) / w.intervalMs)) * w.intervalMs;
      l.timer = setTimeout(() => void tick(), next - now);
    };
    l.timer = setTimeout(() => void tick(), delay);
  }

  async #scrapeOnce(l: Loop, ts: number): Promise<void> {
    const h = this.#host;
    const st = l.state;
    const w = st.work;
    const start = performance.now();
    let streamed = false;
    let size = 0;
    let body: Uint8Array | null = null;
    let error: string | null = null;
    try {
      const threshold = w.sampleLimit > 0 ? 0 : h.streamThreshold;
      body = await scrapeTarget(w, {
        signal: l.abort.signal,
        // Automatic stream parsing only without sample_limit, as in vmagent.
        streamThreshold: threshold,
        sink: async (part, kind) => {
          await h.whenWritable();
          if (l.stopped) return;
          if (kind === "first") st.streamBegin(ts);
          streamed = true;
          size += part.byteLength;
          const before = h.writer.totalRows;
          st.streamChunk(part, h.writer, h.invalidLine);
          h.written(h.writer.totalRows - before);
        },
      });
    } catch (err: unknown) {
      error = err instanceof ScrapeError ? err.message : String(err);
    }
    if (l.stopped) return;
    const durationMs = performance.now() - start;
    await h.whenWritable();
    if (l.stopped) return;
    let stats: ScrapeStats;
    const before = h.writer.totalRows;
    if (error !== null) {
      if (streamed) st.streamAbort();
      if (error.includes("timeout after")) this.#m.timedOut.inc();
      stats = st.failed(error, ts, durationMs, h.writer);
    } else if (streamed) {
      stats = st.streamEnd(durationMs, h.writer);
    } else {
      size = body!.byteLength;
      stats = st.scraped(body!, ts, durationMs, h.writer, h.invalidLine);
    }
    h.written(h.writer.totalRows - before);
    const m = this.#m;
    m.scrapes.inc();
    m.durationSum.inc(durationMs / 1000);
    m.durationCount.inc();
    m.sizeSum.inc(size);
    m.sizeCount.inc();
    m.staleMarkers.inc(stats.staleMarkers);
    const s = l.status;
    s.scrapes++;
    s.lastScrapeMs = ts;
    s.lastDurationMs = durationMs;
    s.health = stats.up ? "up" : "down";
    s.lastSamples = stats.samplesScraped;
    s.lastError = stats.error;
    if (!stats.up) {
      s.failures++;
      m.failed.inc();
      if (!h.suppressErrors) {
        h.log.warn(
          `error when scraping ${JSON.stringify(w.scrapeURL)} (job ${JSON.stringify(w.jobName)}): ${stats.error}`,
        );
      }
    }
  }
}
