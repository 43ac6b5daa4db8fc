/**
 * What a parse worker does with one scrape of one target (lib/promscrape/
 * scrapework.go in vmagent): parse the exposition, merge target labels
 * (`honor_labels`), apply `metric_relabel_configs`, enforce `sample_limit`
 * and `series_limit`, add external labels, write the series, emit stale
 * markers for series that vanished, and add the auto-generated series
 * (`up`, `scrape_duration_seconds`, …).
 *
 * State per target (the previous scrape's series) lives in the worker that
 * owns the target; the main thread always routes a target to the same
 * worker.
 *
 * Drover vs vmagent on HA gaps (vmagent issue 10196): vmagent stamps the
 * stale markers of a failed scrape with the wall clock, so a failing
 * replica's NaN (and its `up=0`) can carry the largest timestamp of a dedup
 * interval and win over a healthy replica's sample. Drover stamps what a
 * failed scrape writes (stale markers and auto series) with the first
 * millisecond of the dedup interval that holds the scheduled scrape time,
 * assuming `-dedup.minScrapeInterval` equals the scrape interval as
 * recommended: VictoriaMetrics' buckets are `(k·D − D, k·D]`, so that is
 * `k·D − D + 1`. It is still later than the replica's previous sample (one
 * interval earlier) and never later than a healthy replica's sample in the
 * same interval, which therefore wins. Without HA the markers come at most
 * one interval early. Stale markers for series that vanish from a successful
 * scrape keep the scrape timestamp: every replica sees them vanish.
 *
 * @module
 */

import { applyRelabeling, finalizeLabels, Labels, parseRelabelConfigs, type CompiledRelabelRules } from "../relabel/apply.ts";
import type { SeriesSink } from "../protocols/_shared/series_writer.ts";
import { parsePromText } from "../protocols/prometheus/parse.ts";
import type { ScrapeWork } from "./targets.ts";

/** One scrape's outcome, shown on /targets and in vm_promscrape_* metrics. */
export interface ScrapeStats {
  up: boolean;
  samplesScraped: number;
  samplesPostRelabel: number;
  seriesAdded: number;
  staleMarkers: number;
  error: string;
}

interface Row {
  names: string[];
  values: string[];
  value: number;
  ts: number;
}

/**
 * Collects parsed samples (the parser calls begin/label/sample/end). Rows
 * are objects here: simple first; the scrape path is measured in bench/.
 */
class Collector implements SeriesSink {
  rows: Row[] = [];
  #names: string[] = [];
  #values: string[] = [];
  #value = 0;
  #ts = 0;
  begin(): void {
    this.#names = [];
    this.#values = [];
  }
  label(name: string, value: string): void {
    this.#names.push(name);
    this.#values.push(value);
  }
  sample(value: number, ts: number): void {
    this.#value = value;
    this.#ts = ts;
  }
  staleSample(ts: number): void {
    this.sample(NaN, ts);
  }
  end(): void {
    this.rows.push({ names: this.#names, values: this.#values, value: this.#value, ts: this.#ts });
  }
}

/** One series ready to write. */
interface Prepared {
  l: Labels;
  value: number;
  ts: number;
  key: string;
}

/** Bookkeeping of one scrape. */
interface ScrapeRun {
  ts: number;
  current: Set<string>;
  next: Map<string, Labels>;
  stats: ScrapeStats;
}

/**
 * The first millisecond of the deduplication interval `(k·D − D, k·D]` that
 * contains `ts`, for D = the scrape interval (see the module comment).
 */
export function dedupIntervalStart(ts: number, intervalMs: number): number {
  const k = Math.ceil(ts / intervalMs);
  return k * intervalMs - intervalMs + 1;
}

function keyOf(l: Labels): string {
  let k = "";
  for (let i = 0; i < l.length; i++) k += `${l.names[i]}\u0000${l.values[i]}\u0001`;
  return k;
}

/** Per-target scrape state inside a parse worker. */
export class TargetScrapeState {
  readonly work: ScrapeWork;
  #metricRelabel: CompiledRelabelRules | null;
  /** Series of the last successful scrape, by key, for stale markers. */
  #prev = new Map<string, Labels>();
  /** series_limit: series seen in the current 24h window. */
  #seriesSeen = new Set<string>();
  #seriesWindowStart = 0;
  seriesLimitDropped = 0;
  /** The stream-parsed scrape in progress. */
  #stream: ScrapeRun | null = null;

  constructor(work: ScrapeWork) {
    this.work = work;
    this.#metricRelabel =
      work.metricRelabelConfigsRaw === null || work.metricRelabelConfigsRaw === undefined
        ? null
        : parseRelabelConfigs(work.metricRelabelConfigsRaw, "metric_relabel_configs");
  }

  /** Adds target labels to a scraped series per `honor_labels`. */
  #mergeTargetLabels(l: Labels): void {
    const honor = this.work.honorLabels;
    for (const [name, value] of this.work.labels) {
      const i = l.indexOf(name);
      if (i < 0) {
        l.push(name, value);
      } else if (!honor) {
        // Prometheus/vmagent: the scraped label becomes exported_<name>; the target's value wins.
        const scraped = l.values[i]!;
        l.values[i] = value;
        if (scraped !== "" && l.indexOf(`exported_${name}`) < 0) l.push(`exported_${name}`, scraped);
      }
    }
  }

  #addExternal(l: Labels): void {
    for (const [name, value] of this.work.externalLabels) if (l.indexOf(name) < 0) l.push(name, value);
  }

  #writeSeries(w: SeriesSink, l: Labels, value: number, ts: number, stale: boolean): void {
    w.begin();
    for (let i = 0; i < l.length; i++) w.label(l.names[i]!, l.values[i]!);
    if (stale) w.staleSample(ts);
    else w.sample(value, ts);
    w.end();
  }

  /** Writes stale markers for every previous series not in `current` (all of them when null). */
  #staleMarkers(w: SeriesSink, current: Set<string> | null, ts: number): number {
    if (this.work.noStaleMarkers) return 0;
    let n = 0;
    for (const [k, l] of this.#prev) {
      if (current !== null && current.has(k)) continue;
      this.#writeSeries(w, l, NaN, ts, true);
      n++;
    }
    return n;
  }

  #autoSeries(w: SeriesSink, ts: number, durationMs: number, s: ScrapeStats): void {
    const put = (name: string, v: number) => {
      const l = new Labels();
      l.push("__name__", name);
      for (const [k, val] of this.work.labels) l.push(k, val);
      this.#addExternal(l);
      this.#writeSeries(w, l, v, ts, false);
    };
    put("up", s.up ? 1 : 0);
    put("scrape_duration_seconds", durationMs / 1000);
    put("scrape_samples_scraped", s.samplesScraped);
    put("scrape_samples_post_metric_relabeling", s.samplesPostRelabel);
    put("scrape_series_added", s.seriesAdded);
    put("scrape_timeout_seconds", this.work.timeoutMs / 1000);
    if (this.work.sampleLimit > 0) put("scrape_samples_limit", this.work.sampleLimit);
    if (this.work.seriesLimit > 0) {
      put("scrape_series_limit", this.work.seriesLimit);
      put("scrape_series_current", this.#seriesSeen.size);
      put("scrape_series_limit_samples_dropped", this.seriesLimitDropped);
    }
  }

  /** Parses `body` and returns its series after target labels and metric relabeling. */
  #prepare(body: Uint8Array, ts: number, invalidLine: (reason: string, line: string) => void): { rows: Prepared[]; scraped: number } {
    const c = new Collector();
    const scraped = parsePromText(body, c, { defaultTimestampMs: ts, honorTimestamps: this.work.honorTimestamps, invalidLine });
    const rows: Prepared[] = [];
    for (const r of c.rows) {
      const l = new Labels(r.names.length + this.work.labels.length + 2);
      for (let i = 0; i < r.names.length; i++) l.push(r.names[i]!, r.values[i]!);
      this.#mergeTargetLabels(l);
      if (this.#metricRelabel !== null) {
        if (!applyRelabeling(this.#metricRelabel, l)) continue;
        finalizeLabels(l);
        if (l.length === 0) continue;
      }
      this.#addExternal(l);
      rows.push({ l, value: r.value, ts: r.ts, key: keyOf(l) });
    }
    return { rows, scraped };
  }

  /** Starts a scrape's bookkeeping (series seen in it, series_limit window). */
  #begin(ts: number): ScrapeRun {
    if (this.work.seriesLimit > 0 && ts - this.#seriesWindowStart >= 24 * 3600 * 1000) {
      this.#seriesSeen.clear();
      this.#seriesWindowStart = ts;
    }
    return {
      ts,
      current: new Set(),
      next: new Map(),
      stats: { up: true, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error: "" },
    };
  }

  /** Writes prepared rows (series_limit applied) and records them for staleness. */
  #emit(run: ScrapeRun, rows: Prepared[], w: SeriesSink): void {
    const limit = this.work.seriesLimit;
    for (const s of rows) {
      if (limit > 0 && !this.#seriesSeen.has(s.key)) {
        if (this.#seriesSeen.size >= limit) {
          this.seriesLimitDropped++;
          continue;
        }
        this.#seriesSeen.add(s.key);
      }
      if (!this.#prev.has(s.key) && !run.current.has(s.key)) run.stats.seriesAdded++;
      run.current.add(s.key);
      run.next.set(s.key, s.l);
      this.#writeSeries(w, s.l, s.value, s.ts, false);
    }
  }

  /** Ends a scrape: stale markers for vanished series, then the auto series. */
  #end(run: ScrapeRun, durationMs: number, w: SeriesSink): ScrapeStats {
    run.stats.staleMarkers = this.#staleMarkers(w, run.current, run.ts);
    this.#prev = run.next;
    this.#autoSeries(w, run.ts, durationMs, run.stats);
    return run.stats;
  }

  /** A successful scrape: `body` is the (decompressed) response, `ts` the scrape timestamp. */
  scraped(body: Uint8Array, ts: number, durationMs: number, w: SeriesSink, invalidLine: (reason: string, line: string) => void): ScrapeStats {
    const { rows, scraped } = this.#prepare(body, ts, invalidLine);
    if (this.work.sampleLimit > 0 && rows.length > this.work.sampleLimit) {
      // As vmagent: the whole scrape is dropped, up=0, and the previous series go stale.
      const stats: ScrapeStats = { up: false, samplesScraped: scraped, samplesPostRelabel: rows.length, seriesAdded: 0, staleMarkers: 0, error: "" };
      stats.error = `the response from ${JSON.stringify(this.work.scrapeURL)} exceeds sample_limit=${this.work.sampleLimit}; either reduce the sample count for the target or increase sample_limit`;
      stats.staleMarkers = this.#staleMarkers(w, null, ts);
      this.#prev.clear();
      this.#autoSeries(w, ts, durationMs, stats);
      return stats;
    }
    const run = this.#begin(ts);
    run.stats.samplesScraped = scraped;
    run.stats.samplesPostRelabel = rows.length;
    this.#emit(run, rows, w);
    return this.#end(run, durationMs, w);
  }

  /**
   * Stream parsing (big responses, `stream_parse`, `-promscrape.streamParse`):
   * the body arrives as blocks of whole lines and each block is written at
   * once, so memory stays bounded. As in vmagent, `sample_limit` cannot be
   * enforced in this mode (samples already sent cannot be recalled).
   */
  streamBegin(ts: number): void {
    this.#stream = this.#begin(ts);
  }

  streamChunk(body: Uint8Array, w: SeriesSink, invalidLine: (reason: string, line: string) => void): void {
    // A target re-registered mid-stream has lost its begin: start over at this chunk.
    const run = (this.#stream ??= this.#begin(Date.now()));
    const { rows, scraped } = this.#prepare(body, run.ts, invalidLine);
    run.stats.samplesScraped += scraped;
    run.stats.samplesPostRelabel += rows.length;
    this.#emit(run, rows, w);
  }

  /** Drops a stream that failed midway (the caller then reports the failure). */
  streamAbort(): void {
    this.#stream = null;
  }

  streamEnd(durationMs: number, w: SeriesSink): ScrapeStats {
    const run = this.#stream ?? this.#begin(Date.now());
    this.#stream = null;
    return this.#end(run, durationMs, w);
  }

  /**
   * A failed scrape: up=0 and stale markers for the previous series, stamped
   * with the scheduled timestamp `ts` (see the module comment).
   */
  failed(error: string, ts: number, durationMs: number, w: SeriesSink): ScrapeStats {
    const stats: ScrapeStats = { up: false, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error };
    const at = dedupIntervalStart(ts, this.work.intervalMs);
    stats.staleMarkers = this.#staleMarkers(w, null, at);
    this.#prev.clear();
    this.#autoSeries(w, at, durationMs, stats);
    return stats;
  }

  /** The target went away (not on shutdown): stale markers for its series. */
  removed(ts: number, w: SeriesSink): number {
    const n = this.#staleMarkers(w, null, ts);
    this.#prev.clear();
    return n;
  }
}
